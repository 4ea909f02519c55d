#include "frontdoor.h"

#include <QDateTime>
#include <QFile>
#include <QLoggingCategory>
#include <QPointer>
#include <QSocketNotifier>
#include <QSslCertificate>
#include <QSslKey>
#include <QSslSocket>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <cerrno>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcFront, "coderoom.server.transport")

namespace coderoom::transport {

namespace {

struct ParsedHead
{
    QByteArray method;
    QString path;
    QString query;
    QList<std::pair<QByteArray, QByteArray>> headers;
    bool valid = false;
};

ParsedHead parseHead(const QByteArray &head)
{
    ParsedHead out;
    const QList<QByteArray> lines = head.split('\n');
    if (lines.isEmpty())
        return out;
    const QList<QByteArray> requestLine = lines.first().trimmed().split(' ');
    if (requestLine.size() != 3 || !requestLine[2].startsWith("HTTP/1."))
        return out;
    out.method = requestLine[0];
    const QString target = QString::fromLatin1(requestLine[1]);
    const qsizetype q = target.indexOf(QLatin1Char('?'));
    out.path = q < 0 ? target : target.left(q);
    out.query = q < 0 ? QString() : target.mid(q + 1);
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty())
            continue;
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            return out;
        out.headers.append({line.left(colon).trimmed().toLower(), line.mid(colon + 1).trimmed()});
    }
    out.valid = out.path.startsWith(QLatin1Char('/'));
    return out;
}

void writeResponse(QTcpSocket *socket, const HttpResponse &response)
{
    QByteArray out = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' +
                     reasonPhrase(response.status) + "\r\n";
    out += "Content-Type: " + response.contentType + "\r\n";
    out += "Content-Length: " + QByteArray::number(response.body.size()) + "\r\n";
    out += "Connection: close\r\n";
    for (const auto &[name, value] : response.headers)
        out += name + ": " + value + "\r\n";
    out += "\r\n";
    out += response.body;
    socket->write(out);
    socket->disconnectFromHost();
}

} // namespace

QByteArray HttpRequest::header(const QByteArray &lowerName) const
{
    for (const auto &[name, value] : headers) {
        if (name == lowerName)
            return value;
    }
    return {};
}

HttpResponse HttpResponse::json(int status, const QByteArray &body)
{
    return {status, "application/json", body, {}};
}

HttpResponse HttpResponse::text(int status, const QByteArray &body)
{
    return {status, "text/plain; charset=utf-8", body, {}};
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 200:
        return "OK";
    case 204:
        return "No Content";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 408:
        return "Request Timeout";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Status";
    }
}

