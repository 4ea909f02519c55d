// The admin view through the real coderoomd: the admin token, the three lists, cancelling a
// job and closing a session as the student sees it, the HTML page, and /metrics' new lines.
#include "serverfixture.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using namespace coderoom::tests;

namespace {

struct HttpAnswer
{
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QByteArray csp;
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

// One HTTP request to the server, waited for with a signal spy (no fixed sleeps).
HttpAnswer http(QNetworkAccessManager &nam, const QUrl &url, const QByteArray &method = "GET",
                const QByteArray &authorization = {})
{
    QNetworkRequest request(url);
    if (!authorization.isEmpty())
        request.setRawHeader("Authorization", authorization);
    QNetworkReply *reply = nam.sendCustomRequest(request, method);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    HttpAnswer answer;
    if (finished.wait(15000)) {
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        answer.contentType = reply->rawHeader("Content-Type");
        answer.csp = reply->rawHeader("Content-Security-Policy");
    }
    reply->deleteLater();
    return answer;
}

QJsonObject findById(const QJsonArray &list, const QString &key, const QString &value)
{
    for (const QJsonValue &v : list) {
        if (v.toObject().value(key).toString() == value)
            return v.toObject();
    }
    return {};
}

} // namespace

class TestAdmin : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void theAdminTokenFileIsPrivate();
    void requestsWithoutTheAdminTokenAreRefused_data();
    void requestsWithoutTheAdminTokenAreRefused();
    void wrongMethodsAndPathsAreRefused_data();
    void wrongMethodsAndPathsAreRefused();
    void thePageIsServedWithoutAToken();
    void listsShowTheClientItsRunningJobAndItsSession();
    void cancelStopsTheJobAndTellsTheStudent();
    void cancelOfAnUnknownJobIsNotFound();
    void closeEndsTheSessionAndTellsTheStudent();
    void metricsCountEvalsUnderTheSessionsLanguage();
    void aCompileStepThatCannotStartIsASandboxFailure();
    void repeatedWrongTokensBlockTheAddressButNotStudents();

private:
    QUrl url(const QString &path) const;
    QByteArray bearer() const { return "Bearer " + m_adminToken; }

    ServerProcess m_server;
    WsClient m_student;
    QNetworkAccessManager m_nam;
    QByteArray m_adminToken;
    QString m_session;
    QString m_job;
};

void TestAdmin::initTestCase()
{
    // The `while True: pass` job must still be running when it is cancelled: it has the
    // language's wall limit (10 s by default) to be listed and cancelled in, a few seconds.
    QVERIFY(m_server.start({"--warm-pool", "1"}));
    QFile file(m_server.dataDir() + "/admin-token");
    QVERIFY2(file.open(QIODevice::ReadOnly), "the server creates <data-dir>/admin-token");
    m_adminToken = file.readAll().trimmed();
    QVERIFY(m_adminToken.size() >= 32);
    QVERIFY(m_adminToken != m_server.token().toUtf8());
    QVERIFY(m_student.open(m_server.url()));
    QVERIFY(m_student.hello(m_server.token(), "alice"));
}

void TestAdmin::cleanupTestCase()
{
    m_server.terminate();
    QVERIFY(m_server.waitForExit(15000));
}

QUrl TestAdmin::url(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1%2").arg(m_server.port()).arg(path));
}

void TestAdmin::theAdminTokenFileIsPrivate()
{
    const QFile::Permissions p = QFile::permissions(m_server.dataDir() + "/admin-token");
    QCOMPARE(p & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
             QFile::Permissions());
    QVERIFY(m_server.stderrText().contains("admin token created in"));
}

