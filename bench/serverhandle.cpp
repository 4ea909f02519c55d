#include "serverhandle.h"

#include "procinfo.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>

namespace coderoom::bench {

ServerHandle::~ServerHandle()
{
    stop();
}

bool ServerHandle::start(const QString &program, const QStringList &extraArgs, QString *error)
{
    if (!m_dataDir) {
        m_dataDir = std::make_unique<QTemporaryDir>(QDir::tempPath() +
                                                    QStringLiteral("/coderoom-bench-XXXXXX"));
        if (!m_dataDir->isValid()) {
            *error = QStringLiteral("cannot create a temporary data dir");
            return false;
        }
    }
    m_program = program;
    m_args = QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                         QStringLiteral("--data-dir"), m_dataDir->path()} +
             // One bench user sends far more than a student may (600 jobs a minute).
             QStringList{QStringLiteral("--jobs-per-minute"), QStringLiteral("1000000")} +
             extraArgs;
    m_process = std::make_unique<QProcess>();
    m_process->setProgram(program);
    m_process->setArguments(m_args);
    // The server's log goes to our stderr, where it does not disturb the tables on stdout.
    m_process->setProcessChannelMode(QProcess::ForwardedErrorChannel);
    m_process->start();
    if (!m_process->waitForStarted(10000)) {
        *error = QStringLiteral("cannot start %1: %2").arg(program, m_process->errorString());
        return false;
    }
    QDeadlineTimer deadline(30000);
    QByteArray line;
    while (!deadline.hasExpired() && !m_process->canReadLine())
        m_process->waitForReadyRead(static_cast<int>(deadline.remainingTime()));
    line = m_process->readLine().trimmed();
    const QByteArray prefix = "coderoomd listening on ";
    if (!line.startsWith(prefix)) {
        *error = QStringLiteral("coderoomd did not announce itself: ") + QString::fromUtf8(line);
        return false;
    }
    m_url = QUrl(QString::fromUtf8(line.mid(prefix.size())));
    QFile tokenFile(QDir(m_dataDir->path()).filePath(QStringLiteral("token")));
    if (!tokenFile.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read the server's token");
        return false;
    }
    m_token = QString::fromUtf8(tokenFile.readAll().trimmed());
    return true;
}

void ServerHandle::attach(const QUrl &url, const QString &token)
{
    m_url = url;
    m_token = token;
}

bool ServerHandle::restart(QString *error)
{
    if (!m_process) {
        *error = QStringLiteral("cannot restart an outside server");
        return false;
    }
    m_process->terminate();
    m_process->waitForFinished(30000);
    const QStringList extra = m_args.mid(4);
    return start(m_program, extra, error);
}

void ServerHandle::stop()
{
    if (!m_process || m_process->state() == QProcess::NotRunning)
        return;
    m_process->terminate();
    if (!m_process->waitForFinished(15000)) {
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

qint64 ServerHandle::pid() const
{
    return m_process ? m_process->processId() : 0;
}

UsageWindow::UsageWindow(qint64 pid)
    : m_pid(pid)
{
    restart();
}

void UsageWindow::restart()
{
    m_timer.start();
    const CpuTimes t = m_pid > 0 ? cpuTimes(m_pid) : CpuTimes{};
    m_self0 = t.selfSeconds;
    m_children0 = t.childrenSeconds;
}

double UsageWindow::wallSeconds() const
{
    return static_cast<double>(m_timer.nsecsElapsed()) / 1e9;
}

double UsageWindow::serverCpuSeconds() const
{
    return m_pid > 0 ? cpuTimes(m_pid).selfSeconds - m_self0 : 0.0;
}

double UsageWindow::childrenCpuSeconds() const
{
    return m_pid > 0 ? cpuTimes(m_pid).childrenSeconds - m_children0 : 0.0;
}

double UsageWindow::serverCpuPercent() const
{
    const double wall = wallSeconds();
    return wall > 0.0 ? 100.0 * serverCpuSeconds() / wall : 0.0;
}

qint64 UsageWindow::rssKb() const
{
    return m_pid > 0 ? bench::rssKb(m_pid) : 0;
}

QString usageText(const UsageWindow &usage)
{
    if (usage.rssKb() <= 0)
        return QStringLiteral("n/a");
    return QStringLiteral("coderoomd %1% CPU (of one core), RSS %2 MB, sandboxes %3 s CPU")
        .arg(QString::number(usage.serverCpuPercent(), 'f', 1),
             QString::number(static_cast<double>(usage.rssKb()) / 1024.0, 'f', 1),
             QString::number(usage.childrenCpuSeconds(), 'f', 2));
}

} // namespace coderoom::bench
