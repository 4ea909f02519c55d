// The private PostgreSQL server the store tests run against: it starts unprivileged on a Unix
// socket only, serves QPSQL, stops by pid, and comes back on the same data after a stop or a
// crash.
#include "pgserver.h"

#include <QDir>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTest>

#include <csignal>

using namespace coderoom::tests;

namespace {

// One statement on a fresh connection; the first column of the first row, or the error.
QString queryOnce(const PgServer &server, const QString &database, const QString &sql)
{
    QString out;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QPSQL"), QStringLiteral("t"));
        db.setHostName(server.socketDir());
        db.setPort(server.port());
        db.setUserName(PgServer::user());
        db.setDatabaseName(database);
        if (!db.open()) {
            out = QStringLiteral("error: ") + db.lastError().text();
        } else {
            QSqlQuery query(db);
            if (!query.exec(sql))
                out = QStringLiteral("error: ") + query.lastError().text();
            else if (query.next())
                out = query.value(0).toString();
        }
    }
    QSqlDatabase::removeDatabase(QStringLiteral("t"));
    return out;
}

} // namespace

class TestPgServer : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QSqlDatabase::isDriverAvailable(QStringLiteral("QPSQL")),
                 "Qt's PostgreSQL driver is missing (apt-get install libqt6sql6-psql)");
    }

    void startsUnprivilegedOnASocketOnly()
    {
        PgServer server;
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        QVERIFY(server.pid() > 0);
        QVERIFY(QFile::exists(QDir(server.socketDir()).filePath(QStringLiteral(".s.PGSQL.5432"))));
        QCOMPARE(queryOnce(server, QStringLiteral("postgres"), QStringLiteral("SELECT 40 + 2")),
                 QStringLiteral("42"));
        // No TCP listener: listen_addresses is empty.
        QCOMPARE(queryOnce(server, QStringLiteral("postgres"),
                           QStringLiteral("SHOW listen_addresses")),
                 QString());
        if (::geteuid() == 0) {
            QFile status(QStringLiteral("/proc/%1/status").arg(server.pid()));
            QVERIFY(status.open(QIODevice::ReadOnly));
            QVERIFY(status.readAll().contains("Uid:\t65534"));
        }
        const qint64 pid = server.pid();
        server.stop();
        QVERIFY(!server.isRunning());
        QVERIFY(::kill(pid_t(pid), 0) != 0); // gone, by pid
    }

    void aDatabaseCreatedSurvivesAStopAndACrash()
    {
        PgServer server;
        QString error;
        QVERIFY2(server.start(&error), qPrintable(error));
        QVERIFY2(server.createDatabase(QStringLiteral("coderoom_test"), &error), qPrintable(error));
        QCOMPARE(queryOnce(server, QStringLiteral("coderoom_test"),
                           QStringLiteral("CREATE TABLE t (v int)")),
                 QString());
        QCOMPARE(queryOnce(server, QStringLiteral("coderoom_test"),
                           QStringLiteral("INSERT INTO t VALUES (7) RETURNING v")),
                 QStringLiteral("7"));
        server.stop();
        QVERIFY(queryOnce(server, QStringLiteral("coderoom_test"), QStringLiteral("SELECT 1"))
                    .startsWith(QStringLiteral("error: ")));
        QVERIFY2(server.start(&error), qPrintable(error));
        QCOMPARE(queryOnce(server, QStringLiteral("coderoom_test"),
                           QStringLiteral("SELECT v FROM t")),
                 QStringLiteral("7"));
        server.kill(); // the postmaster dies; its backends notice and go
        QVERIFY2(server.start(&error), qPrintable(error + server.log()));
        QCOMPARE(queryOnce(server, QStringLiteral("coderoom_test"),
                           QStringLiteral("SELECT v FROM t")),
                 QStringLiteral("7"));
    }
};

QTEST_GUILESS_MAIN(TestPgServer)
#include "tst_pgserver.moc"