void TestAdmin::requestsWithoutTheAdminTokenAreRefused_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("authorization");
    // Four failures: under the limiter's five, so later tests are not blocked (a success in
    // between clears the address).
    QTest::addRow("no token is refused") << "/admin/clients" << QByteArray("GET") << QByteArray();
    QTest::addRow("a wrong token is refused")
        << "/admin/jobs" << QByteArray("GET") << QByteArray("Bearer 0123456789abcdef0123456789");
    QTest::addRow("the students' class token is not an admin token")
        << "/admin/sessions" << QByteArray("GET") << QByteArray("class");
    QTest::addRow("a cancel without a token is refused")
        << "/admin/jobs/r1/cancel" << QByteArray("POST") << QByteArray();
}

void TestAdmin::requestsWithoutTheAdminTokenAreRefused()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, authorization);
    if (authorization == "class")
        authorization = "Bearer " + m_server.token().toUtf8();
    const HttpAnswer refused = http(m_nam, url(path), method, authorization);
    QCOMPARE(refused.status, 401);
    QVERIFY(refused.contentType.startsWith("application/json"));
    QVERIFY(refused.json().value("message").toString().contains("admin token"));
    QVERIFY(!refused.body.contains("clients"));
    // The right token on the same path works, and clears the failures of the address.
    const HttpAnswer ok = http(m_nam, url("/admin/clients"), "GET", bearer());
    QCOMPARE(ok.status, 200);
}

void TestAdmin::wrongMethodsAndPathsAreRefused_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<int>("status");
    QTest::addRow("a cancel must be a POST") << "/admin/jobs/r1/cancel" << QByteArray("GET") << 405;
    QTest::addRow("a list is not POSTed") << "/admin/jobs" << QByteArray("POST") << 405;
    QTest::addRow("an unknown admin path is not found")
        << "/admin/users" << QByteArray("GET") << 404;
    QTest::addRow("an unknown action is not found")
        << "/admin/jobs/r1/explode" << QByteArray("POST") << 404;
}

void TestAdmin::wrongMethodsAndPathsAreRefused()
{
    QFETCH(QString, path);
    QFETCH(QByteArray, method);
    QFETCH(int, status);
    QCOMPARE(http(m_nam, url(path), method, bearer()).status, status);
}

void TestAdmin::thePageIsServedWithoutAToken()
{
    const HttpAnswer page = http(m_nam, url("/admin"));
    QCOMPARE(page.status, 200);
    QVERIFY(page.contentType.startsWith("text/html"));
    QVERIFY(page.body.contains("<table"));
    QVERIFY(page.body.contains("/admin/jobs/"));
    QVERIFY(page.body.contains("setInterval"));
    // Self-contained: nothing fetched from elsewhere, and the CSP says so.
    QVERIFY(!page.body.contains("src=\""));
    QVERIFY(!page.body.contains("href=\"http"));
    QVERIFY(page.csp.contains("default-src 'none'"));
    // Student text is inserted as text, never parsed as HTML.
    QVERIFY(!page.body.contains("innerHTML"));
}

