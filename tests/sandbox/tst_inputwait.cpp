#include "sandboxtestutil.h"

#include <QTimer>

using namespace coderoom::sandbox;
using namespace sandboxtest;

// Thinking time is not run time (Limits::inputWaitMs): the wall clock pauses while a program
// waits for input nobody has typed yet; a separate limit ends a wait nobody answers. The waits
// below are the scenario itself (a student thinking), not synchronisation: every assertion is
// about which limit ended the job, never about how fast the machine is.
class TestInputWait : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const Capabilities &caps = probeCapabilities();
        QVERIFY2(caps.usable, qPrintable(caps.problem));
    }
    void init() { failOnDestroyedProcess(); }

    void limits_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::addColumn<qint64>("wallMs");
        QTest::addColumn<qint64>("inputWaitMs");
        QTest::addColumn<int>("answerAfterMs"); // -1: nobody answers
        QTest::addColumn<QString>("outcome");
        QTest::addColumn<QByteArray>("output");

        const QByteArray greet("name = input('name? ')\nprint('hi', name)\n");
        QTest::addRow("thinking longer than the time limit is not run time")
            << greet << qint64(1000) << qint64(60000) << 2500 << QStringLiteral("exited")
            << QByteArray("name? hi bob\n");
        QTest::addRow("without an input-wait limit the wait counts as run time")
            << greet << qint64(1000) << qint64(0) << 2500 << QStringLiteral("timeout")
            << QByteArray("name? ");
        QTest::addRow("a wait nobody answers ends at the input-wait limit")
            << greet << qint64(60000) << qint64(1500) << -1 << QStringLiteral("input-timeout")
            << QByteArray("name? ");
        QTest::addRow("a program that spins after its input is stopped at the time limit")
            << QByteArray("input()\nprint('got it', flush=True)\nwhile True:\n    pass\n")
            << qint64(1500) << qint64(60000) << 2500 << QStringLiteral("timeout")
            << QByteArray("got it\n");
        QTest::addRow("a thread spinning while another waits for input is run time")
            << QByteArray("import threading\n\ndef spin():\n    while True:\n        pass\n\n"
                          "threading.Thread(target=spin, daemon=True).start()\ninput()\n")
            << qint64(1500) << qint64(60000) << -1 << QStringLiteral("timeout") << QByteArray();
        QTest::addRow("sleeping is not waiting for input")
            << QByteArray("import time\ntime.sleep(30)\n") << qint64(1000) << qint64(60000) << -1
            << QStringLiteral("timeout") << QByteArray();
    }
    void limits()
    {
        QFETCH(QByteArray, code);
        QFETCH(qint64, wallMs);
        QFETCH(qint64, inputWaitMs);
        QFETCH(int, answerAfterMs);
        QFETCH(QString, outcome);
        QFETCH(QByteArray, output);

        Spec spec = pythonSpec(code, std::nullopt);
        spec.limits.wallMs = wallMs;
        spec.limits.inputWaitMs = inputWaitMs;
        SandboxProcess process;
        QByteArray out;
        connect(&process, &SandboxProcess::output,
                [&out](Stream, const QByteArray &data) { out += data; });
        connect(&process, &SandboxProcess::inputWanted, &process, [&process, answerAfterMs] {
            if (answerAfterMs >= 0)
                // Precise: a coarse timer may fire 5% early, before the scenario says.
                QTimer::singleShot(answerAfterMs, Qt::PreciseTimer, &process, [&process] {
                    process.writeStdin("bob\n");
                });
        });
        QSignalSpy done(&process, &SandboxProcess::done);
        process.start(spec);
        QVERIFY(done.wait(60000));
        const auto result = done.first().first().value<Result>();
        QCOMPARE(toString(result.outcome), outcome);
        QCOMPARE(out, output);
        if (outcome == QLatin1String("exited") && inputWaitMs > 0) {
            // The wait was measured and left out of the run time.
            QVERIFY2(result.inputWaitMs >= answerAfterMs - 100,
                     qPrintable(QString::number(result.inputWaitMs)));
            QVERIFY(result.wallMs >= result.inputWaitMs);
        }
        if (outcome == QLatin1String("timeout") && inputWaitMs > 0) {
            // Stopped for running, not for waiting: what it ran reached the limit.
            QVERIFY2(result.wallMs - result.inputWaitMs >= wallMs - 100,
                     qPrintable(QStringLiteral("%1 - %2").arg(result.wallMs).arg(
                         result.inputWaitMs)));
        }
        if (outcome == QLatin1String("input-timeout")) {
            QVERIFY(result.inputWaitMs >= inputWaitMs - 100);
            QVERIFY(result.message.contains(QLatin1String("answered")));
        }
    }

    void answeringEveryPromptKeepsTheRunGoing()
    {
        // Three prompts, each answered after more than the whole time limit: still fine.
        Spec spec = pythonSpec("total = 0\nfor i in range(3):\n    total += int(input('n? '))\n"
                               "print('total', total)\n",
                               std::nullopt);
        spec.limits.wallMs = 800;
        spec.limits.inputWaitMs = 60000;
        SandboxProcess process;
        QByteArray out;
        int answered = 0;
        connect(&process, &SandboxProcess::output,
                [&out](Stream, const QByteArray &data) { out += data; });
        connect(&process, &SandboxProcess::inputWanted, &process, [&] {
            QTimer::singleShot(1000, Qt::PreciseTimer, &process, [&] {
                process.writeStdin(QByteArray::number(++answered) + '\n');
            });
        });
        QSignalSpy done(&process, &SandboxProcess::done);
        process.start(spec);
        QVERIFY(done.wait(60000));
        const auto result = done.first().first().value<Result>();
        COMPARE_OUTCOME(result.outcome, Outcome::Exited);
        QCOMPARE(answered, 3);
        QVERIFY(out.endsWith("total 6\n"));
        QVERIFY2(result.inputWaitMs >= 2700, qPrintable(QString::number(result.inputWaitMs)));
    }
};

QTEST_GUILESS_MAIN(TestInputWait)
#include "tst_inputwait.moc"
