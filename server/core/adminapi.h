#pragma once

#include "hellolimiter.h"
#include "tokenauth.h"

#include <QByteArray>
#include <QString>

#include <functional>

namespace coderoom::transport {
struct HttpRequest;
struct HttpResponse;
} // namespace coderoom::transport

// The admin view over HTTP: what a teacher opens in a browser to see who is connected, what is
// queued or running, which sessions exist, and to stop a job or close a session.
//
//   GET  /admin                        the HTML page (no token: it asks for one)
//   GET  /admin/clients                connected clients              } Authorization:
//   GET  /admin/jobs                   queued and running jobs        } Bearer <admin token>
//   GET  /admin/sessions               sessions loaded this run       }
//   POST /admin/jobs/<id>/cancel       the student gets a cancelled result saying who stopped it
//   POST /admin/sessions/<id>/close    the student gets session.closed with a reason
//
// The admin token is not a student token: it lives in its own file (<data-dir>/admin-token,
// 0600, created when absent; admin_token_file elsewhere). A wrong or missing token answers 401
// and counts as a failure for the address in a limiter of its own (a teacher mistyping it must
// not lock the classroom's students out, who may share the address behind one NAT); while the
// address is blocked every admin request answers 429 without looking at the token.
namespace coderoom::core {

class ServerCore;

class AdminApi final
{
public:
    explicit AdminApi(ServerCore *core);

    // Reads or creates the admin token. false + *error when it is unusable.
    bool load(const QString &adminTokenFile, const QString &dataDir, QString *error);
    QString tokenPath() const { return m_tokenPath; }
    bool tokenCreated() const { return m_tokenCreated; }

    // True when the path is /admin or under it: then `reply` has been called.
    bool handle(const transport::HttpRequest &request,
                const std::function<void(const transport::HttpResponse &)> &reply);

    static QByteArray page(); // the self-contained HTML page (adminpage.cpp)

private:
    transport::HttpResponse route(const transport::HttpRequest &request);
    QByteArray clients() const;
    QByteArray jobs() const;
    QByteArray sessions() const;
    transport::HttpResponse cancelJob(const QString &request);
    transport::HttpResponse closeSession(const QString &session);

    ServerCore *m_core;
    TokenAuth m_auth;
    accounts::HelloLimiter m_limiter;
    QString m_tokenPath;
    bool m_tokenCreated = false;
};

} // namespace coderoom::core
