// Jobe's REST API through the real coderoomd over HTTP on loopback, as Moodle CodeRunner
// calls it: languages, runs with their outcomes, file PUT/HEAD and file_list, overload.
#include "resthttp.h"
#include "serverfixture.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace coderoom::tests;

namespace {

const QString Base = QStringLiteral("/jobe/index.php/restapi/");

QByteArray runSpec(const QString &language, const QString &source, const QJsonObject &extra = {})
{
    QJsonObject spec{{"language_id", language}, {"sourcecode", source}};
    for (auto it = extra.begin(); it != extra.end(); ++it)
        spec.insert(it.key(), it.value());
    return QJsonDocument(QJsonObject{{"run_spec", spec}}).toJson();
}

Headers apiKey(const QString &token)
{
    return {{QByteArray("X-API-KEY"), token.toUtf8()}};
}

} // namespace

class TestJobe : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void languagesUseJobeIds();
    void runs_data();
    void runs();
    void uploadedFilesSitNextToTheProgram();
    void aMissingFileIsA404();
    void unknownLanguageIsA400String();
    void badTokenIs401();
    void overloadIsOutcome21();

private:
    ServerProcess m_server;
    std::unique_ptr<RestClient> m_http;
};

void TestJobe::initTestCase()
{
    QVERIFY(m_server.start());
    m_http = std::make_unique<RestClient>(m_server.url());
}

void TestJobe::languagesUseJobeIds()
{
    const HttpResult r = m_http->request("GET", Base + "languages", {}, apiKey(m_server.token()));
    QCOMPARE(r.status, 200);
    QStringList ids;
    for (const QJsonValue &pair : r.json().array()) {
        QCOMPARE(pair.toArray().size(), 2);
        QVERIFY(!pair.toArray().at(1).toString().isEmpty());
        ids << pair.toArray().at(0).toString();
    }
    QVERIFY2(ids.contains("python3"), qPrintable(ids.join(',')));
    QVERIFY2(ids.contains("cpp"), qPrintable(ids.join(',')));
    QVERIFY(!ids.contains("python"));
}

void TestJobe::runs_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("outcome");
    QTest::addColumn<QString>("stdoutText"); // exact; "*" skips
    QTest::addColumn<QString>("cmpinfoContains");

    QTest::addRow("a correct python program is 15")
        << runSpec("python3", "print('hello')") << 15 << "hello\n"
        << "";
    QTest::addRow("input is the program's standard input")
        << runSpec("python3", "a = int(input())\nprint(a * 2)", {{"input", "21\n"}}) << 15 << "42\n"
        << "";
    QTest::addRow("no input reads as end of file, never waits")
        << runSpec("python3", "import sys\nprint(len(sys.stdin.read()))") << 15 << "0\n"
        << "";
    QTest::addRow("a c++ program with a sourcefilename is 15")
        << runSpec("cpp", "#include <iostream>\nint main(){std::cout<<\"ok\\n\";}",
                   {{"sourcefilename", "answer.cpp"}})
        << 15 << "ok\n"
        << "";
    QTest::addRow("a c++ compile error is 11 with cmpinfo")
        << runSpec("cpp", "int main() { return missing; }") << 11 << ""
        << "missing";
    QTest::addRow("an exception is a runtime error, 12")
        << runSpec("python3", "print('before')\nraise ValueError('x')") << 12 << "before\n"
        << "";
    QTest::addRow("an endless loop past cputime is 13")
        << runSpec("python3", "while True:\n    pass",
                   {{"parameters", QJsonObject{{"cputime", 1}}}})
        << 13 << "*"
        << "";
}

