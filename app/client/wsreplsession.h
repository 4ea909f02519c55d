#pragma once

#include "codeservice.h"

#include <QPointer>

// A REPL session on the wire. It outlives connections: the service resumes it by id on every
// new connection (session.open{session}) and it says so through restored(). Evals asked for
// before the session is open wait here and are sent once session.opened names the session.
namespace coderoom::client {

class WsCodeService;
class WsCodeServicePrivate;
class WsJob;

class WsReplSession final : public app::ReplSession
{
    Q_OBJECT
public:
    WsReplSession(WsCodeService *service, const QString &language, QObject *parent);

    bool isClosed() const { return m_closed; }
    bool wantsOpen() const { return !m_closed && !m_opening; }
    protocol::SessionOpen openMessage(); // a new open, or a resume once we have an id
    bool isResume() const { return isOpen(); }

    // Routing from the service.
    void handleOpened(const protocol::SessionOpened &opened, bool resume);
    void handleOpenFailed(const QString &message, bool resume);
    void handleRestarted();
    void handleRestored(const protocol::SessionRestored &restored);
    void handleCompletions(const QStringList &items);
    void handleWaiting(qint64 ahead) { emit waiting(ahead); }
    void connectionLost();
    void failWaiting(const QString &message);

protected:
    app::Job *doEval(const QString &code) override;
    void doComplete(const QString &code, int cursor) override;
    void doRestart() override;
    void doClose() override;

private:
    WsCodeServicePrivate *m_service;  // outlives us: the service is our parent
    QList<QPointer<WsJob>> m_waiting; // evals waiting for the session id
    bool m_opening = false;
    bool m_restoredDuringResume = false; // the server said so itself; don't say it twice
    bool m_closed = false;
};

} // namespace coderoom::client