FrontDoor::FrontDoor(const FrontConfig &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_ws(new QWebSocketServer(QStringLiteral("coderoom"), QWebSocketServer::NonSecureMode, this))
{
    connect(m_ws, &QWebSocketServer::newConnection, this, [this] {
        while (QWebSocket *socket = m_ws->nextPendingConnection())
            emit webSocketConnected(socket);
    });
}

FrontDoor::~FrontDoor()
{
    stopListening();
    if (m_spareFd >= 0)
        ::close(m_spareFd);
}

bool FrontDoor::listen(QString *error)
{
    if (isTls() && !reloadTls(error))
        return false;
    // QTcpServer binds and listens (addresses, IPv6, SO_REUSEADDR); the front door keeps a
    // duplicate of the socket and accepts on it itself (acceptPending()).
    QTcpServer binder;
    if (!binder.listen(m_config.address, m_config.port)) {
        if (error)
            *error = binder.errorString();
        return false;
    }
    m_listenFd = ::fcntl(int(binder.socketDescriptor()), F_DUPFD_CLOEXEC, 0);
    m_port = binder.serverPort();
    m_address = binder.serverAddress();
    binder.close(); // the duplicate keeps the socket listening
    if (m_listenFd < 0) {
        if (error)
            *error = qt_error_string(errno);
        return false;
    }
    ::fcntl(m_listenFd, F_SETFL, ::fcntl(m_listenFd, F_GETFL) | O_NONBLOCK);
    if (m_spareFd < 0)
        m_spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    m_acceptNotifier = new QSocketNotifier(m_listenFd, QSocketNotifier::Read, this);
    connect(m_acceptNotifier, &QSocketNotifier::activated, this, &FrontDoor::acceptPending);
    return true;
}

void FrontDoor::stopListening()
{
    delete std::exchange(m_acceptNotifier, nullptr);
    if (m_listenFd >= 0)
        ::close(std::exchange(m_listenFd, -1));
}

quint16 FrontDoor::port() const
{
    return m_port;
}

QHostAddress FrontDoor::address() const
{
    return m_address;
}

void FrontDoor::acceptPending()
{
    // A burst is taken in one go, bounded so that a flood of connections cannot keep the event
    // loop from everyone else.
    for (int taken = 0; taken < kAcceptBurst && m_listenFd >= 0; ++taken) {
        const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd >= 0) {
            adopt(fd);
            continue;
        }
        switch (errno) {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue; // that connection is gone; the next may be fine
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            if (refuseOne())
                continue;
            // Not even the spare helped: wait rather than spin on a listening socket that
            // stays readable.
            qCWarning(lcFront).noquote()
                << "accept failed:" << qt_error_string(errno) << "- accepting again in 200 ms";
            m_acceptNotifier->setEnabled(false);
            QTimer::singleShot(200, this, [this] {
                if (m_acceptNotifier)
                    m_acceptNotifier->setEnabled(true);
            });
            return;
        default:
            return; // EAGAIN: nothing more waiting
        }
    }
}