void TestJobe::runs()
{
    QFETCH(QByteArray, body);
    QFETCH(int, outcome);
    QFETCH(QString, stdoutText);
    QFETCH(QString, cmpinfoContains);
    const HttpResult r = m_http->request("POST", Base + "runs", body, apiKey(m_server.token()));
    QVERIFY2(r.status == 200, r.body.constData());
    const QJsonObject result = r.json().object();
    for (const char *field : {"cmpinfo", "stdout", "stderr"})
        QVERIFY2(result.value(QLatin1String(field)).isString(), field);
    QVERIFY(result.contains("run_id"));
    QVERIFY2(result.value("outcome").toInt() == outcome, r.body.constData());
    if (stdoutText != "*")
        QCOMPARE(result.value("stdout").toString(), stdoutText);
    if (cmpinfoContains.isEmpty())
        QCOMPARE(result.value("cmpinfo").toString(), QString());
    else
        QVERIFY2(result.value("cmpinfo").toString().contains(cmpinfoContains), r.body.constData());
}

void TestJobe::uploadedFilesSitNextToTheProgram()
{
    const QString file = Base + "files/datafile42";
    QCOMPARE(m_http->request("HEAD", file, {}, apiKey(m_server.token())).status, 404);
    const QByteArray put =
        QJsonDocument(
            QJsonObject{{"file_contents", QString::fromLatin1(QByteArray("7 8 9\n").toBase64())}})
            .toJson();
    QCOMPARE(m_http->request("PUT", file, put, apiKey(m_server.token())).status, 204);
    QCOMPARE(m_http->request("HEAD", file, {}, apiKey(m_server.token())).status, 204);
    QCOMPARE(
        m_http->request("PUT", file, "{\"file_contents\":\"@@\"}", apiKey(m_server.token())).status,
        400);

    const QByteArray body =
        runSpec("python3", "print(sum(int(x) for x in open('numbers.txt').read().split()))",
                {{"file_list", QJsonArray{QJsonArray{"datafile42", "numbers.txt"}}}});
    const HttpResult r = m_http->request("POST", Base + "runs", body, apiKey(m_server.token()));
    QVERIFY2(r.status == 200, r.body.constData());
    QCOMPARE(r.json().object().value("outcome").toInt(), 15);
    QCOMPARE(r.json().object().value("stdout").toString(), QString("24\n"));
}

void TestJobe::aMissingFileIsA404()
{
    const QByteArray body = runSpec("python3", "print(1)",
                                    {{"file_list", QJsonArray{QJsonArray{"neverput", "x.txt"}}}});
    const HttpResult r = m_http->request("POST", Base + "runs", body, apiKey(m_server.token()));
    QCOMPARE(r.status, 404);
    QVERIFY(r.body.contains("missing"));
}

void TestJobe::unknownLanguageIsA400String()
{
    const HttpResult r =
        m_http->request("POST", Base + "runs", runSpec("cobol", "x"), apiKey(m_server.token()));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.body, QByteArray("\"Language 'cobol' is not known\""));
}

void TestJobe::badTokenIs401()
{
    QCOMPARE(m_http->request("GET", Base + "languages", {}, apiKey("wrong")).status, 401);
    QCOMPARE(m_http->request("POST", Base + "runs", runSpec("python3", "print(1)")).status, 401);
}

void TestJobe::overloadIsOutcome21()
{
    ServerProcess busy;
    QVERIFY(busy.start({"--workers", "1", "--max-queue", "1"}));
    RestClient http(busy.url());
    // One runs, one waits, the rest find the queue full.
    const QByteArray slow = runSpec("python3", "import time\ntime.sleep(2)\nprint('done')");
    QList<QNetworkReply *> replies;
    for (int i = 0; i < 4; ++i)
        replies << http.send("POST", Base + "runs", slow, apiKey(busy.token()));
    QList<int> outcomes;
    for (QNetworkReply *reply : replies) {
        const HttpResult r = RestClient::finish(reply, 40000);
        QVERIFY2(r.status == 200, r.body.constData());
        outcomes << r.json().object().value("outcome").toInt();
        if (outcomes.last() == 21)
            QVERIFY(!r.json().object().value("stderr").toString().isEmpty());
        reply->deleteLater();
    }
    QVERIFY2(outcomes.contains(21), qPrintable(QString::number(outcomes.count(21))));
    QVERIFY2(outcomes.contains(15), qPrintable(QString::number(outcomes.count(15))));
}

QTEST_GUILESS_MAIN(TestJobe)
#include "tst_jobe.moc"
