// End to end through the real coderoomd: a real WebSocket client, real sandboxed python3.
#include "serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

using namespace coderoom::tests;

class TestServerRun : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void welcomeListsPython();
    void runs_data();
    void runs();
    void infiniteLoopTimesOutAndLeavesNothing();
    void theTimeoutMessageNamesTheLimitThatApplied();
    void quotasFromTheConfigurationRefuseClearly();
    void outputStreamsBeforeTheResult();
    void interactiveInputAndInputWait();
    void aRunThatFillsItsWritableSpaceIsToldSo();
    void cancelStopsARunningProgram();
    void badTokenIsRefusedAndServerStaysUp();
    void malformedFrames_data();
    void malformedFrames();
    void http_data();
    void http();
    void portTakenExitsWithAClearMessage();
    void qtsOwnEventDispatcherStillServes();
    void sigtermFinishesRunningWorkAndExitsZero();
    void cleanupTestCase();

private:
    ServerProcess m_server;
    WsClient m_client;
};

void TestServerRun::initTestCase()
{
    QVERIFY(m_server.start());
    QVERIFY(m_client.open(m_server.url()));
    QVERIFY(m_client.hello(m_server.token()));
}

void TestServerRun::welcomeListsPython()
{
    WsClient client;
    QVERIFY(client.open(m_server.url()));
    client.send({{"type", "hello"},
                 {"id", "h1"},
                 {"protocol", 1},
                 {"token", m_server.token()},
                 {"user", "bob"}});
    const QJsonObject welcome = client.waitFor("welcome");
    QCOMPARE(welcome.value("id").toString(), QString("h1"));
    QCOMPARE(welcome.value("protocol").toInt(), 1);
    bool python = false;
    for (const QJsonValue &l : welcome.value("languages").toArray()) {
        if (l.toObject().value("id").toString() == "python") {
            python = true;
            QVERIFY(l.toObject().value("version").toString().startsWith("3."));
        }
    }
    QVERIFY(python);
    QCOMPARE(welcome.value("limits").toObject().value("run_time_ms").toInt(), 10000);
}

void TestServerRun::runs_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QJsonObject>("extra");
    QTest::addColumn<QString>("status");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("stdoutText");
    QTest::addColumn<QString>("stderrContains");

    QTest::addRow("print(1+1) prints 2 and succeeds")
        << "print(1+1)" << QJsonObject{} << "ok" << 0 << "2\n"
        << "";
    QTest::addRow("an exception is an error with its traceback on stderr")
        << "x = 1\nprint('before')\n1/0\n"
        << QJsonObject{} << "error" << 1 << "before\n"
        << "ZeroDivisionError";
    QTest::addRow("sys.exit(3) reports exit code 3")
        << "import sys\nsys.exit(3)" << QJsonObject{} << "error" << 3 << ""
        << "";
    QTest::addRow("stdin given is the whole input, then EOF")
        << "import sys\ndata = sys.stdin.read()\nprint(len(data), data.upper())"
        << QJsonObject{{"stdin", "abc\ndef\n"}} << "ok" << 0 << "8 ABC\nDEF\n\n"
        << "";
    QTest::addRow("non-ASCII output arrives intact")
        << "print('Grüße, 世界')" << QJsonObject{} << "ok" << 0 << "Grüße, 世界\n"
        << "";
    QTest::addRow("invalid UTF-8 output is replaced, not fatal")
        << "import sys\nsys.stdout.buffer.write(b'a\\xffb\\x00c\\n')" << QJsonObject{} << "ok" << 0
        << QString::fromUtf8("a\xef\xbf\xbd"
                             "b") +
               QChar(0) + "c\n"
        << "";
    QTest::addRow("the host's files are not visible")
        << "import os\nprint(os.path.exists('/root'), os.path.exists('/etc/shadow'))"
        << QJsonObject{} << "ok" << 0 << "False False\n"
        << "";
}

