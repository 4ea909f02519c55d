// Java interactive sessions through the real coderoomd: the sandboxed JShell driver
// (resources/drivers/JavaDriver.java) behind a real WebSocket client. State across cells,
// incomplete input, exceptions, crash replay, interrupts. One server for the whole file; each
// test shares one session (a JVM start is seconds on a loaded machine: the open gets room, and
// the rows use names of their own); the crash test opens its own.
#include "serverfixture.h"

#include <QElapsedTimer>
#include <QJsonObject>
#include <QTest>

#include <csignal>
#include <utility>

using namespace coderoom::tests;

namespace {
constexpr int OpenTimeoutMs = 60000;
constexpr int EvalTimeoutMs = 30000;
} // namespace

class TestSessionsJava : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanup();
    void cleanupTestCase();
    void cellsRunInOneLiveSession_data();
    void cellsRunInOneLiveSession();
    void killedInterpreterIsRebuiltWithItsVariables();
    void interruptStopsABusyCellAndKeepsTheSession_data();
    void interruptStopsABusyCellAndKeepsTheSession();

private:
    QString openJava();
    QString shared(); // the session the rows share, opened on first use
    QString status(const QString &session, const QString &code);

    QStringList m_opened; // closed after each test: a user may keep only a few live sessions
    QString m_shared;
    ServerProcess m_server;
    WsClient m_client;
};

void TestSessionsJava::initTestCase()
{
    QVERIFY(m_server.start());
    QVERIFY(m_client.open(m_server.url()));
    QVERIFY(m_client.hello(m_server.token()));
}

void TestSessionsJava::cleanup()
{
    for (const QString &session : std::exchange(m_opened, {})) {
        m_client.send(
            {{"type", "session.close"}, {"id", QString("close-" + session)}, {"session", session}});
        m_client.waitFor("session.closed", {}, 10000);
    }
}

void TestSessionsJava::cleanupTestCase()
{
    if (!m_shared.isEmpty())
        m_opened = {std::exchange(m_shared, {})};
    cleanup();
    m_server.terminate();
    QVERIFY(m_server.waitForExit(15000));
}

QString TestSessionsJava::openJava()
{
    const QJsonObject opened = m_client.openSession({{"language", "java"}}, OpenTimeoutMs);
    if (opened.value("type").toString() != "session.opened") {
        qWarning() << "session.open failed:" << opened;
        return {};
    }
    const QString session = opened.value("session").toString();
    m_opened << session;
    return session;
}

QString TestSessionsJava::shared()
{
    if (m_shared.isEmpty()) {
        m_shared = openJava();
        m_opened.removeAll(m_shared);
    }
    return m_shared;
}

QString TestSessionsJava::status(const QString &session, const QString &code)
{
    return m_client.evalToResult(session, code, EvalTimeoutMs).value("status").toString();
}

void TestSessionsJava::cellsRunInOneLiveSession_data()
{
    QTest::addColumn<QStringList>("cells");
    QTest::addColumn<QString>("lastStatus");
    QTest::addColumn<QString>("lastValue");
    QTest::addColumn<QString>("messageHas");

    QTest::addRow("a variable set in one cell is there in the next")
        << QStringList{"int x = 41;", "x + 1"} << "ok"
        << "42"
        << "";
    QTest::addRow("a method defined earlier can be called")
        << QStringList{"int twice(int n) { return 2 * n; }", "twice(21)"} << "ok"
        << "42"
        << "";
    QTest::addRow("an unfinished block is incomplete and runs nothing")
        << QStringList{"int y = 1;", "if (y > 0) {\n  y = 2;"} << "incomplete"
        << ""
        << "";
    QTest::addRow("the incomplete cell did not run") << QStringList{"y"} << "ok"
                                                     << "1"
                                                     << "";
    QTest::addRow("an exception is an error naming it")
        << QStringList{"int z = 5;", "Integer.parseInt(\"five\")"} << "error"
        << ""
        << "NumberFormatException";
    QTest::addRow("the session goes on after an exception") << QStringList{"z * 2"} << "ok"
                                                            << "10"
                                                            << "";
}

