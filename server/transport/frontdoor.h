#pragma once

#include "httptypes.h"

#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

#include <optional>

class QTcpServer;
class QTcpSocket;
class QWebSocket;
class QWebSocketServer;

// One TCP port serving both HTTP and the WebSocket endpoint /api/v1/ws.
//
// Qt's QWebSocketServer owns its sockets and leaves Nagle on, so a reply sent as several frames
// waits ~40 ms for the peer's delayed ACK. We accept TCP ourselves, set TCP_NODELAY, peek at the
// request head, and either hand the untouched socket to QWebSocketServer::handleConnection()
// (WebSocket upgrade on the endpoint) or answer plain HTTP through the HttpHandler.
//
// Per accepted socket: ReadingHead --(upgrade to /api/v1/ws)--> handed to QWebSocketServer
//                                   --(other request)--> ReadingBody -> Handling -> reply, close
//                                   --(bad head, too large, 10 s silence)--> 400/431/408, close
//
// TLS (tlsCertificate + tlsKey set): the same port speaks only TLS (wss:// and https://). Each
// accepted socket is a QSslSocket that starts server encryption at once; the states above begin
// when it is `encrypted` (peek then sees decrypted bytes). A failed handshake (e.g. a plain
// ws:// client) or no handshake within the head timeout aborts that socket alone.
// reloadTls() swaps certificate and key for new connections; open ones keep theirs.
//
// Out of descriptors: Qt pauses accepting for good when accept() fails with EMFILE/ENFILE, and
// the waiting connection would sit in the backlog with every later one. The front door keeps
// one spare descriptor: on such a failure it frees it, accepts the connection, answers a plain
// 503 ("no free connection slots", Retry-After; TLS: closed), logs one line, takes the spare
// back and accepts again. When even that fails, accepting resumes after a pause, never in a
// busy loop.
namespace coderoom::transport {

struct FrontConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8765;
    qint64 maxHeadBytes = 16 * 1024;
    qint64 maxBodyBytes = 2 * 1024 * 1024;
    int headTimeoutMs = 10000;
    QString webSocketPath = QStringLiteral("/api/v1/ws");
    QString tlsCertificate; // PEM file, leaf first then its chain; empty: no TLS
    QString tlsKey;         // PEM private key file (no passphrase)
};

class FrontDoor final : public QObject
{
    Q_OBJECT
public:
    explicit FrontDoor(const FrontConfig &config, QObject *parent = nullptr);
    ~FrontDoor() override;

    void setHttpHandler(HttpHandler handler) { m_httpHandler = std::move(handler); }
    bool listen(QString *error);
    void stopListening(); // stop accepting; existing connections stay
    quint16 port() const;
    QHostAddress address() const;

    // TLS is configured (wss:// and https:// on this port).
    bool isTls() const;
    // Re-reads tlsCertificate and tlsKey (SIGHUP). On failure the old ones stay in use and
    // *error says why. New connections use the new ones; open connections are not touched.
    bool reloadTls(QString *error);
    // Reads a certificate (chain) and key into a server configuration, or says what is wrong
    // with them ("tls_key /etc/x.pem: not a PEM private key (RSA, EC or DSA)").
    static std::optional<QSslConfiguration>
    loadTlsConfiguration(const QString &certificateFile, const QString &keyFile, QString *error);

signals:
    // A WebSocket client finished its handshake. The receiver takes ownership.
    void webSocketConnected(QWebSocket *socket);

private:
    void onNewConnection();
    void onAcceptError();
    void inspect(QTcpSocket *socket);
    void answerHttp(QTcpSocket *socket, qsizetype headLength, const QByteArray &head);

    FrontConfig m_config;
    QTcpServer *m_tcp = nullptr;
    QWebSocketServer *m_ws = nullptr;
    HttpHandler m_httpHandler;
    int m_spareFd = -1;           // /dev/null, given up to refuse one connection when out of fds
    qint64 m_refused = 0;         // connections refused for want of descriptors (this run)
    qint64 m_refusedUnlogged = 0; // refused since the last log line (one line a second at most)
    qint64 m_lastRefusalLogMs = -1;
};

} // namespace coderoom::transport