void TestServerRun::runs()
{
    QFETCH(QString, code);
    QFETCH(QJsonObject, extra);
    QFETCH(QString, status);
    QFETCH(int, exitCode);
    QFETCH(QString, stdoutText);
    QFETCH(QString, stderrContains);

    const QString request = m_client.run(code, extra);
    QVERIFY(!request.isEmpty());
    const QJsonObject result = m_client.waitFor("result", request);
    QCOMPARE(result.value("status").toString(), status);
    QCOMPARE(result.value("exit_code").toInt(-1), exitCode);
    QString out;
    QString err;
    bool sawStarted = false;
    for (const QJsonObject &e : m_client.eventsOf(request)) {
        if (e.value("type") == "started")
            sawStarted = true;
        if (e.value("type") == "output") {
            QVERIFY2(sawStarted, "output before started");
            (e.value("stream") == "stdout" ? out : err) += e.value("data").toString();
        }
    }
    QVERIFY(sawStarted);
    QCOMPARE(out, stdoutText);
    if (!stderrContains.isEmpty())
        QVERIFY2(err.contains(stderrContains), qPrintable(err));
    QVERIFY(result.value("time_ms").toInteger() >= 0);
}

void TestServerRun::infiniteLoopTimesOutAndLeavesNothing()
{
    const QByteArray marker =
        "coderoom-loop-marker-" + QByteArray::number(QCoreApplication::applicationPid());
    const QString code = QStringLiteral("import os, sys\n# %1\n"
                                        "if os.fork() == 0:\n    os.setsid()\n"
                                        "    while True: pass\n"
                                        "while True: pass\n")
                             .arg(QString::fromLatin1(marker));
    QElapsedTimer timer;
    timer.start();
    const QString request = m_client.run(code, {{"args", QJsonArray{QString::fromLatin1(marker)}},
                                                {"limits", QJsonObject{{"run_time_ms", 1500}}}});
    QVERIFY(!request.isEmpty());
    const QJsonObject result = m_client.waitFor("result", request, 15000);
    QCOMPARE(result.value("status").toString(), QString("timeout"));
    QVERIFY2(timer.elapsed() < 1500 + 3000, qPrintable(QString::number(timer.elapsed())));
    QVERIFY(result.value("message").toString().contains("time limit"));
    QTRY_VERIFY_WITH_TIMEOUT(processesWithMarker(marker).isEmpty(), 5000);
}

void TestServerRun::theTimeoutMessageNamesTheLimitThatApplied()
{
    // The server allows 300 s, Python's own run limit is 10 s: the run stops at 10 s and the
    // student is told 10 s, not 300 s.
    ServerProcess server;
    QVERIFY(server.start({"--run-time-ms", "300000"}));
    WsClient client;
    QVERIFY(client.open(server.url()));
    QVERIFY(client.hello(server.token()));
    const QString request = client.run("import time\ntime.sleep(60)\n");
    const QJsonObject result = client.waitFor("result", request, 30000);
    QCOMPARE(result.value("status").toString(), QString("timeout"));
    const QString message = result.value("message").toString();
    QVERIFY2(message.contains("time limit of 10 s"), qPrintable(message));
    server.terminate();
    QVERIFY(server.waitForExit(15000));
}

namespace {
qint64 memAvailableKb()
{
    QFile meminfo(QStringLiteral("/proc/meminfo"));
    if (!meminfo.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : meminfo.readAll().split('\n')) {
        if (line.startsWith("MemAvailable:"))
            return line.mid(13).trimmed().split(' ').first().toLongLong();
    }
    return -1;
}
} // namespace

