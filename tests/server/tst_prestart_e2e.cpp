// Pre-started sandboxes through the real coderoomd: the same runs against a server with
// --prestart 0 (cold) and one with --prestart 1 must give the same result JSON and output;
// /metrics counts which runs were served pre-started.
#include "serverfixture.h"

#include <QJsonArray>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

using namespace coderoom::tests;

namespace {

// Everything a student sees of one run, minus what differs by nature (ids, times, memory).
struct Seen
{
    QString status;
    int exitCode = -1;
    QString message;
    QString out;
    QString err;
};

} // namespace

class TestPrestartE2e : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sameResultAsCold_data();
    void sameResultAsCold();
    void metricsCountPrestartedRuns();

private:
    Seen runOn(WsClient &client, const QString &code, const QJsonObject &extra);
    QByteArray metrics(const ServerProcess &server);
    qint64 metric(const ServerProcess &server, const QString &line);

    ServerProcess m_cold;
    ServerProcess m_warm;
    WsClient m_coldClient;
    WsClient m_warmClient;
};

void TestPrestartE2e::initTestCase()
{
    QVERIFY(m_cold.start({QStringLiteral("--prestart"), QStringLiteral("0")}));
    QVERIFY(m_warm.start({QStringLiteral("--prestart"), QStringLiteral("1")}));
    QVERIFY(m_coldClient.open(m_cold.url()));
    QVERIFY(m_coldClient.hello(m_cold.token()));
    QVERIFY(m_warmClient.open(m_warm.url()));
    QVERIFY(m_warmClient.hello(m_warm.token()));
}

QByteArray TestPrestartE2e::metrics(const ServerProcess &server)
{
    QNetworkAccessManager nam;
    QUrl url = server.url();
    url.setScheme(QStringLiteral("http"));
    url.setPath(QStringLiteral("/metrics"));
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!finished.wait(10000))
        return {};
    const QByteArray body = reply->readAll();
    reply->deleteLater();
    return body;
}

// The value of the metric line starting with `line` ("name{labels}"); -1 when absent.
qint64 TestPrestartE2e::metric(const ServerProcess &server, const QString &line)
{
    const QRegularExpression re(QLatin1Char('^') + QRegularExpression::escape(line) +
                                    QStringLiteral(" (\\d+)$"),
                                QRegularExpression::MultilineOption);
    const auto match = re.match(QString::fromUtf8(metrics(server)));
    return match.hasMatch() ? match.captured(1).toLongLong() : -1;
}

Seen TestPrestartE2e::runOn(WsClient &client, const QString &code, const QJsonObject &extra)
{
    Seen seen;
    const QString request = client.run(code, extra);
    if (request.isEmpty())
        return seen;
    const QJsonObject result = client.waitFor(QStringLiteral("result"), request, 30000);
    seen.status = result.value(QStringLiteral("status")).toString();
    seen.exitCode = result.value(QStringLiteral("exit_code")).toInt(-1);
    // "ran for 1.02 s": the measured time differs from run to run, the words must not.
    static const QRegularExpression seconds(QStringLiteral("\\d+\\.\\d+ s\\b"));
    seen.message =
        result.value(QStringLiteral("message")).toString().replace(seconds, QStringLiteral("N s"));
    for (const QJsonObject &e : client.eventsOf(request)) {
        if (e.value(QStringLiteral("type")) == QStringLiteral("output"))
            (e.value(QStringLiteral("stream")) == QStringLiteral("stdout") ? seen.out : seen.err) +=
                e.value(QStringLiteral("data")).toString();
    }
    return seen;
}

void TestPrestartE2e::sameResultAsCold_data()
{
    QTest::addColumn<QString>("code");
    QTest::addColumn<QJsonObject>("extra");
    QTest::addColumn<QString>("status");

    QTest::addRow("hello world is ok") << "print('hello, world')" << QJsonObject{} << "ok";
    QTest::addRow("an exit code is a failed run")
        << "import sys\nprint('x')\nsys.exit(3)" << QJsonObject{} << "error";
    QTest::addRow("a traceback reads the same")
        << "def f():\n    raise ValueError('boom')\nf()" << QJsonObject{} << "error";
    QTest::addRow("stdin and args arrive")
        << "import sys\nprint(sys.argv[1:], sys.stdin.read().split())"
        << QJsonObject{{"stdin", "1 2\n"}, {"args", QJsonArray{"a", "b c"}}} << "ok";
    QTest::addRow("the time limit counts from the program's start")
        << "import time\nprint('go', flush=True)\ntime.sleep(30)"
        << QJsonObject{{"limits", QJsonObject{{"run_time_ms", 1000}}}} << "timeout";
}

void TestPrestartE2e::sameResultAsCold()
{
    QFETCH(QString, code);
    QFETCH(QJsonObject, extra);
    QFETCH(QString, status);
    const Seen cold = runOn(m_coldClient, code, extra);
    QTRY_COMPARE_WITH_TIMEOUT(metric(m_warm, QStringLiteral("coderoom_prestarted_ready")), 1,
                              20000);
    const qint64 before =
        metric(m_warm, QStringLiteral("coderoom_run_starts_total{start=\"prestarted\"}"));
    const Seen warm = runOn(m_warmClient, code, extra);
    QCOMPARE(metric(m_warm, QStringLiteral("coderoom_run_starts_total{start=\"prestarted\"}")),
             before + 1);
    QCOMPARE(cold.status, status);
    QCOMPARE(warm.status, cold.status);
    QCOMPARE(warm.exitCode, cold.exitCode);
    QCOMPARE(warm.message, cold.message);
    QCOMPARE(warm.out, cold.out);
    QCOMPARE(warm.err, cold.err);
}

void TestPrestartE2e::metricsCountPrestartedRuns()
{
    // The cold server never starts one; the warm one served every row above pre-started.
    QCOMPARE(metric(m_cold, QStringLiteral("coderoom_run_starts_total{start=\"prestarted\"}")), 0);
    QVERIFY(metric(m_cold, QStringLiteral("coderoom_run_starts_total{start=\"cold\"}")) >= 5);
    QCOMPARE(metric(m_cold, QStringLiteral("coderoom_prestarted_ready")), 0);
    QVERIFY(metric(m_warm, QStringLiteral("coderoom_run_starts_total{start=\"prestarted\"}")) >= 5);
}

QTEST_MAIN(TestPrestartE2e)
#include "tst_prestart_e2e.moc"
