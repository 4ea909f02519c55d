// SIGHUP reloads the configuration of the real coderoomd: a changed quota applies to the next
// request, a key that needs a restart says so, a broken file changes nothing and the server
// keeps serving.
#include "serverfixture.h"

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>

using namespace coderoom::tests;

class TestReload : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void aRaisedQuotaAppliesAfterSighup();
    void aKeyThatNeedsARestartSaysSo();
    void aBrokenFileKeepsTheOldConfiguration_data();
    void aBrokenFileKeepsTheOldConfiguration();

private:
    bool writeConfig(const QByteArray &text);
    void hangUp();
    // A program that waits for input: it holds a job slot without using the CPU (until the
    // language's wall limit, 10 s by default).
    QString startWaitingJob()
    {
        return m_client.run(QStringLiteral("import sys\nsys.stdin.read()\n"));
    }

    QTemporaryDir m_dir;
    QString m_configPath;
    ServerProcess m_server;
    WsClient m_client;
};

bool TestReload::writeConfig(const QByteArray &text)
{
    QFile file(m_configPath);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(text) == text.size();
}

void TestReload::hangUp()
{
    QVERIFY(::kill(pid_t(m_server.pid()), SIGHUP) == 0);
}

void TestReload::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_configPath = m_dir.filePath("coderoomd.conf");
    QVERIFY(writeConfig("max_per_user = 1\nwarm_pool = 0\n"));
    QVERIFY(m_server.start({"--config", m_configPath}));
    QVERIFY(m_client.open(m_server.url()));
    QVERIFY(m_client.hello(m_server.token(), "carol"));
}

void TestReload::cleanupTestCase()
{
    m_server.terminate();
    QVERIFY(m_server.waitForExit(15000));
}

void TestReload::aRaisedQuotaAppliesAfterSighup()
{
    QVERIFY(!startWaitingJob().isEmpty());
    QVERIFY2(startWaitingJob().isEmpty(), "max_per_user = 1 refuses a second job");
    const QJsonObject refused = m_client.waitFor("result", {}, 10000);
    QCOMPARE(refused.value("status").toString(), QString("overloaded"));
    QVERIFY(refused.value("message").toString().contains("You already have 1 program"));

    QVERIFY(writeConfig("max_per_user = 2\nwarm_pool = 0\n"));
    hangUp();
    QTRY_VERIFY_WITH_TIMEOUT(
        m_server.stderrText().contains("max_per_user = 2 (was 1): took effect"), 15000);
    QVERIFY2(!startWaitingJob().isEmpty(), "the raised quota admits a second job");
    QVERIFY2(startWaitingJob().isEmpty(), "and still refuses a third");
    QVERIFY(m_client.waitFor("result", {}, 10000)
                .value("message")
                .toString()
                .contains("You already have 2 program"));
}

void TestReload::aKeyThatNeedsARestartSaysSo()
{
    QVERIFY(writeConfig("max_per_user = 2\nwarm_pool = 3\n"));
    hangUp();
    QTRY_VERIFY_WITH_TIMEOUT(
        m_server.stderrText().contains("warm_pool = 3 needs a restart; 0 stays in use until then"),
        15000);
}

void TestReload::aBrokenFileKeepsTheOldConfiguration_data()
{
    QTest::addColumn<QByteArray>("file");
    QTest::addColumn<QByteArray>("why");
    QTest::addRow("a value that is not a number is refused")
        << QByteArray("max_per_user = lots\n") << QByteArray("max_per_user must be a positive");
    QTest::addRow("an unknown key is refused")
        << QByteArray("max_per_user = 5\nmax_pre_user = 5\n") << QByteArray("unknown key");
    QTest::addRow("a missing file is refused") << QByteArray() << QByteArray("cannot read");
}

void TestReload::aBrokenFileKeepsTheOldConfiguration()
{
    QFETCH(QByteArray, file);
    QFETCH(QByteArray, why);
    // A user of its own per row holding two jobs (the quota, max_per_user = 2), both waiting
    // for input: they hold no worker meanwhile (thinking time), and they end when the row's
    // student disconnects, so earlier rows' jobs never count here.
    WsClient student;
    QVERIFY(student.open(m_server.url()));
    QVERIFY(student.hello(m_server.token(), QString::fromLatin1(QTest::currentDataTag())
                                                .left(20)
                                                .replace(QLatin1Char(' '), QLatin1Char('-'))));
    const QString waiting = QStringLiteral("import sys\nsys.stdin.read()\n");
    QVERIFY(!student.run(waiting).isEmpty());
    QVERIFY(!student.run(waiting).isEmpty());

    const qsizetype before = m_server.stderrText().count("REFUSED");
    if (file.isEmpty())
        QVERIFY(QFile::remove(m_configPath));
    else
        QVERIFY(writeConfig(file));
    hangUp();
    QTRY_VERIFY_WITH_TIMEOUT(m_server.stderrText().count("REFUSED") > before, 15000);
    QTRY_VERIFY_WITH_TIMEOUT(m_server.stderrText().contains(why), 15000);

    // Still serving, still with max_per_user = 2, not the file's 5 nor the default 8.
    QVERIFY2(student.run(waiting).isEmpty(), "max_per_user is still 2");
    QVERIFY(student.waitFor("result", {}, 10000)
                .value("message")
                .toString()
                .contains("You already have 2 program"));
    WsClient other;
    QVERIFY(other.open(m_server.url()));
    QVERIFY(other.hello(m_server.token(), "dave"));
    QCOMPARE(other.runToResult("print(6 * 7)").value("status").toString(), QString("ok"));
    QVERIFY(writeConfig("max_per_user = 2\nwarm_pool = 0\n"));
}

QTEST_MAIN(TestReload)
#include "tst_reload.moc"
