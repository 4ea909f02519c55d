#include "serverfixture.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>

#include <csignal>
#include <sys/resource.h>

namespace coderoom::tests {

ServerProcess::ServerProcess()
    : m_dataDirPath(m_dataDir.path())
{}

ServerProcess::ServerProcess(const QString &dataDir)
    : m_dataDirPath(dataDir)
{}

ServerProcess::~ServerProcess()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.kill();
        m_process.waitForFinished(5000);
    }
}

bool ServerProcess::start(const QStringList &extraArgs, int timeoutMs)
{
    QStringList args{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                     QStringLiteral("--data-dir"), m_dataDirPath};
    args += extraArgs;
    m_process.setProgram(QStringLiteral(CODEROOMD_PATH));
    m_process.setArguments(args);
    m_process.setProcessChannelMode(QProcess::SeparateChannels);
    if (m_softFiles > 0) {
        m_process.setChildProcessModifier([soft = m_softFiles, hard = m_hardFiles] {
            const rlimit limit{rlim_t(soft), rlim_t(hard)};
            ::setrlimit(RLIMIT_NOFILE, &limit);
        });
    }
    m_process.start();
    if (!m_process.waitForStarted(timeoutMs))
        return false;
    QDeadlineTimer deadline(timeoutMs);
    QByteArray line;
    while (!deadline.hasExpired()) {
        if (m_process.canReadLine()) {
            line = m_process.readLine().trimmed();
            break;
        }
        if (!m_process.waitForReadyRead(int(deadline.remainingTime())))
            break;
    }
    const QByteArray prefix = "coderoomd listening on ";
    if (!line.startsWith(prefix)) {
        m_stderr += m_process.readAllStandardError();
        qInfo() << "coderoomd did not announce itself:" << line << m_stderr;
        return false;
    }
    m_url = QUrl(QString::fromUtf8(line.mid(prefix.size())));
    return m_url.isValid() && m_url.port() > 0;
}

void ServerProcess::setDescriptorLimits(quint64 soft, quint64 hard)
{
    m_softFiles = soft;
    m_hardFiles = hard;
}

void ServerProcess::terminate()
{
    ::kill(pid_t(m_process.processId()), SIGTERM);
}

void ServerProcess::kill()
{
    ::kill(pid_t(m_process.processId()), SIGKILL);
}

bool ServerProcess::waitForExit(int timeoutMs)
{
    return m_process.state() == QProcess::NotRunning || m_process.waitForFinished(timeoutMs);
}

QString ServerProcess::token() const
{
    QFile file(QDir(m_dataDirPath).filePath(QStringLiteral("token")));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(file.readAll().trimmed());
}

QByteArray ServerProcess::stderrText()
{
    m_stderr += m_process.readAllStandardError();
    return m_stderr;
}

WsClient::WsClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        m_received.append(QJsonDocument::fromJson(text.toUtf8()).object());
        m_consumed.append(false);
    });
}

bool WsClient::open(const QUrl &url, int timeoutMs)
{
    QSignalSpy connected(&m_socket, &QWebSocket::connected);
    m_socket.open(url);
    return connected.wait(timeoutMs) || isConnected();
}

bool WsClient::hello(const QString &token, const QString &user)
{
    send({{QStringLiteral("type"), QStringLiteral("hello")},
          {QStringLiteral("protocol"), 1},
          {QStringLiteral("token"), token},
          {QStringLiteral("user"), user},
          {QStringLiteral("client"), QStringLiteral("coderoom-tests/0.1")}});
    return waitFor(QStringLiteral("welcome")).value(QStringLiteral("type")).toString() ==
           QLatin1String("welcome");
}

void WsClient::send(const QJsonObject &message)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
}

void WsClient::sendRaw(const QByteArray &frame)
{
    m_socket.sendTextMessage(QString::fromUtf8(frame));
}

QJsonObject WsClient::waitFor(const QString &type, const QString &request, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        for (qsizetype i = 0; i < m_received.size(); ++i) {
            const QJsonObject &m = m_received[i];
            if (m_consumed[i] || m.value(QStringLiteral("type")).toString() != type)
                continue;
            if (!request.isEmpty() && m.value(QStringLiteral("request")).toString() != request)
                continue;
            m_consumed[i] = true;
            return m;
        }
        if (deadline.hasExpired() || !isConnected())
            return {};
        // Event-loop turns while polling a condition (what QTRY_* does), not a guessed delay.
        QTest::qWait(2);
    }
}