void TestServerRun::aRunThatFillsItsWritableSpaceIsToldSo()
{
    // A gibibyte spread over every place a program can write stops at one quota (writable_mb,
    // in memory), the program sees ENOSPC, the host's memory does not pay for it, and the
    // result says what happened. The program then waits for input; the test answers once the
    // server has announced the wait, so the server has looked at the job by then.
    ServerProcess server;
    QVERIFY(server.start({"--writable-mb", "16", "--prestart", "0", "--warm-pool", "0"}));
    WsClient client;
    QVERIFY(client.open(server.url()));
    QVERIFY(client.hello(server.token()));
    const qint64 availableBefore = memAvailableKb();
    const QString request = client.run(
        "import errno, os\nchunk = b'x' * (1024 * 1024)\ntotal = 0\n"
        "for place in ('/tmp', '/dev/shm', '/work', '/var/tmp'):\n"
        "    try:\n        with open(place + '/fill', 'wb') as f:\n"
        "            for i in range(256):\n                total += f.write(chunk)\n"
        "    except OSError as e:\n        print(place, errno.errorcode[e.errno])\n"
        "print('written', total // 1024)\ninput()\n");
    QVERIFY(!request.isEmpty());
    QVERIFY(!client.waitFor("input.wait", request, 30000).isEmpty());
    const qint64 availableDuring = memAvailableKb();
    client.send({{"type", "input"}, {"request", request}, {"eof", true}});
    const QJsonObject result = client.waitFor("result", request, 30000);
    QString out;
    for (const QJsonObject &e : client.eventsOf(request)) {
        if (e.value("type") == "output" && e.value("stream") == "stdout")
            out += e.value("data").toString();
    }
    QVERIFY2(out.startsWith("/tmp ENOSPC\n/dev/shm ENOSPC\n/work ENOSPC\n/var/tmp ENOSPC\n"),
             qPrintable(out));
    const qint64 writtenKb = out.section(QStringLiteral("written "), 1).trimmed().toLongLong();
    QVERIFY2(writtenKb > 14 * 1024 && writtenKb <= 16 * 1024, qPrintable(out));
    QCOMPARE(result.value("writable_full").toBool(), true);
    const qint64 reportedKb = result.value("writable_kb").toInteger();
    QVERIFY2(reportedKb > 14 * 1024 && reportedKb <= 16 * 1024,
             qPrintable(QString::number(reportedKb)));
    QVERIFY2(result.value("message").toString().contains("filled the space it may write (16 MiB"),
             qPrintable(result.value("message").toString()));
    // Not the gibibyte: the host lost at most the quota plus what else runs on this machine.
    QVERIFY2(availableBefore - availableDuring < 512 * 1024,
             qPrintable(QStringLiteral("%1 -> %2 kB").arg(availableBefore).arg(availableDuring)));
    server.terminate();
    QVERIFY(server.waitForExit(15000));
}

void TestServerRun::quotasFromTheConfigurationRefuseClearly()
{
    ServerProcess server;
    QVERIFY(server.start({"--jobs-per-minute", "2", "--live-sessions", "1", "--warm-pool", "0"}));
    WsClient client;
    QVERIFY(client.open(server.url()));
    QVERIFY(client.hello(server.token()));
    for (int i = 0; i < 2; ++i) {
        const QString request = client.run("print(1)");
        QCOMPARE(client.waitFor("result", request).value("status").toString(), QString("ok"));
    }
    const QString third = client.run("print(1)");
    const QJsonObject refused = client.waitFor("result", third);
    QCOMPARE(refused.value("status").toString(), QString("overloaded"));
    QVERIFY2(refused.value("message").toString().contains("2 programs in the last minute"),
             qPrintable(refused.value("message").toString()));

    const QJsonObject first = client.openSession({{"language", "python"}});
    QCOMPARE(first.value("type").toString(), QString("session.opened"));
    const QJsonObject second = client.openSession({{"language", "python"}});
    QCOMPARE(second.value("type").toString(), QString("error"));
    QCOMPARE(second.value("code").toString(), QString("quota_exceeded"));
    server.terminate();
    QVERIFY(server.waitForExit(15000));
}

void TestServerRun::outputStreamsBeforeTheResult()
{
    const QString request = m_client.run(
        "import time\nfor i in range(5):\n    print(i, flush=True)\n    time.sleep(0.1)\n");
    QVERIFY(!request.isEmpty());
    const QJsonObject result = m_client.waitFor("result", request);
    QCOMPARE(result.value("status").toString(), QString("ok"));
    int outputs = 0;
    for (const QJsonObject &e : m_client.eventsOf(request))
        outputs += e.value("type") == "output" ? 1 : 0;
    // Five prints 100 ms apart arrive as separate events, not one blob at the end.
    QVERIFY2(outputs >= 4, qPrintable(QString::number(outputs)));
}

void TestServerRun::interactiveInputAndInputWait()
{
    const QString request = m_client.run("name = input('name? ')\nprint('hello', name)\n");
    QVERIFY(!request.isEmpty());
    QVERIFY(!m_client.waitFor("input.wait", request).isEmpty());
    m_client.send({{"type", "input"}, {"request", request}, {"data", "Ada\n"}});
    const QJsonObject result = m_client.waitFor("result", request);
    QCOMPARE(result.value("status").toString(), QString("ok"));
    QString out;
    for (const QJsonObject &e : m_client.eventsOf(request)) {
        if (e.value("type") == "output")
            out += e.value("data").toString();
    }
    QCOMPARE(out, QString("name? hello Ada\n"));
}

