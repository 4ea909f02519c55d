#pragma once

#include "httptypes.h"

#include <QHostAddress>
#include <QObject>
#include <QPointer>
#include <QSslConfiguration>

#include <optional>

class QSocketNotifier;
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
// Accepting is the front door's own (a QSocketNotifier on the listening socket, accept4 in a
// bounded burst): out of descriptors, QTcpServer either paused accepting for good or, in other
// runs, spun on the readable listening socket at 100% CPU (both seen with Qt 6.4). On EMFILE/
// ENFILE the front door frees one spare descriptor, accepts the waiting connection with it,
// answers a plain 503 ("no free connection slots", Retry-After; over TLS it is just closed),
// logs one line (at most one a second, with counts), takes the spare back and goes on. When
// even that fails, accepting resumes after 200 ms, never in a busy loop.
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
    void acceptPending();
    bool refuseOne(); // false: even the spare descriptor did not get the connection
    void adopt(int fd);
    void inspect(QTcpSocket *socket);
    void answerHttp(QTcpSocket *socket, qsizetype headLength, const QByteArray &head);

    FrontConfig m_config;
    static constexpr int kAcceptBurst = 64;
    int m_listenFd = -1;
    QSocketNotifier *m_acceptNotifier = nullptr;
    quint16 m_port = 0;
    QHostAddress m_address;
    QSslConfiguration m_ssl; // TLS: the certificate and key new connections get
    QWebSocketServer *m_ws = nullptr;
    HttpHandler m_httpHandler;
    int m_spareFd = -1;           // /dev/null, given up to refuse one connection when out of fds
    qint64 m_refused = 0;         // connections refused for want of descriptors (this run)
    qint64 m_refusedUnlogged = 0; // refused since the last log line (one line a second at most)
    qint64 m_lastRefusalLogMs = -1;
};

} // namespace coderoom::transport
