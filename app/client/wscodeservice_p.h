#pragma once

#include "wscodeservice.h"

#include <QAbstractSocket>
#include <QHash>
#include <QPointer>
#include <QSslCertificate>
#include <QSslError>
#include <QTimer>

class QWebSocket;

namespace coderoom::client {

class WsJob;
class WsReplSession;

// The connection and the routing tables of WsCodeService. Replies are matched by the client id
// we put on each request; job events by the server's request id (from `accepted`).
class WsCodeServicePrivate
{
public:
    enum class Phase
    {
        Idle,
        Opening,
        Handshaking,
        Connected,
        Waiting
    };
    enum class ReplyKind
    {
        Open,
        Resume,
        Restart,
        Close,
        Complete
    };
    struct SessionReply
    {
        ReplyKind kind = ReplyKind::Open;
        QPointer<WsReplSession> session;
    };

    explicit WsCodeServicePrivate(WsCodeService *service);

    QString newId();
    QList<WsReplSession *> liveSessions(); // also forgets deleted ones
    bool isConnected() const { return phase == Phase::Connected; }
    bool send(const protocol::ClientMessage &message);
    void submit(WsJob *job); // send now, or wait for the connection
    void forget(WsJob *job); // drop from every table
    void sendSessionRequest(ReplyKind kind, WsReplSession *session, protocol::ClientMessage m);

    void connectTo(const QUrl &url);
    void dropSocket();
    void onSocketConnected();
    void onSocketGone(const QString &reason);
    void onTextMessage(const QString &text);
    void onWelcome(const protocol::Welcome &welcome);
    void onRedirect(const protocol::Redirect &redirect);
    void onError(const protocol::Error &error);
    void onSessionOpened(const protocol::SessionOpened &opened);
    void onResult(const protocol::Result &result);
    void scheduleRetry(const QString &reason);
    void goOffline(const QString &reason);
    void failInFlight(const QString &message);
    void failWaiting(const QString &message);
    QString displayName() const;
    // The CA file's certificates, or none and *error says why (missing, unreadable, no cert).
    static QList<QSslCertificate> loadCaCertificates(const QString &path, QString *error);
    QString describeTlsErrors(const QList<QSslError> &errors) const; // human, names the problem

    WsCodeService *q;
    ClientSettings settings;
    QWebSocket *socket = nullptr;
    QUrl currentUrl;
    Phase phase = Phase::Idle;
    int redirects = 0;
    int attempt = 0;
    int retryIn = 0;
    QString retryReason;
    QTimer retryTimer;     // one tick a second while Waiting
    QTimer handshakeTimer; // Opening/Handshaking must reach welcome in time
    quint64 nextId = 1;
    QString helloId;
    QString tlsProblem; // from sslErrors; the handshake failure that follows reports it

    QList<QPointer<WsJob>> unsent;
    QHash<QString, QPointer<WsJob>> jobsById;      // sent, until their result
    QHash<QString, QPointer<WsJob>> jobsByRequest; // accepted, until their result
    QHash<QString, SessionReply> sessionReplies;
    QList<QPointer<WsReplSession>> sessions;
};

} // namespace coderoom::client