void TestServerRun::cancelStopsARunningProgram()
{
    const QString request = m_client.run("import time\nprint('go', flush=True)\ntime.sleep(60)\n");
    QVERIFY(!request.isEmpty());
    QVERIFY(!m_client.waitFor("output", request).isEmpty());
    m_client.send({{"type", "cancel"}, {"request", request}});
    const QJsonObject result = m_client.waitFor("result", request, 5000);
    QCOMPARE(result.value("status").toString(), QString("cancelled"));
}

void TestServerRun::badTokenIsRefusedAndServerStaysUp()
{
    WsClient intruder;
    QVERIFY(intruder.open(m_server.url()));
    QSignalSpy closed(&intruder.socket(), &QWebSocket::disconnected);
    intruder.send(
        {{"type", "hello"}, {"id", "x"}, {"protocol", 1}, {"token", "wrong-token-123456"}});
    const QJsonObject error = intruder.waitFor("error");
    QCOMPARE(error.value("code").toString(), QString("unauthorized"));
    QCOMPARE(error.value("id").toString(), QString("x"));
    QVERIFY(closed.wait(5000) || !intruder.isConnected());
    // Everyone else is still served.
    QCOMPARE(m_client.runToResult("print('still here')").value("status").toString(), QString("ok"));
}

void TestServerRun::malformedFrames_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<bool>("beforeHello");
    QTest::addColumn<QString>("code");

    QTest::addRow("not JSON is bad_request") << QByteArray("{nope") << false << "bad_request";
    QTest::addRow("an unknown type is unknown_type")
        << QByteArray(R"({"type":"fly","id":"u1"})") << false << "unknown_type";
    QTest::addRow("run without files is bad_request")
        << QByteArray(R"({"type":"run","id":"r","language":"python"})") << false << "bad_request";
    QTest::addRow("an unknown language is unknown_language")
        << QByteArray(
               R"({"type":"run","id":"r","language":"cobol","files":[{"name":"a","content":"x"}]})")
        << false << "unknown_language";
    QTest::addRow("a file name with .. is bad_request")
        << QByteArray(
               R"({"type":"run","id":"r","language":"python","files":[{"name":"../x.py","content":"x"}]})")
        << false << "bad_request";
    QTest::addRow("a frame over 2 MiB is too_large")
        << (QByteArray(R"({"type":"ping","pad":")") + QByteArray(3 * 1024 * 1024, 'a') + "\"}")
        << false << "too_large";
    QTest::addRow("code over max_code_bytes is too_large")
        << (QByteArray(R"({"type":"run","language":"python","files":[{"name":"a.py","content":")") +
            QByteArray(1536 * 1024, '#') + "\"}]}")
        << false << "too_large";
    QTest::addRow("input for someone else's request is not_found")
        << QByteArray(R"({"type":"input","request":"r-nope","data":"x"})") << false << "not_found";
    QTest::addRow("anything before hello is hello_required")
        << QByteArray(R"({"type":"ping","id":"p"})") << true << "hello_required";
    QTest::addRow("deeply nested JSON is bad_request")
        << (QByteArray(R"({"type":"ping","x":)") + QByteArray(5000, '[') + QByteArray(5000, ']') +
            "}")
        << false << "bad_request";
}

void TestServerRun::malformedFrames()
{
    QFETCH(QByteArray, frame);
    QFETCH(bool, beforeHello);
    QFETCH(QString, code);

    WsClient client;
    QVERIFY(client.open(m_server.url()));
    if (!beforeHello)
        QVERIFY(client.hello(m_server.token()));
    client.sendRaw(frame);
    const QJsonObject error = client.waitFor("error");
    QCOMPARE(error.value("code").toString(), code);
    QVERIFY(!error.value("message").toString().isEmpty());
    // The connection stays usable.
    client.send({{"type", "ping"}, {"id", "after"}});
    if (beforeHello)
        QCOMPARE(client.waitFor("error").value("code").toString(), QString("hello_required"));
    else
        QCOMPARE(client.waitFor("pong").value("id").toString(), QString("after"));
}