void TestAdmin::listsShowTheClientItsRunningJobAndItsSession()
{
    const QJsonObject opened = m_student.openSession({{"language", "python"}});
    QCOMPARE(opened.value("type").toString(), QString("session.opened"));
    m_session = opened.value("session").toString();
    QCOMPARE(m_student.evalToResult(m_session, "x = 41 + 1").value("status").toString(),
             QString("ok"));

    m_job = m_student.run("while True: pass\n", {{"limits", QJsonObject{{"run_time_ms", 100000}}}});
    QVERIFY(!m_job.isEmpty());
    QJsonObject job;
    QTRY_VERIFY_WITH_TIMEOUT(
        (job = findById(
             http(m_nam, url("/admin/jobs"), "GET", bearer()).json().value("jobs").toArray(), "id",
             m_job),
         job.value("state").toString() == "running"),
        20000);
    QCOMPARE(job.value("user").toString(), QString("alice"));
    QCOMPARE(job.value("language").toString(), QString("python"));
    QCOMPARE(job.value("kind").toString(), QString("run"));
    QVERIFY(job.value("waited_ms").toInteger(-1) >= 0);
    QTRY_VERIFY_WITH_TIMEOUT(
        findById(http(m_nam, url("/admin/jobs"), "GET", bearer()).json().value("jobs").toArray(),
                 "id", m_job)
                .value("running_ms")
                .toInteger() > 0,
        10000);

    const QJsonArray clients =
        http(m_nam, url("/admin/clients"), "GET", bearer()).json().value("clients").toArray();
    const QJsonObject alice = findById(clients, "user", "alice");
    QVERIFY2(!alice.isEmpty(), QJsonDocument(clients).toJson().constData());
    QCOMPARE(alice.value("address").toString(), QString("127.0.0.1"));
    QCOMPARE(alice.value("jobs").toInt(), 1);
    QCOMPARE(alice.value("sessions").toInt(), 1);
    QVERIFY(alice.value("connected_ms").toInteger(-1) >= 0);
    QVERIFY(!alice.value("connected_since").toString().isEmpty());

    const QJsonArray sessions =
        http(m_nam, url("/admin/sessions"), "GET", bearer()).json().value("sessions").toArray();
    const QJsonObject session = findById(sessions, "id", m_session);
    QVERIFY2(!session.isEmpty(), QJsonDocument(sessions).toJson().constData());
    QCOMPARE(session.value("user").toString(), QString("alice"));
    QCOMPARE(session.value("language").toString(), QString("python"));
    QCOMPARE(session.value("state").toString(), QString("live"));
    QCOMPARE(session.value("history").toInt(), 1);
}

void TestAdmin::cancelStopsTheJobAndTellsTheStudent()
{
    QVERIFY(!m_job.isEmpty());
    const HttpAnswer cancelled =
        http(m_nam, url("/admin/jobs/" + m_job + "/cancel"), "POST", bearer());
    QCOMPARE(cancelled.status, 200);
    QCOMPARE(cancelled.json().value("was").toString(), QString("running"));
    const QJsonObject result = m_student.waitFor("result", m_job, 20000);
    QCOMPARE(result.value("status").toString(), QString("cancelled"));
    QVERIFY2(result.value("message").toString().contains("administrator"),
             qPrintable(result.value("message").toString()));
    QTRY_VERIFY_WITH_TIMEOUT(
        findById(http(m_nam, url("/admin/jobs"), "GET", bearer()).json().value("jobs").toArray(),
                 "id", m_job)
            .isEmpty(),
        10000);
}

void TestAdmin::cancelOfAnUnknownJobIsNotFound()
{
    QCOMPARE(http(m_nam, url("/admin/jobs/no-such-job/cancel"), "POST", bearer()).status, 404);
}

void TestAdmin::closeEndsTheSessionAndTellsTheStudent()
{
    QVERIFY(!m_session.isEmpty());
    const HttpAnswer closed =
        http(m_nam, url("/admin/sessions/" + m_session + "/close"), "POST", bearer());
    QCOMPARE(closed.status, 200);
    QCOMPARE(closed.json().value("user").toString(), QString("alice"));
    const QJsonObject event = m_student.waitFor("session.closed", {}, 10000);
    QCOMPARE(event.value("session").toString(), m_session);
    QVERIFY2(event.value("reason").toString().contains("administrator"),
             QJsonDocument(event).toJson().constData());
    const QJsonArray sessions =
        http(m_nam, url("/admin/sessions"), "GET", bearer()).json().value("sessions").toArray();
    QVERIFY(findById(sessions, "id", m_session).isEmpty());
    QCOMPARE(http(m_nam, url("/admin/sessions/" + m_session + "/close"), "POST", bearer()).status,
             404);
}

