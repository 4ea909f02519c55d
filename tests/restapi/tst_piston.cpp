// Piston v2 through the real coderoomd over HTTP on loopback: the shapes Piston clients read.
#include "resthttp.h"
#include "serverfixture.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

using namespace coderoom::tests;

class TestPiston : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void runtimesListLanguagesWithAliases();
    void execute_data();
    void execute();
    void unknownLanguageIsA400WithPistonsMessage();
    void badBodyIsA400();
    void tokens_data();
    void tokens();
    void otherPathsAreNotFound();

private:
    ServerProcess m_server;
    std::unique_ptr<RestClient> m_http;
};

void TestPiston::initTestCase()
{
    QVERIFY(m_server.start());
    m_http = std::make_unique<RestClient>(m_server.url());
}

void TestPiston::runtimesListLanguagesWithAliases()
{
    const HttpResult r = m_http->request("GET", "/api/v2/runtimes", {}, bearer(m_server.token()));
    QCOMPARE(r.status, 200);
    bool python = false;
    bool cpp = false;
    for (const QJsonValue &v : r.json().array()) {
        const QJsonObject runtime = v.toObject();
        QVERIFY(!runtime.value("version").toString().isEmpty());
        QVERIFY(runtime.value("aliases").isArray());
        if (runtime.value("language").toString() == "python") {
            python = true;
            QVERIFY(runtime.value("version").toString().startsWith("3."));
            QVERIFY(runtime.value("aliases").toArray().contains(QJsonValue("py")));
        } else if (runtime.value("language").toString() == "cpp") {
            cpp = true;
            QVERIFY(runtime.value("aliases").toArray().contains(QJsonValue("c++")));
        }
    }
    QVERIFY(python);
    QVERIFY(cpp);
}

void TestPiston::execute_data()
{
    QTest::addColumn<QJsonObject>("request");
    QTest::addColumn<QString>("stage"); // which stage object to check: run or compile
    QTest::addColumn<QJsonValue>("code");
    QTest::addColumn<QJsonValue>("status");
    QTest::addColumn<QString>("stdoutText");     // exact; "*" skips
    QTest::addColumn<QString>("stderrContains"); // "" skips

    auto python = [](const QString &code, const QJsonObject &extra = {}) {
        QJsonObject body{
            {"language", "python"},
            {"version", "*"},
            {"files", QJsonArray{QJsonObject{{"name", "main.py"}, {"content", code}}}}};
        for (auto it = extra.begin(); it != extra.end(); ++it)
            body.insert(it.key(), it.value());
        return body;
    };
    auto cpp = [](const QString &code) {
        return QJsonObject{{"language", "c++"},
                           {"version", "*"},
                           {"files", QJsonArray{QJsonObject{{"content", code}}}}};
    };

    QTest::addRow("hello world in python") << python("print('hello, world')") << "run"
                                           << QJsonValue(0) << QJsonValue() << "hello, world\n"
                                           << "";
    QTest::addRow("the py alias runs python with a version range")
        << QJsonObject{{"language", "py"},
                       {"version", ">=3.8"},
                       {"files", QJsonArray{QJsonObject{{"content", "print(6*7)"}}}}}
        << "run" << QJsonValue(0) << QJsonValue() << "42\n"
        << "";
    QTest::addRow("stdin is the program's whole input")
        << python("import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))",
                  {{"stdin", "3\n4\n5"}})
        << "run" << QJsonValue(0) << QJsonValue() << "12\n"
        << "";
    QTest::addRow("args reach the program")
        << python("import sys\nprint(sys.argv[1:])", {{"args", QJsonArray{"a", "b"}}}) << "run"
        << QJsonValue(0) << QJsonValue() << "['a', 'b']\n"
        << "";
    QTest::addRow("hello world in c++ has a clean compile stage")
        << cpp("#include <cstdio>\nint main(){std::puts(\"hi from c++\");}") << "compile"
        << QJsonValue(0) << QJsonValue() << ""
        << "";
    QTest::addRow("hello world in c++ runs")
        << cpp("#include <cstdio>\nint main(){std::puts(\"hi from c++\");}") << "run"
        << QJsonValue(0) << QJsonValue() << "hi from c++\n"
        << "";
    QTest::addRow("a c++ compile error is a failed compile stage")
        << cpp("int main() { return undeclared; }") << "compile" << QJsonValue(1)
        << QJsonValue("RE") << ""
        << "undeclared";
    QTest::addRow("a non-zero exit is RE with its code")
        << python("import sys\nprint('partial')\nsys.exit(3)") << "run" << QJsonValue(3)
        << QJsonValue("RE") << "partial\n"
        << "";
    QTest::addRow("an exception reaches stderr")
        << python("1/0") << "run" << QJsonValue(1) << QJsonValue("RE") << ""
        << "ZeroDivisionError";
    QTest::addRow("an endless loop times out as TO")
        << python("while True:\n    pass", {{"run_timeout", 1000}}) << "run" << QJsonValue()
        << QJsonValue("TO") << "*"
        << "";
}

