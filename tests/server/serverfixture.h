#pragma once

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>
#include <QWebSocket>

// Test helpers: a real coderoomd child on port 0, and a WebSocket client that collects frames.
namespace coderoom::tests {

class ServerProcess
{
public:
    ServerProcess();
    explicit ServerProcess(const QString &dataDir); // reuse a data dir (server restart tests)
    ~ServerProcess();

    // Starts coderoomd with these extra flags; waits for the "listening on" line.
    bool start(const QStringList &extraArgs = {}, int timeoutMs = 20000);
    // The open-files limits the next start() gives the server (as LimitNOFILE= would).
    void setDescriptorLimits(quint64 soft, quint64 hard);
    void terminate();                // SIGTERM
    void kill();                     // SIGKILL: no chance to clean up
    bool waitForExit(int timeoutMs); // true once it is not running (also if it already ended)
    int exitCode() const { return m_process.exitCode(); }
    QProcess::ExitStatus exitStatus() const { return m_process.exitStatus(); }

    QUrl url() const { return m_url; }
    quint16 port() const { return quint16(m_url.port()); }
    QString token() const;
    QString dataDir() const { return m_dataDirPath; }
    QByteArray stderrText();
    qint64 pid() const { return m_process.processId(); }

private:
    QTemporaryDir m_dataDir;
    QString m_dataDirPath;
    QProcess m_process;
    QByteArray m_stderr;
    QUrl m_url;
    quint64 m_softFiles = 0; // 0: inherited
    quint64 m_hardFiles = 0;
};

class WsClient : public QObject
{
    Q_OBJECT
public:
    explicit WsClient(QObject *parent = nullptr);

    bool open(const QUrl &url, int timeoutMs = 5000);
    bool hello(const QString &token, const QString &user = QStringLiteral("alice"));
    void send(const QJsonObject &message);
    void sendRaw(const QByteArray &frame);
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }

    // Waits for the first not-yet-consumed message matching; consumes and returns it.
    QJsonObject waitFor(const QString &type, const QString &request = {}, int timeoutMs = 15000);
    QList<QJsonObject> received() const { return m_received; }
    // All messages of a request, in arrival order.
    QList<QJsonObject> eventsOf(const QString &request) const;
    // Sends run, waits for accepted, returns the request id (empty on refusal).
    QString run(const QString &code, const QJsonObject &extra = {});
    QJsonObject runToResult(const QString &code, const QJsonObject &extra = {},
                            int timeoutMs = 30000);
    // Opens a session (new for a language, or resumes an id); returns session.opened or error.
    QJsonObject openSession(const QJsonObject &fields, int timeoutMs = 30000);
    // Sends eval, returns its request id (empty when refused).
    QString eval(const QString &session, const QString &code);
    QJsonObject evalToResult(const QString &session, const QString &code, int timeoutMs = 30000);

    QWebSocket &socket() { return m_socket; }

private:
    // The first not-yet-consumed reply carrying this request id (accepted, a result, an error,
    // session.opened), without consuming it; -1 after timeoutMs or once disconnected.
    qsizetype waitForId(const QString &id, int timeoutMs);
    // The request id our "accepted" carries; empty when refused (the refusal stays unconsumed
    // for the caller) or when nothing came within 15 s.
    QString waitForAccepted(const QString &id);

    QWebSocket m_socket;
    QList<QJsonObject> m_received;
    QList<qint64> m_arrivalMs;
    QList<bool> m_consumed;
    int m_nextId = 0;
};

// Processes on the machine whose command line contains `marker`.
QList<qint64> processesWithMarker(const QByteArray &marker);
// Processes whose name (/proc/PID/comm) is exactly `name`.
QList<qint64> processesNamed(const QByteArray &name);

// One plain HTTP GET on its own connection to 127.0.0.1:port; the body, or empty.
QByteArray httpGet(quint16 port, const QByteArray &path);

} // namespace coderoom::tests