void TestAdmin::metricsCountEvalsUnderTheSessionsLanguage()
{
    const HttpAnswer metrics = http(m_nam, url("/metrics"));
    QCOMPARE(metrics.status, 200);
    QVERIFY(metrics.body.contains("# TYPE coderoom_sandbox_failures_total counter"));
    // The eval of the first test and the cancelled run: both python, no pseudo-language.
    QVERIFY(metrics.body.contains("coderoom_results_total{language=\"python\",status=\"ok\"}"));
    QVERIFY(
        metrics.body.contains("coderoom_results_total{language=\"python\",status=\"cancelled\"}"));
    QVERIFY(!metrics.body.contains("language=\"session\""));
    // The same results by lane: the eval in the interactive lane, the run in the batch one.
    QVERIFY(
        metrics.body.contains("coderoom_lane_results_total{lane=\"interactive\",status=\"ok\"}"));
    QVERIFY(
        metrics.body.contains("coderoom_lane_results_total{lane=\"batch\",status=\"cancelled\"}"));
    QVERIFY(metrics.body.contains("coderoom_lane_running{lane=\"interactive\"} "));
    QVERIFY(metrics.body.contains("coderoom_interpreter_starts{state=\"waiting\"} 0"));
}

void TestAdmin::aCompileStepThatCannotStartIsASandboxFailure()
{
    // An honest provocation: the compile step's scratch root (<tmp>/coderoom-out-<uid>) must be
    // a directory the server owns; a plain file in its place (as a stale or hostile leftover
    // in a shared /tmp would be) makes every C++ compile fail to start. The server runs with
    // its own TMPDIR so nothing outside this test is touched.
    QTemporaryDir tmp;
    QVERIFY(tmp.isValid());
    QFile blocker(tmp.filePath(QStringLiteral("coderoom-out-%1").arg(::geteuid())));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const QByteArray oldTmp = qgetenv("TMPDIR");
    qputenv("TMPDIR", QFile::encodeName(tmp.path()));
    ServerProcess server;
    const bool started = server.start({"--warm-pool", "0"});
    if (oldTmp.isEmpty())
        qunsetenv("TMPDIR");
    else
        qputenv("TMPDIR", oldTmp);
    QVERIFY(started);

    WsClient client;
    QVERIFY(client.open(server.url()));
    QVERIFY(client.hello(server.token(), "erin"));
    const QJsonObject result = client.runToResult(
        "int main() { return 0; }\n",
        {{"language", "cpp"},
         {"files", QJsonArray{QJsonObject{{"name", "main.cpp"},
                                          {"content", "int main() { return 0; }\n"}}}}});
    QCOMPARE(result.value("status").toString(), QString("internal_error"));
    QTRY_VERIFY_WITH_TIMEOUT(
        http(m_nam, QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(server.port())))
            .body.contains("coderoom_sandbox_failures_total{reason=\"compile_failed_to_start\"} 1"),
        10000);
    // A program that fails on its own is not a sandbox failure.
    const QJsonObject crashed = client.runToResult("raise SystemExit(3)\n");
    QCOMPARE(crashed.value("status").toString(), QString("error"));
    const QByteArray metrics =
        http(m_nam, QUrl(QStringLiteral("http://127.0.0.1:%1/metrics").arg(server.port()))).body;
    QVERIFY(!metrics.contains("reason=\"run_failed_to_start\""));
    server.terminate();
    QVERIFY(server.waitForExit(15000));
}

void TestAdmin::repeatedWrongTokensBlockTheAddressButNotStudents()
{
    // Last: it leaves 127.0.0.1 blocked for the admin view.
    int refused = 0;
    for (int i = 0; i < 5; ++i)
        refused += http(m_nam, url("/admin/jobs"), "GET", "Bearer guess").status == 401;
    QCOMPARE(refused, 5);
    const HttpAnswer blocked = http(m_nam, url("/admin/jobs"), "GET", bearer());
    QCOMPARE(blocked.status, 429);
    QVERIFY(blocked.json().value("message").toString().contains("try again"));
    // Students at the same address sign in as before: the admin limiter is a separate one.
    WsClient bob;
    QVERIFY(bob.open(m_server.url()));
    QVERIFY(bob.hello(m_server.token(), "bob"));
}

QTEST_MAIN(TestAdmin)
#include "tst_admin.moc"
