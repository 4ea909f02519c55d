// The interactive lane through the real coderoomd: a REPL cell is a line written into a running
// interpreter and never waits for a batch worker slot, nor for other students' spinning cells.
// Ordering and admission only: nothing here depends on how fast the machine is, beyond a cell of
// `6 * 7` being answered before a 10 s time limit ends a spinning program.
#include "serverfixture.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace coderoom::tests;

namespace {

// The server's /metrics text (empty when it did not answer).
QByteArray metricsOf(const ServerProcess &server)
{
    QNetworkAccessManager nam;
    QNetworkReply *reply = nam.get(
        QNetworkRequest(QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(server.port()))));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    const QByteArray body = finished.wait(15000) ? reply->readAll() : QByteArray();
    reply->deleteLater();
    return body;
}

} // namespace

class TestLanes : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void aCellIsAnsweredWhileEveryBatchSlotSpins();
    void aThirdSessionsCellCompletesWhileTwoSessionsSpin();
    void aCellWaitsForItsOwnSessionOnly();
    void overloadedOnlyWhenEveryInterpreterRunsACell();
    void aCellCancelledWhileItsSessionWaitsToStartNeverRuns();

private:
    // A client signed in as `user` with one Python session open; the session id, or empty.
    QString connectWithSession(WsClient &client, const QString &user);
    // Signs `client` in to `server` as `user` and opens `count` Python sessions; their ids
    // (fewer when something failed).
    static QStringList signInWithSessions(WsClient &client, const ServerProcess &server,
                                          const QString &user, int count);
    static QStringList openPythonSessions(WsClient &client, int count);
    // Sends a cell that never ends and waits until it runs; its request id, or empty.
    static QString spin(WsClient &client, const QString &session);
    static bool hasResult(const WsClient &client, const QString &request);

    ServerProcess m_server;
};

void TestLanes::initTestCase()
{
    // Two batch slots, as on a 2-core machine; the lane must not depend on them.
    QVERIFY(m_server.start({"--workers", "2", "--warm-pool", "2"}));
}

void TestLanes::cleanupTestCase()
{
    m_server.terminate();
    QVERIFY(m_server.waitForExit(15000));
}

QString TestLanes::connectWithSession(WsClient &client, const QString &user)
{
    return signInWithSessions(client, m_server, user, 1).value(0);
}

QStringList TestLanes::signInWithSessions(WsClient &client, const ServerProcess &server,
                                          const QString &user, int count)
{
    if (!client.open(server.url()) || !client.hello(server.token(), user))
        return {};
    return openPythonSessions(client, count);
}

QStringList TestLanes::openPythonSessions(WsClient &client, int count)
{
    QStringList ids;
    for (int i = 0; i < count; ++i) {
        const QJsonObject opened = client.openSession({{"language", "python"}});
        if (opened.value("type").toString() != "session.opened")
            break;
        ids << opened.value("session").toString();
    }
    return ids;
}

QString TestLanes::spin(WsClient &client, const QString &session)
{
    const QString request = client.eval(session, QStringLiteral("while True:\n    pass\n"));
    if (request.isEmpty() || client.waitFor("started", request).isEmpty())
        return {};
    return request;
}

bool TestLanes::hasResult(const WsClient &client, const QString &request)
{
    for (const QJsonObject &m : client.eventsOf(request)) {
        if (m.value("type").toString() == "result")
            return true;
    }
    return false;
}

