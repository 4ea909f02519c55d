#include "pgserver.h"

#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QUuid>

#include <csignal>
#include <grp.h>
#include <unistd.h>

namespace coderoom::tests {

namespace {

constexpr uid_t unprivileged = 65534; // nobody, nogroup: postgres will not run as root

// In the forked child, before exec: become nobody when we are root.
void dropRootInChild()
{
    if (::geteuid() != 0)
        return;
    if (::setgroups(0, nullptr) != 0 || ::setgid(unprivileged) != 0 ||
        ::setuid(unprivileged) != 0)
        ::_exit(126);
}

} // namespace

PgServer::PgServer()
{
    // Debian: /usr/lib/postgresql/<major>/bin; the newest one installed.
    const QStringList versions =
        QDir(QStringLiteral("/usr/lib/postgresql")).entryList(QDir::Dirs | QDir::NoDotAndDotDot,
                                                             QDir::Name);
    for (const QString &version : versions) {
        if (QFile::exists(QStringLiteral("/usr/lib/postgresql/%1/bin/postgres").arg(version)))
            m_binDir = QStringLiteral("/usr/lib/postgresql/%1/bin").arg(version);
    }
    m_process.setProcessChannelMode(QProcess::MergedChannels);
    m_process.setChildProcessModifier(dropRootInChild);
    // Its log is read as it comes: a full pipe would stop the server.
    QObject::connect(&m_process, &QProcess::readyRead, &m_process,
                     [this] { m_log += m_process.readAll(); });
}

PgServer::~PgServer()
{
    stop();
}

QString PgServer::binary(const char *name) const
{
    return m_binDir + QLatin1Char('/') + QLatin1String(name);
}

bool PgServer::initdb(QString *error)
{
    if (m_binDir.isEmpty()) {
        *error = QStringLiteral("no PostgreSQL under /usr/lib/postgresql (apt-get install "
                                "postgresql)");
        return false;
    }
    if (!m_dir.isValid()) {
        *error = QStringLiteral("no temporary directory");
        return false;
    }
    if (::geteuid() == 0 && ::chown(QFile::encodeName(m_dir.path()).constData(), unprivileged,
                                    unprivileged) != 0) {
        *error = QStringLiteral("cannot hand %1 to nobody").arg(m_dir.path());
        return false;
    }
    QProcess init;
    init.setProcessChannelMode(QProcess::MergedChannels);
    init.setChildProcessModifier(dropRootInChild);
    init.start(binary("initdb"),
               {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")), QStringLiteral("-U"),
                user(), QStringLiteral("--auth=trust"), QStringLiteral("-E"),
                QStringLiteral("UTF8"), QStringLiteral("--locale=C.UTF-8"),
                QStringLiteral("--no-sync")});
    if (!init.waitForFinished(120000) || init.exitStatus() != QProcess::NormalExit ||
        init.exitCode() != 0) {
        *error = QStringLiteral("initdb failed: ") + QString::fromUtf8(init.readAll());
        return false;
    }
    m_initialized = true;
    return true;
}

bool PgServer::start(QString *error)
{
    if (isRunning())
        return true;
    if (!m_initialized && !initdb(error))
        return false;
    m_log.clear();
    m_process.start(binary("postgres"),
                    {QStringLiteral("-D"), m_dir.filePath(QStringLiteral("data")),
                     QStringLiteral("-k"), m_dir.path(), QStringLiteral("-p"),
                     QString::number(port()), QStringLiteral("-c"),
                     QStringLiteral("listen_addresses="), QStringLiteral("-c"),
                     QStringLiteral("max_connections=50")});
    if (!m_process.waitForStarted(10000)) {
        *error = QStringLiteral("postgres did not start: ") + m_process.errorString();
        return false;
    }
    // Ready when it says so on its log (no polling of the socket).
    const QDeadlineTimer deadline(60000);
    while (!m_log.contains("database system is ready to accept connections")) {
        if (m_process.state() != QProcess::Running || deadline.hasExpired() ||
            !m_process.waitForReadyRead(int(std::max<qint64>(deadline.remainingTime(), 1)))) {
            m_log += m_process.readAll();
            if (m_log.contains("database system is ready to accept connections"))
                break;
            *error = QStringLiteral("postgres is not ready: ") + QString::fromUtf8(m_log);
            stop();
            return false;
        }
        m_log += m_process.readAll();
    }
    return true;
}

void PgServer::stop()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    ::kill(pid_t(m_process.processId()), SIGINT); // fast shutdown: clients are cut off
    if (!m_process.waitForFinished(30000)) {
        m_process.kill();
        m_process.waitForFinished(10000);
    }
    m_log += m_process.readAll();
}

void PgServer::kill()
{
    if (m_process.state() == QProcess::NotRunning)
        return;
    m_process.kill();
    m_process.waitForFinished(10000);
    m_log += m_process.readAll();
}

QString PgServer::uri(const QString &database) const
{
    return QStringLiteral("postgresql:///%1?host=%2&port=%3&user=%4")
        .arg(database, socketDir())
        .arg(port())
        .arg(user());
}

bool PgServer::createDatabase(const QString &name, QString *error)
{
    const QString connection = QUuid::createUuid().toString();
    bool ok = false;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), connection);
        db.setHostName(socketDir());
        db.setPort(port());
        db.setUserName(user());
        db.setDatabaseName(QStringLiteral("postgres"));
        if (!db.open()) {
            *error = db.lastError().text();
        } else {
            QSqlQuery query(db);
            ok = query.exec(QStringLiteral("CREATE DATABASE \"%1\"").arg(name));
            if (!ok)
                *error = query.lastError().text();
        }
    }
    QSqlDatabase::removeDatabase(connection);
    return ok;
}

} // namespace coderoom::tests
