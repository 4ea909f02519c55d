#include "loadkit.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QWebSocket>

namespace coderoom::tests {

qint64 rssKb(qint64 pid)
{
    QFile status(QStringLiteral("/proc/%1/status").arg(pid));
    if (!status.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : status.readAll().split('\n')) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

HealthProbe::HealthProbe(quint16 port, int intervalMs, int timeoutMs, QObject *parent)
    : QObject(parent)
    , m_port(port)
    , m_timeoutMs(timeoutMs)
{
    m_timer.setInterval(intervalMs);
    connect(&m_timer, &QTimer::timeout, this, &HealthProbe::probe);
}

HealthProbe::~HealthProbe()
{
    delete m_socket;
}

void HealthProbe::start()
{
    probe();
    m_timer.start();
}

void HealthProbe::stop()
{
    m_timer.stop();
    if (!m_socket)
        return;
    // A probe sent a moment ago has not failed; only one already past its timeout has (counting
    // the first kind failed a clean-clone run with every answer within 13 ms).
    if (m_probeClock.elapsed() > m_timeoutMs)
        finishProbe(false);
    else
        dropProbe();
}

qint64 HealthProbe::inFlightMs() const
{
    return m_socket ? m_probeClock.elapsed() : 0;
}

void HealthProbe::probe()
{
    if (m_socket) {
        // The previous probe is still open: it fails once it passes the timeout; meanwhile
        // no second one, so a stalled server is counted once per timeout, not per tick.
        if (m_probeClock.elapsed() > m_timeoutMs)
            finishProbe(false);
        return;
    }
    m_reply.clear();
    m_socket = new QTcpSocket(this);
    m_probeClock.start();
    connect(m_socket, &QTcpSocket::connected, m_socket, [this] {
        m_socket->write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
    });
    connect(m_socket, &QTcpSocket::readyRead, m_socket, [this] {
        m_reply += m_socket->readAll();
        if (m_reply.contains("\r\n\r\n") && m_reply.contains("\"ok\""))
            finishProbe(m_reply.startsWith("HTTP/1.1 200"));
    });
    connect(m_socket, &QTcpSocket::errorOccurred, m_socket, [this] { finishProbe(false); });
    m_socket->connectToHost(QStringLiteral("127.0.0.1"), m_port);
}

void HealthProbe::finishProbe(bool ok)
{
    const qint64 ms = m_probeClock.elapsed();
    if (ok && ms <= m_timeoutMs) {
        ++m_answered;
        m_worstMs = std::max(m_worstMs, ms);
    } else {
        ++m_failed;
        m_worstMs = std::max(m_worstMs, ms);
    }
    dropProbe();
}

void HealthProbe::dropProbe()
{
    QTcpSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(); // the lambdas too: a late signal must not end the next probe
    socket->abort();
    socket->deleteLater();
}

StalledClient::StalledClient(QObject *parent)
    : QObject(parent)
{}

bool StalledClient::open(const QUrl &url, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    m_socket.connectToHost(url.host(), quint16(url.port()));
    if (!m_socket.waitForConnected(int(deadline.remainingTime())))
        return false;
    QByteArray key(16, '\0');
    for (char &c : key)
        c = char(QRandomGenerator::global()->bounded(256));
    m_socket.write("GET " + url.path().toUtf8() + " HTTP/1.1\r\nHost: " + url.host().toUtf8() +
                   "\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " +
                   key.toBase64() + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
    QByteArray head;
    while (!head.contains("\r\n\r\n") && !deadline.hasExpired()) {
        // Read the upgrade reply byte by byte: frames may follow it in the same segment and
        // must stay in the socket.
        if (m_socket.bytesAvailable() == 0 &&
            !m_socket.waitForReadyRead(int(deadline.remainingTime())))
            break;
        char c = 0;
        while (m_socket.getChar(&c)) {
            head += c;
            if (head.endsWith("\r\n\r\n"))
                break;
        }
    }
    return head.startsWith("HTTP/1.1 101");
}

void StalledClient::sendText(const QJsonObject &message)
{
    const QByteArray payload = QJsonDocument(message).toJson(QJsonDocument::Compact);
    QByteArray frame;
    frame += char(0x81); // FIN + text
    const qsizetype n = payload.size();
    if (n < 126) {
        frame += char(0x80 | n);
    } else if (n < 65536) {
        frame += char(0x80 | 126);
        frame += char((n >> 8) & 0xff);
        frame += char(n & 0xff);
    } else {
        frame += char(0x80 | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            frame += char((quint64(n) >> shift) & 0xff);
    }
    // Client frames must be masked (RFC 6455 5.3).
    QByteArray mask(4, '\0');
    for (char &c : mask)
        c = char(QRandomGenerator::global()->bounded(256));
    frame += mask;
    for (qsizetype i = 0; i < n; ++i)
        frame += char(payload[i] ^ mask[i % 4]);
    m_socket.write(frame);
    m_socket.flush();
}

bool StalledClient::waitForText(const QByteArray &needle, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    QByteArray seen;
    while (!deadline.hasExpired()) {
        seen += m_socket.readAll();
        if (seen.contains(needle))
            return true;
        seen = seen.right(needle.size()); // keep a tail for a needle split across reads
        if (!m_socket.waitForReadyRead(int(deadline.remainingTime())))
            break;
    }
    return false;
}

void StalledClient::stall()
{
    // Qt stops reading from the kernel once this many bytes wait unread in its buffer.
    m_socket.setReadBufferSize(4096);
}

FrameRecorder::FrameRecorder(QWebSocket *socket, const QElapsedTimer *clock, QObject *parent)
    : QObject(parent)
{
    connect(socket, &QWebSocket::textMessageReceived, this, [this, clock](const QString &text) {
        const QJsonObject message = QJsonDocument::fromJson(text.toUtf8()).object();
        m_frames.append({clock->elapsed(), message});
        ++m_counts[message.value(QStringLiteral("type")).toString()];
    });
}

QList<FrameRecorder::Frame> FrameRecorder::byTypeAndId(const QString &type, const QString &id) const
{
    QList<Frame> out;
    for (const Frame &f : m_frames) {
        if (f.message.value(QStringLiteral("type")).toString() == type &&
            f.message.value(QStringLiteral("id")).toString() == id)
            out.append(f);
    }
    return out;
}

} // namespace coderoom::tests
