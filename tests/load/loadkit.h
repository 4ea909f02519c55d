#pragma once

#include <QByteArray>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QTcpSocket>
#include <QTimer>
#include <QUrl>

class QWebSocket;

// Helpers for the load and fault tests: what the server costs (RSS), whether it still answers
// (/health polled while the load runs), a client that stops reading, and a recorder that keeps
// every frame a WebSocket receives with its arrival time.
namespace coderoom::tests {

// Resident set size of a process in KiB (VmRSS in /proc/PID/status); -1 when unreadable.
qint64 rssKb(qint64 pid);

// Polls GET /health on a timer while the test's event loop runs (QTRY_* and WsClient waits
// spin it). Each probe is a fresh TCP connection, so a probe measures accept + one event-loop
// turn of the server. A probe that takes longer than the timeout counts as a failure.
class HealthProbe final : public QObject
{
    Q_OBJECT
public:
    HealthProbe(quint16 port, int intervalMs, int timeoutMs, QObject *parent = nullptr);
    ~HealthProbe() override;

    void start();
    void stop();

    int answered() const { return m_answered; }
    int failed() const { return m_failed; }      // no 200, or no answer within the timeout
    qint64 worstMs() const { return m_worstMs; } // slowest answered probe
    qint64 inFlightMs() const;                   // age of the probe now open, 0 if none

private:
    void probe();
    void finishProbe(bool ok);
    void dropProbe(); // ends the probe in flight without counting it

    quint16 m_port;
    int m_timeoutMs;
    QTimer m_timer;
    QPointer<QTcpSocket> m_socket;
    QByteArray m_reply;
    QElapsedTimer m_probeClock;
    int m_answered = 0;
    int m_failed = 0;
    qint64 m_worstMs = 0;
};

// One WebSocket client built on a bare TCP socket, so the test can stop reading: after
// stall(), the socket's read buffer is capped and never drained, the kernel buffers fill and
// the server's writes to this client back up. It speaks just enough WebSocket (RFC 6455
// handshake, masked text frames out) to say hello and send one request.
class StalledClient final : public QObject
{
    Q_OBJECT
public:
    explicit StalledClient(QObject *parent = nullptr);

    bool open(const QUrl &url, int timeoutMs = 5000); // TCP connect + upgrade (101)
    void sendText(const QJsonObject &message);
    // Reads (and discards) until `needle` shows up in the raw stream; server frames are not
    // masked, so a JSON fragment such as "\"type\":\"started\"" appears as is.
    bool waitForText(const QByteArray &needle, int timeoutMs);
    void stall(); // from now on nothing more is read
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }

private:
    QTcpSocket m_socket;
};

// Keeps every text frame a QWebSocket receives, with its arrival time on a shared clock.
class FrameRecorder final : public QObject
{
    Q_OBJECT
public:
    struct Frame
    {
        qint64 atMs = 0;
        QJsonObject message;
    };

    FrameRecorder(QWebSocket *socket, const QElapsedTimer *clock, QObject *parent = nullptr);

    const QList<Frame> &frames() const { return m_frames; }
    // Frames whose "type" is `type` and whose "id" is `id`.
    QList<Frame> byTypeAndId(const QString &type, const QString &id) const;
    int count(const QString &type) const { return m_counts.value(type); }

private:
    QList<Frame> m_frames;
    QHash<QString, int> m_counts;
};

} // namespace coderoom::tests