bool FrontDoor::refuseOne()
{
    // Out of descriptors: give the spare back, take the waiting connection with it, tell it
    // why in plain words, close it and take the spare again.
    if (m_spareFd >= 0)
        ::close(std::exchange(m_spareFd, -1));
    const int fd = ::accept4(m_listenFd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    const int acceptErrno = errno;
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    if (fd >= 0) {
        if (!isTls()) {
            const QByteArray body =
                QByteArrayLiteral("{\"message\":\"The server has no free connection slots right "
                                  "now (its limit of ") +
                QByteArray::number(qulonglong(limit.rlim_cur)) +
                QByteArrayLiteral(" open files is reached). Try again in a few seconds.\"}\n");
            const QByteArray answer = QByteArrayLiteral("HTTP/1.1 503 Service Unavailable\r\n"
                                                        "Content-Type: application/json\r\n"
                                                        "Retry-After: 5\r\nConnection: close\r\n"
                                                        "Content-Length: ") +
                                      QByteArray::number(body.size()) + "\r\n\r\n" + body;
            // Best effort, never blocking: a fresh socket's buffer takes a few hundred bytes.
            [[maybe_unused]] const ssize_t n =
                ::send(fd, answer.constData(), size_t(answer.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
        }
        ::shutdown(fd, SHUT_RDWR);
        ::close(fd);
        ++m_refused;
        ++m_refusedUnlogged;
    }
    m_spareFd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    if (m_refusedUnlogged > 0 && (m_lastRefusalLogMs < 0 || now - m_lastRefusalLogMs >= 1000)) {
        qCWarning(lcFront).noquote()
            << QStringLiteral("refused %1 connection(s): out of file descriptors (limit %2; "
                              "%3 refused since start)")
                   .arg(m_refusedUnlogged)
                   .arg(qulonglong(limit.rlim_cur))
                   .arg(m_refused);
        m_refusedUnlogged = 0;
        m_lastRefusalLogMs = now;
    }
    errno = acceptErrno;
    return fd >= 0;
}

bool FrontDoor::isTls() const
{
    return !m_config.tlsCertificate.isEmpty();
}

bool FrontDoor::reloadTls(QString *error)
{
    if (!isTls()) {
        if (error)
            *error = QStringLiteral("TLS is not configured (no tls_certificate and tls_key)");
        return false;
    }
    QString why;
    const std::optional<QSslConfiguration> configuration =
        loadTlsConfiguration(m_config.tlsCertificate, m_config.tlsKey, &why);
    if (!configuration) {
        qCWarning(lcFront).noquote() << "TLS certificate and key not (re)loaded:" << why;
        if (error)
            *error = why;
        return false;
    }
    m_ssl = *configuration;
    const QSslCertificate leaf = configuration->localCertificate();
    qCInfo(lcFront).noquote() << "TLS certificate" << leaf.subjectDisplayName() << "valid until"
                              << leaf.expiryDate().toString(Qt::ISODate) << "loaded from"
                              << m_config.tlsCertificate;
    if (leaf.expiryDate() < QDateTime::currentDateTimeUtc())
        qCWarning(lcFront).noquote() << "the TLS certificate has expired: clients will refuse it";
    return true;
}

std::optional<QSslConfiguration> FrontDoor::loadTlsConfiguration(const QString &certificateFile,
                                                                 const QString &keyFile,
                                                                 QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!QSslSocket::supportsSsl())
        return fail(QStringLiteral("TLS is not available: Qt found no TLS backend (OpenSSL 3)"));
    QFile certFile(certificateFile);
    if (!certFile.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("tls_certificate %1: cannot read it: %2")
                        .arg(certificateFile, certFile.errorString()));
    const QList<QSslCertificate> chain = QSslCertificate::fromData(certFile.readAll(), QSsl::Pem);
    if (chain.isEmpty() || chain.constFirst().isNull())
        return fail(
            QStringLiteral("tls_certificate %1: no PEM certificate in it").arg(certificateFile));

    QFile key(keyFile);
    if (!key.open(QIODevice::ReadOnly))
        return fail(
            QStringLiteral("tls_key %1: cannot read it: %2").arg(keyFile, key.errorString()));
    const QByteArray keyPem = key.readAll();
    if (keyPem.contains("ENCRYPTED"))
        return fail(QStringLiteral("tls_key %1: the key is protected by a passphrase; the server "
                                   "needs it without one (openssl pkey -in KEY -out PLAIN)")
                        .arg(keyFile));
    QSslKey privateKey;
    for (const QSsl::KeyAlgorithm algorithm : {QSsl::Rsa, QSsl::Ec, QSsl::Dsa}) {
        privateKey = QSslKey(keyPem, algorithm, QSsl::Pem, QSsl::PrivateKey);
        if (!privateKey.isNull())
            break;
    }
    if (privateKey.isNull())
        return fail(
            QStringLiteral("tls_key %1: not a PEM private key (RSA, EC or DSA)").arg(keyFile));
    // Same algorithm is all Qt lets us check here; a key of another certificate of the same
    // kind fails every handshake (logged as "Private key does not certify public key").
    if (privateKey.algorithm() != chain.constFirst().publicKey().algorithm())
        return fail(QStringLiteral("tls_key %1 does not belong to tls_certificate %2 (the key "
                                   "types differ)")
                        .arg(keyFile, certificateFile));

    QSslConfiguration configuration = QSslConfiguration::defaultConfiguration();
    configuration.setLocalCertificateChain(chain);
    configuration.setPrivateKey(privateKey);
    configuration.setPeerVerifyMode(QSslSocket::VerifyNone); // no client certificates
    configuration.setProtocol(QSsl::TlsV1_2OrLater);
    return configuration;
}

void FrontDoor::adopt(int fd)
{
    QTcpSocket *socket = isTls() ? new QSslSocket(this) : new QTcpSocket(this);
    if (!socket->setSocketDescriptor(fd)) {
        qCWarning(lcFront) << "cannot take an accepted socket:" << socket->errorString();
        ::close(fd);
        delete socket;
        return;
    }
    // Nagle off: several small frames of one reply must not wait for a delayed ACK.
    socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
    auto *timeout = new QTimer(socket);
    timeout->setSingleShot(true);
    connect(timeout, &QTimer::timeout, socket, [socket] {
        // No handshake yet: nothing can be said in a language the peer understands.
        const auto *tls = qobject_cast<QSslSocket *>(socket);
        if (tls && !tls->isEncrypted()) {
            socket->abort();
            return;
        }
        writeResponse(socket, HttpResponse::text(408, "request head not received in time\n"));
    });
    if (auto *tls = qobject_cast<QSslSocket *>(socket)) {
        connect(tls, &QAbstractSocket::errorOccurred, this,
                [tls](QAbstractSocket::SocketError error) {
                    if (tls->isEncrypted() && error != QAbstractSocket::SslInternalError)
                        return;
                    // A plain-text client, a bad TLS version, a refused certificate: this
                    // connection ends here, the server does not notice.
                    qCDebug(lcFront)
                        << "TLS handshake failed with" << tls->peerAddress() << tls->errorString();
                    tls->abort();
                });
        // The same port speaks only TLS: the handshake starts at once; peek() and readyRead
        // then deliver decrypted bytes like a plain socket's.
        tls->setSslConfiguration(m_ssl);
        tls->startServerEncryption();
    }
    timeout->start(m_config.headTimeoutMs);
    connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
    connect(socket, &QTcpSocket::readyRead, this, [this, socket] { inspect(socket); });
    if (socket->bytesAvailable())
        inspect(socket);
}

void FrontDoor::inspect(QTcpSocket *socket)
{
    // Peek, never read: an upgrade must reach QWebSocketServer with the handshake untouched.
    const QByteArray seen = socket->peek(m_config.maxHeadBytes + 4);
    const qsizetype end = seen.indexOf("\r\n\r\n");
    if (end < 0) {
        if (seen.size() > m_config.maxHeadBytes) {
            socket->disconnect(this);
            writeResponse(socket, HttpResponse::text(431, "request head too large\n"));
        }
        return;
    }
    const QByteArray head = seen.left(end);
    const ParsedHead parsed = parseHead(head);
    const bool upgrade =
        parsed.valid && parsed.path == m_config.webSocketPath && parsed.method == "GET";
    bool wantsWebSocket = false;
    for (const auto &[name, value] : parsed.headers) {
        if (name == "upgrade" && value.toLower() == "websocket")
            wantsWebSocket = true;
    }
    if (upgrade && wantsWebSocket) {
        socket->disconnect(this);
        delete socket->findChild<QTimer *>();
        disconnect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        m_ws->handleConnection(socket);
        return;
    }
    answerHttp(socket, end + 4, head);
}

void FrontDoor::answerHttp(QTcpSocket *socket, qsizetype headLength, const QByteArray &head)
{
    const ParsedHead parsed = parseHead(head);
    if (!parsed.valid) {
        socket->disconnect(this);
        writeResponse(socket, HttpResponse::text(400, "malformed HTTP request\n"));
        return;
    }
    qint64 contentLength = 0;
    for (const auto &[name, value] : parsed.headers) {
        if (name == "content-length") {
            bool ok = false;
            contentLength = value.toLongLong(&ok);
            if (!ok || contentLength < 0) {
                socket->disconnect(this);
                writeResponse(socket, HttpResponse::text(400, "bad Content-Length\n"));
                return;
            }
        }
    }
    if (contentLength > m_config.maxBodyBytes) {
        socket->disconnect(this);
        writeResponse(socket, HttpResponse::json(413, R"({"message":"request body too large"})"));
        return;
    }
    if (socket->bytesAvailable() < headLength + contentLength)
        return; // wait for the rest of the body
    socket->disconnect(this);
    delete socket->findChild<QTimer *>();
    socket->read(headLength);

    HttpRequest request;
    request.method = parsed.method;
    request.path = parsed.path;
    request.query = parsed.query;
    request.headers = parsed.headers;
    request.body = socket->read(contentLength);
    request.peer = socket->peerAddress();

    if (!m_httpHandler) {
        writeResponse(socket, HttpResponse::text(404, "not found\n"));
        return;
    }
    QPointer<QTcpSocket> guard(socket);
    m_httpHandler(request, [guard](const HttpResponse &response) {
        if (guard && guard->state() == QAbstractSocket::ConnectedState)
            writeResponse(guard, response);
    });
}

} // namespace coderoom::transport
