#pragma once

#include "codeservice.h"

#include <QList>
#include <QString>
#include <QUrl>

#include <memory>

// CodeService over the Coderoom WebSocket protocol (docs/protocol.md), for a classroom server
// or the private local one.
//
// Connection state machine (CodeService::stateChanged on each step):
//
//   Offline --open()--> Connecting --socket up, hello sent, welcome--> Connected
//   Connecting --redirect--> Connecting (the new URL; at most maxRedirects hops, else Offline)
//   Connecting --unauthorized / protocol mismatch / bad settings--> Offline (retrying can't help)
//   Connecting --certificate refused (untrusted, wrong host name, expired)--> Offline, with a
//     sentence naming the problem; the hello (and its token) is only sent once TLS is verified
//   Offline <--CA file missing, unreadable or without a certificate-- open() (nothing is sent)
//   Connecting or Connected --socket lost, refused, handshake timeout--> Reconnecting
//   Reconnecting --retryInSeconds counts down once a second (1, 2, 4, 8, 15, 15 ... s)-->
//   Connecting any --close()--> Offline
//
// On Connected every session that was open is resumed with session.open{session:id}; a reply
// with restored:true is reported as ReplSession::restored(Restart, ...). Jobs in flight when the
// connection drops finish with status internal_error ("connection lost") - never silence.
// Runs asked for while Connecting/Reconnecting wait and are sent once Connected; while Offline
// they finish at once with internal_error.
namespace coderoom::client {

// Remote-mode settings (the UI's settings dialog fills these).
struct ClientSettings
{
    QUrl url; // ws://host:port/api/v1/ws or wss://...
    QString user;
    QString token;
    QString caFile; // optional PEM/DER file with the CA that signed the server's certificate
                    // (trusted in addition to the system's CAs)
    QString label;  // state detail while Connected; empty: "host:port"
    int maxRedirects = 3;
    int handshakeTimeoutMs = 10000;
    QList<int> backoffSeconds{1, 2, 4, 8, 15}; // the last one repeats
};

class WsCodeServicePrivate;
class WsJob;
class WsReplSession;

class WsCodeService final : public app::CodeService
{
    Q_OBJECT
public:
    explicit WsCodeService(QObject *parent = nullptr);
    explicit WsCodeService(const ClientSettings &settings, QObject *parent = nullptr);
    ~WsCodeService() override;

    void setSettings(const ClientSettings &settings); // takes effect at the next open()
    ClientSettings settings() const;

    // (Re)connect now. A live connection is dropped first (its jobs in flight finish with
    // internal_error); open sessions are kept and resumed on the new connection.
    void open();
    // Go Offline: jobs in flight and waiting jobs finish with internal_error; sessions are kept
    // and resumed by the next open().
    void close(const QString &reason = {});

    // Local mode: the server is (re)starting and its URL is not known yet. State Starting with
    // this detail; runs and sessions wait (jobs in flight finish with internal_error) until
    // open() is called with the new URL.
    void awaitServer(const QString &detail);

    // The URL of the current or last connection (after redirects).
    QUrl currentUrl() const;

protected:
    app::Job *doRun(const app::RunSpec &spec) override;
    app::ReplSession *doOpenSession(const QString &language) override;

private:
    friend class WsCodeServicePrivate;
    friend class WsJob;
    friend class WsReplSession;
    // CodeService's setters are protected; the private class reaches them through these.
    void applyState(app::ConnectionState state, const QString &detail, int retryIn = 0);
    void applyLanguages(const QList<protocol::LanguageInfo> &languages,
                        const protocol::ServerLimits &limits);

    std::unique_ptr<WsCodeServicePrivate> d;
};

} // namespace coderoom::client
