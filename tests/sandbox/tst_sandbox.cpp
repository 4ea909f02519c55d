#include "sandboxtestutil.h"

using namespace coderoom::sandbox;
using namespace sandboxtest;

class TestSandbox : public QObject
{
    Q_OBJECT
private slots:
    void init() { failOnDestroyedProcess(); }

    void exitCodes_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("stdoutText");
        QTest::addRow("hello world exits 0 with its output")
            << QByteArray("print('hello')") << 0 << QByteArray("hello\n");
        QTest::addRow("an exit code is reported as is")
            << QByteArray("import sys; print('bye'); sys.exit(3)") << 3 << QByteArray("bye\n");
    }
    void exitCodes()
    {
        QFETCH(QByteArray, code);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, stdoutText);
        const Run run = runSpec(pythonSpec(code));
        QVERIFY(run.finished);
        COMPARE_OUTCOME(run.result.outcome, Outcome::Exited);
        QCOMPARE(run.result.exitCode, exitCode);
        QCOMPARE(run.out, stdoutText);
    }
};

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"