void TestSessionsJava::cellsRunInOneLiveSession()
{
    QFETCH(QStringList, cells);
    QFETCH(QString, lastStatus);
    QFETCH(QString, lastValue);
    QFETCH(QString, messageHas);
    const QString session = shared();
    QVERIFY(!session.isEmpty());
    QJsonObject result;
    for (const QString &cell : cells) {
        result = m_client.evalToResult(session, cell, EvalTimeoutMs);
        QVERIFY2(!result.isEmpty(), qPrintable(cell));
    }
    QCOMPARE(result.value("status").toString(), lastStatus);
    QCOMPARE(result.value("value").toString(), lastValue);
    QVERIFY2(result.value("message").toString().contains(messageHas),
             qPrintable(result.value("message").toString()));
}

void TestSessionsJava::killedInterpreterIsRebuiltWithItsVariables()
{
    const QString session = openJava();
    QVERIFY(!session.isEmpty());
    // A name of our own on the JVM (its main thread's comm) so the test kills exactly it.
    const QByteArray tag = "jcrk" + QByteArray::number(QCoreApplication::applicationPid() % 100000);
    QCOMPARE(status(session, "int total = 6 * 7;"), QString("ok"));
    QCOMPARE(status(session, QStringLiteral("java.nio.file.Files.writeString("
                                            "java.nio.file.Path.of(\"/proc/self/comm\"), \"%1\");")
                                 .arg(QString::fromLatin1(tag))),
             QString("ok"));
    const QList<qint64> pids = processesNamed(tag);
    QCOMPARE(pids.size(), 1);
    ::kill(pid_t(pids.first()), SIGKILL);
    const QJsonObject restored = m_client.waitFor("session.restored", {}, OpenTimeoutMs);
    QCOMPARE(restored.value("session").toString(), session);
    QCOMPARE(restored.value("reason").toString(), QString("crash"));
    QCOMPARE(restored.value("replayed").toInt(), 2);
    QCOMPARE(m_client.evalToResult(session, "total", EvalTimeoutMs).value("value").toString(),
             QString("42"));
}

void TestSessionsJava::interruptStopsABusyCellAndKeepsTheSession_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<bool>("waitsForInput");

    QTest::addRow("an infinite loop is stopped") << "while (true) {}" << false;
    QTest::addRow("a long sleep is stopped") << "Thread.sleep(100000);" << false;
    QTest::addRow("a pending System.in read is stopped")
        << "new java.util.Scanner(System.in).nextLine()" << true;
}

void TestSessionsJava::interruptStopsABusyCellAndKeepsTheSession()
{
    QFETCH(QString, code);
    QFETCH(bool, waitsForInput);
    const QString session = shared();
    QVERIFY(!session.isEmpty());
    QCOMPARE(status(session, "int kept = 7;"), QString("ok"));
    const QString request = m_client.eval(session, code);
    QVERIFY(!request.isEmpty());
    const QString awaited =
        waitsForInput ? QStringLiteral("input.wait") : QStringLiteral("started");
    QVERIFY(!m_client.waitFor(awaited, request, EvalTimeoutMs).isEmpty());
    QElapsedTimer sinceInterrupt;
    sinceInterrupt.start();
    m_client.send({{"type", "interrupt"}, {"request", request}});
    const QJsonObject result = m_client.waitFor("result", request, 10000);
    const qint64 latencyMs = sinceInterrupt.elapsed();
    QCOMPARE(result.value("status").toString(), QString("error"));
    // The driver's own words: the cell stopped in place, the server did not have to kill it.
    QVERIFY2(result.value("message").toString().contains("interrupted"),
             qPrintable(result.value("message").toString()));
    qInfo("interrupt to result: %lld ms", latencyMs);
    QCOMPARE(m_client.evalToResult(session, "kept * 6", EvalTimeoutMs).value("value").toString(),
             QString("42"));
    // No rebuild happened: the interpreter survived the interrupt.
    for (const QJsonObject &m : m_client.received())
        QVERIFY(m.value("type").toString() != "session.restored" ||
                m.value("session").toString() != session);
}

QTEST_GUILESS_MAIN(TestSessionsJava)
#include "tst_sessions_java.moc"