void TestServerRun::http_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("contains");
    QTest::addRow("/health says ok") << "/health" << 200 << QByteArray(R"("status":"ok")");
    QTest::addRow("/ready reports the sandbox and languages")
        << "/ready" << 200 << QByteArray(R"("enforcement")");
    QTest::addRow("/metrics is Prometheus text")
        << "/metrics" << 200 << QByteArray("coderoom_queue_depth 0");
    QTest::addRow("/metrics says the server runs on the epoll event loop")
        << "/metrics" << 200 << QByteArray(R"(coderoom_event_loop_info{dispatcher="epoll"} 1)");
    QTest::addRow("/metrics counts the event loop's wake-ups")
        << "/metrics" << 200 << QByteArray("coderoom_event_loop_waits_total ");
    QTest::addRow("an unknown path is 404") << "/nope" << 404 << QByteArray("not found");
}

void TestServerRun::http()
{
    QFETCH(QString, path);
    QFETCH(int, status);
    QFETCH(QByteArray, contains);
    QNetworkAccessManager nam;
    QUrl url = m_server.url();
    url.setScheme("http");
    url.setPath(path);
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), status);
    const QByteArray body = reply->readAll();
    QVERIFY2(body.contains(contains), body.constData());
    reply->deleteLater();
}

void TestServerRun::qtsOwnEventDispatcherStillServes()
{
    // --event-dispatcher qt: Qt's own loop, kept for comparison; runs, sessions and /metrics
    // work the same on it.
    ServerProcess server;
    QVERIFY(server.start({"--event-dispatcher", "qt"}));
    QTRY_VERIFY(server.stderrText().contains("event loop: QEventDispatcher"));
    WsClient client;
    QVERIFY(client.open(server.url()));
    QVERIFY(client.hello(server.token()));
    const QJsonObject result = client.runToResult("print(6 * 7)");
    QCOMPARE(result.value("status").toString(), QString("ok"));
    const QJsonObject opened = client.openSession({{"language", "python"}});
    const QString session = opened.value("session").toString();
    QVERIFY2(!session.isEmpty(), QJsonDocument(opened).toJson().constData());
    QCOMPARE(client.evalToResult(session, "x = 41").value("status").toString(), QString("ok"));
    QCOMPARE(client.evalToResult(session, "x + 1").value("value").toString(), QString("42"));
    QNetworkAccessManager nam;
    QUrl url = server.url();
    url.setScheme("http");
    url.setPath("/metrics");
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    const QByteArray body = reply->readAll();
    QVERIFY(body.contains("coderoom_event_loop_info{dispatcher=\"QEventDispatcher"));
    QVERIFY(!body.contains("coderoom_event_loop_waits_total"));
    reply->deleteLater();
}

void TestServerRun::portTakenExitsWithAClearMessage()
{
    ServerProcess second;
    QVERIFY(
        !second.start({"--listen", QStringLiteral("127.0.0.1:%1").arg(m_server.port())}, 10000));
    QVERIFY(second.waitForExit(10000));
    QVERIFY(second.exitCode() != 0);
    QVERIFY(second.stderrText().contains("cannot listen"));
}

void TestServerRun::sigtermFinishesRunningWorkAndExitsZero()
{
    ServerProcess server;
    QVERIFY(server.start());
    WsClient client;
    QVERIFY(client.open(server.url()));
    QVERIFY(client.hello(server.token()));
    const QString request =
        client.run("import time\nprint('working', flush=True)\ntime.sleep(0.5)\nprint('done')\n");
    QVERIFY(!request.isEmpty());
    QVERIFY(!client.waitFor("output", request).isEmpty());
    server.terminate();
    const QJsonObject result = client.waitFor("result", request, 10000);
    QCOMPARE(result.value("status").toString(), QString("ok"));
    QVERIFY(server.waitForExit(10000));
    QCOMPARE(server.exitStatus(), QProcess::NormalExit);
    QCOMPARE(server.exitCode(), 0);
}

void TestServerRun::cleanupTestCase()
{
    m_server.terminate();
    QVERIFY(m_server.waitForExit(10000));
    QCOMPARE(m_server.exitCode(), 0);
}

QTEST_GUILESS_MAIN(TestServerRun)
#include "tst_serverrun.moc"