QList<QJsonObject> WsClient::eventsOf(const QString &request) const
{
    QList<QJsonObject> out;
    for (const QJsonObject &m : m_received) {
        if (m.value(QStringLiteral("request")).toString() == request)
            out.append(m);
    }
    return out;
}

qsizetype WsClient::waitForId(const QString &id, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    for (;;) {
        for (qsizetype i = 0; i < m_received.size(); ++i) {
            if (!m_consumed[i] && m_received[i].value(QStringLiteral("id")).toString() == id)
                return i;
        }
        // Looked at once more after a disconnect: a refusal may arrive just before the close.
        if (deadline.hasExpired() || !isConnected())
            return -1;
        QTest::qWait(2);
    }
}

QString WsClient::waitForAccepted(const QString &id)
{
    const qsizetype i = waitForId(id, 15000);
    if (i < 0 ||
        m_received[i].value(QStringLiteral("type")).toString() != QLatin1String("accepted"))
        return {}; // refused: the result or error with our id stays for the caller
    m_consumed[i] = true;
    return m_received[i].value(QStringLiteral("request")).toString();
}

QString WsClient::run(const QString &code, const QJsonObject &extra)
{
    const QString id = QStringLiteral("c%1").arg(++m_nextId);
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("run")},
                        {QStringLiteral("id"), id},
                        {QStringLiteral("language"), QStringLiteral("python")},
                        {QStringLiteral("files"),
                         QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("main.py")},
                                                {QStringLiteral("content"), code}}}}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        message.insert(it.key(), it.value());
    send(message);
    return waitForAccepted(id);
}

QJsonObject WsClient::runToResult(const QString &code, const QJsonObject &extra, int timeoutMs)
{
    const QString request = run(code, extra);
    if (request.isEmpty())
        return {};
    return waitFor(QStringLiteral("result"), request, timeoutMs);
}

QJsonObject WsClient::openSession(const QJsonObject &fields, int timeoutMs)
{
    const QString id = QStringLiteral("s%1").arg(++m_nextId);
    QJsonObject message{{QStringLiteral("type"), QStringLiteral("session.open")},
                        {QStringLiteral("id"), id}};
    for (auto it = fields.begin(); it != fields.end(); ++it)
        message.insert(it.key(), it.value());
    send(message);
    const qsizetype i = waitForId(id, timeoutMs);
    if (i < 0)
        return {};
    m_consumed[i] = true;
    return m_received[i];
}

QString WsClient::eval(const QString &session, const QString &code)
{
    const QString id = QStringLiteral("e%1").arg(++m_nextId);
    send({{QStringLiteral("type"), QStringLiteral("eval")},
          {QStringLiteral("id"), id},
          {QStringLiteral("session"), session},
          {QStringLiteral("code"), code}});
    return waitForAccepted(id);
}

QJsonObject WsClient::evalToResult(const QString &session, const QString &code, int timeoutMs)
{
    const QString request = eval(session, code);
    if (request.isEmpty())
        return {};
    return waitFor(QStringLiteral("result"), request, timeoutMs);
}

namespace {

// The pids in /proc whose /proc/PID/<file> satisfies matches(contents).
template<typename Matches> QList<qint64> processesWhere(const QString &file, Matches matches)
{
    QList<qint64> out;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 pid = entry.toLongLong(&ok);
        if (!ok)
            continue;
        QFile f(QStringLiteral("/proc/%1/%2").arg(pid).arg(file));
        if (f.open(QIODevice::ReadOnly) && matches(f.readAll()))
            out.append(pid);
    }
    return out;
}

} // namespace

QList<qint64> processesNamed(const QByteArray &name)
{
    return processesWhere(QStringLiteral("comm"),
                          [&](const QByteArray &comm) { return comm.trimmed() == name; });
}

QList<qint64> processesWithMarker(const QByteArray &marker)
{
    return processesWhere(QStringLiteral("cmdline"),
                          [&](const QByteArray &cmdline) { return cmdline.contains(marker); });
}

QByteArray httpGet(quint16 port, const QByteArray &path)
{
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!socket.waitForConnected(5000))
        return {};
    socket.write("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    QByteArray answer;
    while (socket.state() == QAbstractSocket::ConnectedState && socket.waitForReadyRead(10000))
        answer += socket.readAll();
    answer += socket.readAll();
    const qsizetype body = answer.indexOf("\r\n\r\n");
    return body < 0 ? QByteArray() : answer.mid(body + 4);
}

} // namespace coderoom::tests