void TestLanes::aCellIsAnsweredWhileEveryBatchSlotSpins()
{
    WsClient student;
    const QString session = connectWithSession(student, "student");
    QVERIFY(!session.isEmpty());

    WsClient spinner;
    QVERIFY(spinner.open(m_server.url()));
    QVERIFY(spinner.hello(m_server.token(), "spinner"));
    QStringList runs;
    for (int i = 0; i < 2; ++i) {
        const QString request = spinner.run(QStringLiteral("while True: pass"));
        QVERIFY(!request.isEmpty());
        QVERIFY(!spinner.waitFor("started", request).isEmpty());
        runs << request;
    }

    const QJsonObject result = student.evalToResult(session, QStringLiteral("6 * 7"));
    QCOMPARE(result.value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(result.value("value").toString(), QStringLiteral("42"));
    // Both slots were still held: the cell did not wait for a batch worker.
    for (const QString &run : std::as_const(runs))
        QVERIFY2(!hasResult(spinner, run), qPrintable(run + " ended before the cell"));

    for (const QString &run : std::as_const(runs)) {
        spinner.send({{"type", "cancel"}, {"request", run}});
        QCOMPARE(spinner.waitFor("result", run).value("status").toString(),
                 QStringLiteral("cancelled"));
    }
}

void TestLanes::aThirdSessionsCellCompletesWhileTwoSessionsSpin()
{
    WsClient first;
    WsClient second;
    WsClient third;
    const QString s1 = connectWithSession(first, "spin-one");
    const QString s2 = connectWithSession(second, "spin-two");
    const QString s3 = connectWithSession(third, "typist");
    QVERIFY(!s1.isEmpty() && !s2.isEmpty() && !s3.isEmpty());

    const QString r1 = spin(first, s1);
    const QString r2 = spin(second, s2);
    QVERIFY(!r1.isEmpty() && !r2.isEmpty());

    // Two spinning cells hold as many cells as there are batch slots: the third session's
    // cells still run, one after another, with their state.
    QCOMPARE(third.evalToResult(s3, QStringLiteral("x = 5")).value("status").toString(),
             QStringLiteral("ok"));
    const QJsonObject answer = third.evalToResult(s3, QStringLiteral("x + 1"));
    QCOMPARE(answer.value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(answer.value("value").toString(), QStringLiteral("6"));
    QVERIFY(!hasResult(first, r1));
    QVERIFY(!hasResult(second, r2));

    // The spinners are stopped the way a student would, and keep their sessions.
    first.send({{"type", "interrupt"}, {"request", r1}});
    second.send({{"type", "interrupt"}, {"request", r2}});
    QCOMPARE(first.waitFor("result", r1).value("status").toString(), QStringLiteral("error"));
    QCOMPARE(second.waitFor("result", r2).value("status").toString(), QStringLiteral("error"));
    QCOMPARE(first.evalToResult(s1, QStringLiteral("1 + 1")).value("value").toString(),
             QStringLiteral("2"));
}

void TestLanes::aCellWaitsForItsOwnSessionOnly()
{
    // One running cell per session: the next cell of a spinning session waits (accepted, not
    // started, not refused) while another session of the same user runs its cells.
    WsClient client;
    const QString busy = connectWithSession(client, "two-tabs");
    QVERIFY(!busy.isEmpty());
    const QJsonObject other = client.openSession({{"language", "python"}});
    QCOMPARE(other.value("type").toString(), QStringLiteral("session.opened"));
    const QString idle = other.value("session").toString();

    const QString spinning = spin(client, busy);
    QVERIFY(!spinning.isEmpty());
    const QString waiting = client.eval(busy, QStringLiteral("'after the loop'"));
    QVERIFY(!waiting.isEmpty()); // accepted, not refused
    QCOMPARE(client.evalToResult(idle, QStringLiteral("2 ** 10")).value("value").toString(),
             QStringLiteral("1024"));
    for (const QJsonObject &m : client.eventsOf(waiting))
        QVERIFY2(m.value("type").toString() == "accepted", qPrintable(m.value("type").toString()));

    client.send({{"type", "interrupt"}, {"request", spinning}});
    QCOMPARE(client.waitFor("result", spinning).value("status").toString(),
             QStringLiteral("error"));
    const QJsonObject after = client.waitFor("result", waiting);
    QCOMPARE(after.value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(after.value("value").toString(), QStringLiteral("'after the loop'"));
}

void TestLanes::overloadedOnlyWhenEveryInterpreterRunsACell()
{
    // Room for two live interpreters. A third session hibernates the least recently used idle
    // one; a cell for it is answered while an interpreter sits idle, and refused (overloaded,
    // in plain words, nothing lost) only while both run cells.
    ServerProcess server;
    QVERIFY(server.start({"--max-interpreters", "2", "--warm-pool", "0"}));
    WsClient client;
    QStringList sessions = signInWithSessions(client, server, "three-tabs", 1);
    QCOMPARE(sessions.size(), 1);
    QCOMPARE(client.evalToResult(sessions[0], "kept = 'yes'").value("status").toString(),
             QStringLiteral("ok"));
    sessions += openPythonSessions(client, 2);
    QCOMPARE(sessions.size(), 3);
    // sessions[0] was evicted for sessions[2]. Both live ones spin.
    const QString spinA = spin(client, sessions[1]);
    const QString spinB = spin(client, sessions[2]);
    QVERIFY(!spinA.isEmpty() && !spinB.isEmpty());

    const QString refused = client.eval(sessions[0], QStringLiteral("kept"));
    QVERIFY(!refused.isEmpty()); // accepted into the lane; waking it is what fails
    const QJsonObject busy = client.waitFor("result", refused);
    QCOMPARE(busy.value("status").toString(), QStringLiteral("overloaded"));
    QVERIFY2(busy.value("message").toString().contains("variables are kept"),
             qPrintable(busy.value("message").toString()));

    // A new session cannot start either: it waits (and says so), it is not refused.
    client.send({{"type", "session.open"}, {"id", "fourth"}, {"language", "python"}});
    const QJsonObject waiting = client.waitFor("session.waiting");
    QCOMPARE(waiting.value("id").toString(), QStringLiteral("fourth"));
    QCOMPARE(waiting.value("queue_position").toInt(-1), 0);
    QVERIFY(metricsOf(server).contains("coderoom_interpreter_starts{state=\"waiting\"} 1\n"));

    // One interpreter idle again: the waiting session starts (the idle one hibernates for it),
    // then the refused cell runs too.
    client.send({{"type", "interrupt"}, {"request", spinA}});
    QCOMPARE(client.waitFor("result", spinA).value("status").toString(), QStringLiteral("error"));
    const QJsonObject fourth = client.waitFor("session.opened");
    QCOMPARE(fourth.value("id").toString(), QStringLiteral("fourth"));
    QCOMPARE(fourth.value("session").toString(), waiting.value("session").toString());
    const QJsonObject answered = client.evalToResult(sessions[0], QStringLiteral("kept"));
    QCOMPARE(answered.value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(answered.value("value").toString(), QStringLiteral("'yes'"));

    client.send({{"type", "interrupt"}, {"request", spinB}});
    QCOMPARE(client.waitFor("result", spinB).value("status").toString(), QStringLiteral("error"));
    server.terminate();
    QVERIFY(server.waitForExit(15000));
}

void TestLanes::aCellCancelledWhileItsSessionWaitsToStartNeverRuns()
{
    // One start at a time, and a Java interpreter (seconds to start: a JVM and JShell) holding
    // it: a cell for a hibernated Python session waits for its start. Cancelled meanwhile, it
    // is answered at once and never runs, also not once the session is started.
    ServerProcess server;
    QVERIFY(
        server.start({"--max-interpreters", "2", "--interpreter-starts", "1", "--warm-pool", "0"}));
    WsClient client;
    const QStringList python = signInWithSessions(client, server, "waiting", 2);
    QCOMPARE(python.size(), 2);
    QCOMPARE(client.evalToResult(python[1], "x = 1").value("status").toString(),
             QStringLiteral("ok"));
    // The Java session hibernates the least recently used Python one (python[0]) and holds
    // the only start slot while its JVM starts.
    client.send({{"type", "session.open"}, {"id", "java"}, {"language", "java"}});
    // Frames are handled in order: once this answers, the Java start has begun.
    QCOMPARE(client.evalToResult(python[1], "x = 2").value("status").toString(),
             QStringLiteral("ok"));

    const QString cell = client.eval(python[0], QStringLiteral("y = 99"));
    QVERIFY(!cell.isEmpty());
    client.send({{"type", "cancel"}, {"request", cell}});
    const QJsonObject cancelled = client.waitFor("result", cell);
    QCOMPARE(cancelled.value("status").toString(), QStringLiteral("cancelled"));

    const QJsonObject java = client.waitFor("session.opened", {}, 60000);
    QCOMPARE(java.value("id").toString(), QStringLiteral("java"));
    // python[0] starts now (cold) and knows nothing of y.
    const QJsonObject after = client.evalToResult(python[0], QStringLiteral("'y' in dir()"));
    QCOMPARE(after.value("status").toString(), QStringLiteral("ok"));
    QCOMPARE(after.value("value").toString(), QStringLiteral("False"));
    server.terminate();
    QVERIFY(server.waitForExit(15000));
}

QTEST_GUILESS_MAIN(TestLanes)
#include "tst_lanes.moc"
