#pragma once

#include <QProcess>
#include <QString>
#include <QTemporaryDir>

#include <memory>

// A private PostgreSQL server for tests: initdb in a temporary directory, run as an unprivileged
// user (nobody when the tests run as root: postgres refuses root), a Unix socket in that
// directory and no TCP port at all. Started and stopped by pid; a stopped server can be started
// again on the same data (the "database went away for a few seconds" tests).
namespace coderoom::tests {

class PgServer
{
public:
    PgServer();
    ~PgServer(); // stops the server if it runs

    // initdb on the first call, then postgres; returns once it accepts connections.
    bool start(QString *error);
    void stop();          // fast shutdown (SIGINT), SIGKILL if it does not go
    void kill();          // SIGKILL now: a crashed database server
    bool isRunning() const { return m_process.state() == QProcess::Running; }
    qint64 pid() const { return m_process.processId(); }

    QString socketDir() const { return m_dir.path(); }
    int port() const { return 5432; } // names the socket file only; nothing listens on TCP
    static QString user() { return QStringLiteral("coderoom"); }
    // A libpq URI for database `name` on this server (a keyword string works too).
    QString uri(const QString &database = QStringLiteral("postgres")) const;
    // CREATE DATABASE through the postgres database; false + *error on failure.
    bool createDatabase(const QString &name, QString *error);
    QString log() const { return QString::fromUtf8(m_log); }

private:
    bool initdb(QString *error);
    QString binary(const char *name) const;

    QTemporaryDir m_dir;
    QString m_binDir;
    bool m_initialized = false;
    QProcess m_process;
    QByteArray m_log;
};

} // namespace coderoom::tests
