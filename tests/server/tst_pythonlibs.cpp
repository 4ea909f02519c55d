// Debian's python3-* packages (the course set: numpy, matplotlib, pandas, scipy) through the
// real coderoomd: importable in a run (pre-started and cold) and in a REPL cell, read-only, the
// user site still invisible; /ready lists which are importable.
#include "serverfixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QTest>

using namespace coderoom::tests;

class TestPythonLibraries : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void runs_data();
    void runs();
    void aCellImportsNumpy();
    void readyListsTheImportableLibraries();

private:
    ServerProcess m_cold; // every run starts its own interpreter
    ServerProcess m_warm; // runs take a pre-started interpreter
    WsClient m_coldClient;
    WsClient m_warmClient;
};

void TestPythonLibraries::initTestCase()
{
    QVERIFY(m_cold.start({"--prestart", "0", "--warm-pool", "0"}));
    QVERIFY(m_warm.start({"--prestart", "1", "--warm-pool", "1"}));
    QVERIFY(m_coldClient.open(m_cold.url()));
    QVERIFY(m_coldClient.hello(m_cold.token()));
    QVERIFY(m_warmClient.open(m_warm.url()));
    QVERIFY(m_warmClient.hello(m_warm.token()));
}

void TestPythonLibraries::cleanupTestCase()
{
    m_cold.terminate();
    m_warm.terminate();
    QVERIFY(m_cold.waitForExit(15000));
    QVERIFY(m_warm.waitForExit(15000));
}

void TestPythonLibraries::runs_data()
{
    QTest::addColumn<bool>("prestarted");
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("stdoutText");

    const QList<std::pair<const char *, std::pair<QString, QString>>> programs = {
        {"numpy computes",
         {"import numpy as np\nprint(np.arange(6).reshape(2, 3).sum(axis=0).tolist())\n",
          "[3, 5, 7]\n"}},
        {"pandas sums a column",
         {"import pandas as pd\nprint(pd.DataFrame({'a': [1, 2, 3]})['a'].sum())\n", "6\n"}},
        {"scipy answers",
         {"from scipy import stats\nprint(round(float(stats.norm.cdf(0)), 2))\n", "0.5\n"}},
        {"matplotlib draws into a file without a display, a warning or a cache in /work",
         {"import matplotlib.pyplot as plt\nplt.plot([1, 2, 3])\nplt.savefig('plot.png')\n"
          "import os\nprint(os.path.getsize('plot.png') > 1000, sorted(os.listdir('.')))\n",
          "True ['main.py', 'plot.png']\n"}},
        {"the libraries are read-only",
         {"try:\n    open('/usr/lib/python3/dist-packages/planted.py', 'w')\n"
          "except OSError as e:\n    print('refused')\n",
          "refused\n"}},
        {"no user site directory is on the path",
         {"import sys\nprint([p for p in sys.path if '.local' in p or p.startswith('/root')])\n",
          "[]\n"}},
        {"the program's own directory still comes first",
         {"import sys\nprint(sys.path[0])\n", "/work\n"}},
    };
    for (const bool prestarted : {false, true}) {
        for (const auto &[name, program] : programs) {
            QTest::addRow("%s: %s", prestarted ? "pre-started" : "cold", name)
                << prestarted << program.first << program.second;
        }
    }
}

void TestPythonLibraries::runs()
{
    QFETCH(bool, prestarted);
    QFETCH(QString, code);
    QFETCH(QString, stdoutText);
    WsClient &client = prestarted ? m_warmClient : m_coldClient;
    const QString request = client.run(code);
    QVERIFY(!request.isEmpty());
    const QJsonObject result = client.waitFor("result", request, 60000);
    QString out;
    QString err;
    for (const QJsonObject &e : client.eventsOf(request)) {
        if (e.value("type") == "output")
            (e.value("stream") == "stderr" ? err : out) += e.value("data").toString();
    }
    QVERIFY2(result.value("status").toString() == "ok",
             qPrintable(result.value("message").toString() + "\n" + err));
    QCOMPARE(out, stdoutText);
    QCOMPARE(err, QString()); // no warning about caches, fonts or threads
}

void TestPythonLibraries::aCellImportsNumpy()
{
    const QJsonObject opened = m_warmClient.openSession({{"language", "python"}});
    QCOMPARE(opened.value("type").toString(), QString("session.opened"));
    const QString session = opened.value("session").toString();
    const QJsonObject imported = m_warmClient.evalToResult(session, "import numpy as np", 60000);
    QCOMPARE(imported.value("status").toString(), QString("ok"));
    const QJsonObject sum = m_warmClient.evalToResult(session, "int(np.arange(5).sum())");
    QCOMPARE(sum.value("status").toString(), QString("ok"));
    QCOMPARE(sum.value("value").toString(), QString("10"));
}

void TestPythonLibraries::readyListsTheImportableLibraries()
{
    QNetworkAccessManager nam;
    QJsonObject python;
    // The server checks the libraries in the background after it starts: wait until it has.
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            QNetworkReply *reply = nam.get(QNetworkRequest(
                QUrl(QStringLiteral("http://127.0.0.1:%1/ready").arg(m_cold.port()))));
            QSignalSpy finished(reply, &QNetworkReply::finished);
            finished.wait(15000);
            const QJsonObject body = QJsonDocument::fromJson(reply->readAll()).object();
            reply->deleteLater();
            for (const QJsonValue &l : body.value("languages").toArray()) {
                if (l.toObject().value("id") == "python")
                    python = l.toObject();
            }
            const QJsonArray libraries = python.value("libraries").toArray();
            return !libraries.isEmpty() &&
                   std::none_of(libraries.begin(), libraries.end(), [](const QJsonValue &v) {
                       return v.toObject().value("checking").toBool();
                   });
        }(),
        60000);
    QStringList importable;
    for (const QJsonValue &v : python.value("libraries").toArray()) {
        const QJsonObject library = v.toObject();
        if (library.value("ok").toBool()) {
            importable << library.value("name").toString();
            QVERIFY(!library.value("version").toString().isEmpty());
        } else {
            QVERIFY(!library.value("problem").toString().isEmpty());
        }
    }
    QCOMPARE(importable, QStringList({"numpy", "matplotlib", "pandas", "scipy"}));
}

QTEST_GUILESS_MAIN(TestPythonLibraries)
#include "tst_pythonlibs.moc"
