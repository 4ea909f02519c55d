// Thinking time is not run time, through the real coderoomd: a run or a REPL cell waiting for
// input has its time limit paused; a separate input-wait limit ends a wait nobody answers; a
// program that runs between its inputs is still stopped. The server runs with a 2 s time limit
// and a 4 s input-wait limit, so "longer than the time limit" costs seconds, not minutes. The
// waits in these tests are the student thinking (the scenario), never synchronisation.
#include "serverfixture.h"

#include <QJsonArray>
#include <QTest>

using namespace coderoom::tests;

namespace {

constexpr int runTimeMs = 2000;
constexpr int inputWaitMs = 4000;
constexpr int thinkMs = 3000; // longer than the time limit, shorter than the input-wait limit

QString outputOf(const WsClient &client, const QString &request)
{
    QString out;
    for (const QJsonObject &e : client.eventsOf(request)) {
        if (e.value("type") == "output")
            out += e.value("data").toString();
    }
    return out;
}

} // namespace

class TestThinkingTime : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void runs_data();
    void runs();
    void cells_data();
    void cells();
    void theWelcomeTellsTheInputWaitLimit();
    void aProgramWaitingForInputLeavesItsWorkerToOthers();

private:
    // Answers each input.wait of `request` after thinkMs with the next of `answers`; returns the
    // result (empty on a timeout of the test itself).
    QJsonObject answerThenResult(const QString &request, QStringList answers, int answerAfterMs);

    ServerProcess m_server;
    WsClient m_client;
    QString m_session;
};

void TestThinkingTime::initTestCase()
{
    // One worker: a program waiting for its student must not hold the only slot.
    QVERIFY(m_server.start({"--run-time-ms", QString::number(runTimeMs), "--input-wait-ms",
                            QString::number(inputWaitMs), "--warm-pool", "1", "--workers", "1"}));
    QVERIFY(m_client.open(m_server.url()));
    QVERIFY(m_client.hello(m_server.token()));
}

void TestThinkingTime::cleanupTestCase()
{
    m_server.terminate();
    QVERIFY(m_server.waitForExit(15000));
}

QJsonObject TestThinkingTime::answerThenResult(const QString &request, QStringList answers,
                                               int answerAfterMs)
{
    while (!answers.isEmpty()) {
        const QJsonObject wait = m_client.waitFor("input.wait", request, 30000);
        if (wait.isEmpty())
            break; // the program ended (or was stopped) before asking again
        if (answerAfterMs < 0)
            break; // nobody answers
        QTest::qWait(answerAfterMs);
        m_client.send({{"type", "input"}, {"request", request}, {"data", answers.takeFirst()}});
    }
    return m_client.waitFor("result", request, 30000);
}

void TestThinkingTime::runs_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QStringList>("answers");
    QTest::addColumn<int>("answerAfterMs");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("messagePart"); // empty: no message
    QTest::addColumn<QString>("output");

    QTest::addRow("python: thinking longer than the time limit before answering is fine")
        << "python" << "name = input('name? ')\nprint('hi', name)\n" << QStringList{"Ada\n"}
        << thinkMs << "ok" << "" << "name? hi Ada\n";
    QTest::addRow("python: two answers, each after more than the time limit")
        << "python" << "a = int(input())\nb = int(input())\nprint(a + b)\n"
        << QStringList{"2\n", "3\n"} << thinkMs << "ok" << "" << "5\n";
    QTest::addRow("c++: cin waits without using up the time limit")
        << "cpp"
        << "#include <iostream>\n#include <string>\nint main() { std::string name; std::cin >> "
           "name; std::cout << \"hi \" << name << \"\\n\"; }\n"
        << QStringList{"Ada\n"} << thinkMs << "ok" << "" << "hi Ada\n";
    QTest::addRow("java: a Scanner waits without using up the time limit")
        << "java"
        << "import java.util.Scanner;\npublic class Main { public static void main(String[] a) "
           "{ Scanner in = new Scanner(System.in); System.out.println(\"hi \" + in.next()); } }\n"
        << QStringList{"Ada\n"} << thinkMs << "ok" << "" << "hi Ada\n";
    QTest::addRow("python: sleeping after the answer is run time and is stopped")
        << "python" << "input()\nprint('got it', flush=True)\nimport time\ntime.sleep(60)\n"
        << QStringList{"x\n"} << thinkMs << "timeout" << "longer than the time limit of 2 s"
        << "got it\n";
    QTest::addRow("python: spinning between two inputs is stopped at a limit")
        << "python" << "input()\nprint('spinning', flush=True)\nwhile True:\n    pass\ninput()\n"
        << QStringList{"x\n"} << 200 << "timeout" << "Stopped: your program"
        << "spinning\n";
    QTest::addRow("python: a question nobody answers ends at the input-wait limit")
        << "python" << "input('anyone? ')\n" << QStringList{"late\n"} << -1 << "timeout"
        << "waited 4 s for input" << "anyone? ";
}

