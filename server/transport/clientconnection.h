#pragma once

#include "codec.h"

#include <QHostAddress>
#include <QObject>

class QWebSocket;

// One WebSocket client: frames in, typed messages out; typed messages in, frames out. It only
// routes: malformed frames and messages before hello are answered here because they are
// protocol rules; everything else goes to whoever listens to received().
//
// States: AwaitingHello --(hello: received() emitted; core calls accept() or refuse())-->
//         Ready --(socket closed / close())--> Closed (disconnected() emitted once).
// In AwaitingHello every message but hello gets error{hello_required}.
namespace coderoom::transport {

class ClientConnection final : public QObject
{
    Q_OBJECT
public:
    // Takes ownership of the socket.
    ClientConnection(QWebSocket *socket, const protocol::CodecLimits &limits,
                     QObject *parent = nullptr);
    ~ClientConnection() override;

    QString id() const { return m_id; }
    QHostAddress peerAddress() const { return m_peer; }
    QString user() const { return m_user; }
    bool isReady() const { return !m_user.isEmpty(); }

    void accept(const QString &user); // hello was good: messages now flow
    void send(const protocol::ServerMessage &message);
    void sendError(protocol::ErrorCode code, const QString &message, const QString &id = {});
    void close(); // flushes what was sent, then closes; disconnected() follows

    // Bytes queued to the peer and not yet written: a slow reader shows here first.
    qint64 backlogBytes() const;

signals:
    void received(const coderoom::protocol::ClientMessage &message);
    void disconnected();

private:
    void onFrame(const QByteArray &frame);

    QWebSocket *m_socket;
    protocol::CodecLimits m_limits;
    QString m_id;
    QHostAddress m_peer;
    QString m_user;
    bool m_closed = false;
};

} // namespace coderoom::transport