void TestPiston::execute()
{
    QFETCH(QJsonObject, request);
    QFETCH(QString, stage);
    QFETCH(QJsonValue, code);
    QFETCH(QJsonValue, status);
    QFETCH(QString, stdoutText);
    QFETCH(QString, stderrContains);

    const HttpResult r = m_http->request("POST", "/api/v2/execute", QJsonDocument(request).toJson(),
                                         bearer(m_server.token()));
    QVERIFY2(r.status == 200, r.body.constData());
    const QJsonObject body = r.json().object();
    QVERIFY(!body.value("language").toString().isEmpty());
    QVERIFY(!body.value("version").toString().isEmpty());
    QVERIFY2(body.value(stage).isObject(), r.body.constData());
    const QJsonObject s = body.value(stage).toObject();
    for (const char *field : {"stdout", "stderr", "output"})
        QVERIFY2(s.value(QLatin1String(field)).isString(), field);
    if (code.isNull())
        QVERIFY(!s.value("code").isDouble() || s.value("code").toInt() != 0);
    else if (stage == "compile" && code.toInt() != 0)
        QVERIFY2(s.value("code").toInt() != 0, r.body.constData());
    else
        QCOMPARE(s.value("code").toInt(-1), code.toInt());
    QCOMPARE(s.value("status"), status);
    if (status == QJsonValue("TO"))
        QCOMPARE(s.value("signal").toString(), QString("SIGKILL"));
    if (stdoutText != "*")
        QCOMPARE(s.value("stdout").toString(), stdoutText);
    if (!stderrContains.isEmpty())
        QVERIFY2(s.value("stderr").toString().contains(stderrContains), r.body.constData());
    QCOMPARE(s.value("output").toString().size(),
             s.value("stdout").toString().size() + s.value("stderr").toString().size());
}

void TestPiston::unknownLanguageIsA400WithPistonsMessage()
{
    const QJsonObject request{{"language", "cobol"},
                              {"version", "*"},
                              {"files", QJsonArray{QJsonObject{{"content", "x"}}}}};
    const HttpResult r = m_http->request("POST", "/api/v2/execute", QJsonDocument(request).toJson(),
                                         bearer(m_server.token()));
    QCOMPARE(r.status, 400);
    QCOMPARE(r.json().object().value("message").toString(), QString("cobol-* runtime is unknown"));
}

void TestPiston::badBodyIsA400()
{
    const HttpResult r =
        m_http->request("POST", "/api/v2/execute", "{not json", bearer(m_server.token()));
    QCOMPARE(r.status, 400);
    QVERIFY(!r.json().object().value("message").toString().isEmpty());
}

void TestPiston::tokens_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QString>("value"); // "<token>" is replaced by the server's
    QTest::addColumn<int>("status");
    QTest::addRow("no token is refused") << QByteArray() << "" << 401;
    QTest::addRow("a wrong bearer token is refused")
        << QByteArray("Authorization") << "Bearer nope" << 401;
    QTest::addRow("a wrong X-API-KEY is refused") << QByteArray("X-API-KEY") << "nope" << 401;
    QTest::addRow("the token as X-Coderoom-Token is accepted")
        << QByteArray("X-Coderoom-Token") << "<token>" << 200;
    QTest::addRow("the token as X-API-KEY is accepted")
        << QByteArray("X-API-KEY") << "<token>" << 200;
}

void TestPiston::tokens()
{
    QFETCH(QByteArray, header);
    QFETCH(QString, value);
    QFETCH(int, status);
    Headers headers;
    if (!header.isEmpty())
        headers.append({header, QString(value).replace("<token>", m_server.token()).toUtf8()});
    const HttpResult r = m_http->request("GET", "/api/v2/runtimes", {}, headers);
    QCOMPARE(r.status, status);
    if (status == 401)
        QVERIFY(!r.json().object().value("message").toString().isEmpty());
}

void TestPiston::otherPathsAreNotFound()
{
    const HttpResult r = m_http->request("GET", "/api/v2/packages", {}, bearer(m_server.token()));
    QCOMPARE(r.status, 404);
}

QTEST_GUILESS_MAIN(TestPiston)
#include "tst_piston.moc"