void TestThinkingTime::runs()
{
    QFETCH(QString, language);
    QFETCH(QString, code);
    QFETCH(QStringList, answers);
    QFETCH(int, answerAfterMs);
    QFETCH(QString, status);
    QFETCH(QString, messagePart);
    QFETCH(QString, output);

    const QString file = language == QLatin1String("cpp")    ? QStringLiteral("main.cpp")
                         : language == QLatin1String("java") ? QStringLiteral("Main.java")
                                                             : QStringLiteral("main.py");
    const QString request = m_client.run(
        {}, {{"language", language},
             {"files", QJsonArray{QJsonObject{{"name", file}, {"content", code}}}}});
    QVERIFY(!request.isEmpty());
    const QJsonObject result = answerThenResult(request, answers, answerAfterMs);
    const QString message = result.value("message").toString();
    QCOMPARE(result.value("status").toString(), status);
    if (messagePart.isEmpty())
        QVERIFY2(message.isEmpty(), qPrintable(message));
    else
        QVERIFY2(message.contains(messagePart), qPrintable(message));
    // Neither limit is mixed up with the other: a program stopped for running is never said to
    // have waited too long, and the other way round.
    if (status == "timeout" && answerAfterMs >= 0) {
        QVERIFY2(!message.contains("for input and nobody"), qPrintable(message));
        QVERIFY2(result.value("limit") == "run_time" || result.value("limit") == "cpu_time",
                 qPrintable(result.value("limit").toString()));
    }
    if (status == "timeout" && answerAfterMs < 0)
        QCOMPARE(result.value("limit").toString(), QString("input_wait"));
    if (status == "ok")
        QVERIFY(!result.contains("limit"));
    QCOMPARE(outputOf(m_client, request), output);
    if (status == "ok") // time_ms is run time: the thinking is not in it
        QVERIFY2(result.value("time_ms").toInteger() < runTimeMs,
                 qPrintable(QString::number(result.value("time_ms").toInteger())));
}

void TestThinkingTime::cells_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QStringList>("answers");
    QTest::addColumn<int>("answerAfterMs");
    QTest::addColumn<QString>("status");
    QTest::addColumn<QString>("messagePart");

    QTest::addRow("a cell may think longer than the time limit before answering")
        << "name = input('name? ')" << QStringList{"Ada\n"} << thinkMs << "ok" << "";
    QTest::addRow("a cell that spins after its answer is stopped at the time limit")
        << "input()\nwhile True:\n    pass\n\n" << QStringList{"x\n"} << 200 << "timeout"
        << "ran longer than the time limit";
    QTest::addRow("a cell nobody answers ends at the input-wait limit")
        << "input('anyone? ')" << QStringList{"late\n"} << -1 << "timeout"
        << "waited 4 s for input";
}

void TestThinkingTime::cells()
{
    QFETCH(QString, code);
    QFETCH(QStringList, answers);
    QFETCH(int, answerAfterMs);
    QFETCH(QString, status);
    QFETCH(QString, messagePart);

    if (m_session.isEmpty()) {
        const QJsonObject opened = m_client.openSession({{"language", "python"}});
        QCOMPARE(opened.value("type").toString(), QString("session.opened"));
        m_session = opened.value("session").toString();
    }
    const QString request = m_client.eval(m_session, code);
    QVERIFY(!request.isEmpty());
    const QJsonObject result = answerThenResult(request, answers, answerAfterMs);
    const QString message = result.value("message").toString();
    QCOMPARE(result.value("status").toString(), status);
    if (!messagePart.isEmpty())
        QVERIFY2(message.contains(messagePart), qPrintable(message));
    if (status == "timeout")
        QCOMPARE(result.value("limit").toString(),
                 answerAfterMs < 0 ? QStringLiteral("input_wait") : QStringLiteral("run_time"));
    // The session goes on, with what the answered cell stored.
    const QJsonObject after = m_client.evalToResult(m_session, "'name' in dir()");
    QCOMPARE(after.value("status").toString(), QString("ok"));
    QCOMPARE(after.value("value").toString(), QString("True"));
}

void TestThinkingTime::theWelcomeTellsTheInputWaitLimit()
{
    WsClient other;
    QVERIFY(other.open(m_server.url()));
    QVERIFY(other.hello(m_server.token(), "bob"));
    const QJsonObject welcome = other.received().first();
    QCOMPARE(welcome.value("type").toString(), QString("welcome"));
    QCOMPARE(welcome.value("limits").toObject().value("input_wait_ms").toInteger(), inputWaitMs);
    QCOMPARE(welcome.value("limits").toObject().value("run_time_ms").toInteger(), runTimeMs);
}

void TestThinkingTime::aProgramWaitingForInputLeavesItsWorkerToOthers()
{
    // The server has one worker. Alice's program waits for her answer; Bob's runs meanwhile.
    const QString waiting = m_client.run("name = input('name? ')\nprint('hi', name)\n");
    QVERIFY(!waiting.isEmpty());
    QVERIFY(!m_client.waitFor("input.wait", waiting, 30000).isEmpty());
    WsClient bob;
    QVERIFY(bob.open(m_server.url()));
    QVERIFY(bob.hello(m_server.token(), "bob"));
    const QJsonObject other = bob.runToResult("print('bob was not kept waiting')");
    QCOMPARE(other.value("status").toString(), QString("ok"));
    QVERIFY(!m_client.eventsOf(waiting).isEmpty());
    for (const QJsonObject &e : m_client.eventsOf(waiting))
        QVERIFY(e.value("type") != "result"); // Alice's program still waits, unharmed

    // Alice answers: her program runs on (the server goes over one worker for a moment rather
    // than make an answered program wait) and finishes.
    m_client.send({{"type", "input"}, {"request", waiting}, {"data", "Ada\n"}});
    const QJsonObject done = m_client.waitFor("result", waiting, 30000);
    QCOMPARE(done.value("status").toString(), QString("ok"));
    QCOMPARE(outputOf(m_client, waiting), QString("name? hi Ada\n"));
}

QTEST_GUILESS_MAIN(TestThinkingTime)
#include "tst_thinkingtime.moc"
