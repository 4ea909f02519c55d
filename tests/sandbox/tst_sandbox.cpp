#include "outcome_p.h"
#include "procstats_p.h"
#include "sandboxtestutil.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <cerrno>
#include <sys/resource.h>

using namespace coderoom::sandbox;
using namespace sandboxtest;

Q_DECLARE_METATYPE(coderoom::sandbox::Outcome)

// Everyday behaviour of one sandboxed process: output, exit codes, stdin, streaming, limits,
// the state machine and the control channel. Hostile programs are in tst_hostile.
class TestSandbox : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(python), "Debian's /usr/bin/python3 is needed");
        const Capabilities &caps = probeCapabilities();
        QVERIFY2(caps.usable, qPrintable(caps.problem));
        QVERIFY(caps.seccomp);
        QVERIFY(!caps.enforcement.isEmpty());
    }
    void init() { failOnDestroyedProcess(); }

    void exitCodes_data()
    {
        QTest::addColumn<QByteArray>("code");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("stdoutText");
        QTest::addColumn<QByteArray>("stderrText");
        QTest::addRow("hello world exits 0 with its output")
            << QByteArray("print('hello')") << 0 << QByteArray("hello\n") << QByteArray();
        QTest::addRow("an exit code is reported as is")
            << QByteArray("import sys; print('bye'); sys.exit(3)") << 3 << QByteArray("bye\n")
            << QByteArray();
        QTest::addRow("stderr arrives apart from stdout")
            << QByteArray("import sys; sys.stderr.write('oops\\n'); print('ok')") << 0
            << QByteArray("ok\n") << QByteArray("oops\n");
        QTest::addRow("invalid UTF-8 and NUL bytes pass through as bytes")
            << QByteArray("import sys; sys.stdout.buffer.write(b'\\xff\\xfe\\x00a\\x00\\xc3(')")
            << 0
            << QByteArray("\xff\xfe\x00"
                          "a\x00\xc3(",
                          7)
            << QByteArray();
    }
    void exitCodes()
    {
        QFETCH(QByteArray, code);
        QFETCH(int, exitCode);
        QFETCH(QByteArray, stdoutText);
        QFETCH(QByteArray, stderrText);
        const Run run = runSpec(pythonSpec(code));
        QVERIFY(run.finished);
        COMPARE_OUTCOME(run.result.outcome, Outcome::Exited);
        QCOMPARE(run.result.exitCode, exitCode);
        QCOMPARE(run.out, stdoutText);
        QCOMPARE(run.err, stderrText);
        QCOMPARE(run.result.outputBytes, stdoutText.size() + stderrText.size());
    }

    void stdinDataIsWrittenThenClosed()
    {
        const QByteArray input("line one\n\xff\x00 binary\nlast", 24);
        const Run run = runSpec(pythonSpec(
            "import sys; data = sys.stdin.buffer.read(); sys.stdout.buffer.write(data[::-1])",
            input));
        COMPARE_OUTCOME(run.result.outcome, Outcome::Exited);
        QByteArray reversed = input;
        std::reverse(reversed.begin(), reversed.end());
        QCOMPARE(run.out, reversed); // read() returned: EOF arrived after the data
    }

    void interactiveStdinAsksForInput()
    {
        SandboxProcess process;
        QByteArray out;
        connect(&process, &SandboxProcess::output,
                [&out](Stream, const QByteArray &data) { out += data; });
        QSignalSpy wanted(&process, &SandboxProcess::inputWanted);
        QSignalSpy done(&process, &SandboxProcess::done);
        process.start(pythonSpec("name = input('name? ')\nprint('hi', name)\n"
                                 "age = input('age? ')\nprint('age', age)\n",
                                 std::nullopt));
        QTRY_COMPARE_WITH_TIMEOUT(wanted.count(), 1, 10000);
        QTRY_COMPARE_WITH_TIMEOUT(out, QByteArray("name? "), 5000); // two pipes, no order
        QCOMPARE(process.pendingStdinBytes(), 0);
        process.writeStdin("bob\n");
        QTRY_VERIFY_WITH_TIMEOUT(out.contains("hi bob\nage? "), 10000);
        QTRY_COMPARE_WITH_TIMEOUT(wanted.count(), 2, 10000); // once per blocking episode
        process.writeStdin("42\n");
        process.closeStdin();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QCOMPARE(out, QByteArray("name? hi bob\nage? age 42\n"));
        QCOMPARE(wanted.count(), 2);
    }

    void outputStreamsBeforeDone()
    {
        SandboxProcess process;
        QList<qint64> arrivals;
        QElapsedTimer clock;
        connect(&process, &SandboxProcess::output,
                [&](Stream, const QByteArray &) { arrivals << clock.elapsed(); });
        QSignalSpy done(&process, &SandboxProcess::done);
        clock.start();
        process.start(pythonSpec("import time\nfor i in range(5):\n"
                                 "    print('tick', i, flush=True); time.sleep(0.1)\n"));
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        const qint64 doneAt = clock.elapsed();
        QVERIFY2(arrivals.size() >= 4, qPrintable(QString::number(arrivals.size())));
        QVERIFY(doneAt - arrivals.first() >= 300); // the first line came long before the end
    }

    void stateMachine()
    {
        SandboxProcess process;
        QCOMPARE(process.state(), SandboxProcess::State::NotStarted);
        QSignalSpy started(&process, &SandboxProcess::started);
        QSignalSpy done(&process, &SandboxProcess::done);
        QList<SandboxProcess::State> statesAtStarted;
        connect(&process, &SandboxProcess::started, [&] { statesAtStarted << process.state(); });
        process.start(pythonSpec("print(1)"));
        QCOMPARE(process.state(), SandboxProcess::State::Starting);
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QCOMPARE(started.count(), 1);
        QCOMPARE(statesAtStarted, {SandboxProcess::State::Running});
        QCOMPARE(process.state(), SandboxProcess::State::Finished);
        process.stop(); // no effect once finished
        QCOMPARE(done.count(), 1);
    }

    void failsToStart_data()
    {
        QTest::addColumn<QStringList>("command");
        QTest::addColumn<QString>("fileName");
        QTest::addRow("a relative command is refused")
            << QStringList{QStringLiteral("python3")} << QStringLiteral("a.py");
        QTest::addRow("a missing program fails to start")
            << QStringList{QStringLiteral("/usr/bin/no-such-program")} << QStringLiteral("a.py");
        QTest::addRow("a file name with .. is refused")
            << QStringList{python} << QStringLiteral("../escape.py");
        QTest::addRow("an absolute file name is refused")
            << QStringList{python} << QStringLiteral("/etc/cron.d/x");
    }
    void failsToStart()
    {
        QFETCH(QStringList, command);
        QFETCH(QString, fileName);
        SandboxProcess process;
        QSignalSpy done(&process, &SandboxProcess::done);
        Spec spec;
        spec.command = command;
        spec.files = {{fileName, "print(1)", false}};
        process.start(spec);
        QCOMPARE(done.count(), 0); // never from inside start()
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        const auto result = done.first().first().value<Result>();
        COMPARE_OUTCOME(result.outcome, Outcome::FailedToStart);
        QVERIFY(!result.message.isEmpty());
    }

    void stopEndsTheJob()
    {
        SandboxProcess process;
        QSignalSpy started(&process, &SandboxProcess::started);
        QSignalSpy done(&process, &SandboxProcess::done);
        process.start(pythonSpec("import time; time.sleep(60)"));
        QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 10000);
        process.stop();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
        COMPARE_OUTCOME(done.first().first().value<Result>().outcome, Outcome::Stopped);
    }

    void stopWhileStartingEndsTheJob()
    {
        SandboxProcess process;
        QSignalSpy done(&process, &SandboxProcess::done);
        process.start(pythonSpec("import time; time.sleep(60)"));
        process.stop();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
        COMPARE_OUTCOME(done.first().first().value<Result>().outcome, Outcome::Stopped);
    }

    void interruptSendsSigint()
    {
        SandboxProcess process;
        QByteArray out;
        connect(&process, &SandboxProcess::output,
                [&out](Stream, const QByteArray &data) { out += data; });
        QSignalSpy done(&process, &SandboxProcess::done);
        process.start(pythonSpec("import time\nprint('ready', flush=True)\ntry:\n"
                                 "    time.sleep(60)\nexcept KeyboardInterrupt:\n"
                                 "    print('interrupted')\n"));
        QTRY_VERIFY_WITH_TIMEOUT(out.contains("ready"), 10000);
        process.interrupt();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
        const auto result = done.first().first().value<Result>();
        COMPARE_OUTCOME(result.outcome, Outcome::Exited);
        QCOMPARE(out, QByteArray("ready\ninterrupted\n"));
    }

    void controlChannelCarriesLines()
    {
        SandboxProcess process;
        QSignalSpy lines(&process, &SandboxProcess::controlLine);
        QSignalSpy done(&process, &SandboxProcess::done);
        Spec spec = pythonSpec("import os\nr = os.fdopen(3, 'rb'); w = os.fdopen(4, 'wb', 0)\n"
                               "for line in r:\n"
                               "    if line.strip() == b'quit': break\n"
                               "    w.write(b'echo ' + line)\n",
                               std::nullopt);
        spec.controlChannel = true;
        process.start(spec);
        process.writeControl("first");
        process.writeControl("second");
        QTRY_COMPARE_WITH_TIMEOUT(lines.count(), 2, 10000);
        QCOMPARE(lines.at(0).first().toByteArray(), QByteArray("echo first"));
        QCOMPARE(lines.at(1).first().toByteArray(), QByteArray("echo second"));
        const QByteArray big(300 * 1024, 'z'); // more than a pipe holds: buffered, not lost
        process.writeControl(big);
        QTRY_COMPARE_WITH_TIMEOUT(lines.count(), 3, 10000);
        QCOMPARE(lines.at(2).first().toByteArray(), "echo " + big);
        process.writeControl("quit");
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        COMPARE_OUTCOME(done.first().first().value<Result>().outcome, Outcome::Exited);
    }

    void environmentIsTheAllowList()
    {
        Spec spec = pythonSpec("import os, json; print(json.dumps(dict(os.environ)))");
        spec.environment = {QStringLiteral("EXTRA=yes")};
        const Run run = runSpec(spec);
        COMPARE_OUTCOME(run.result.outcome, Outcome::Exited);
        QJsonObject env = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(env.keys(), (QStringList{QStringLiteral("EXTRA"), QStringLiteral("HOME"),
                                          QStringLiteral("LANG"), QStringLiteral("PATH"),
                                          QStringLiteral("PWD"), QStringLiteral("TMPDIR")}));
        QCOMPARE(env.value(QLatin1String("PATH")).toString(), QStringLiteral("/usr/bin:/bin"));
        QCOMPARE(env.value(QLatin1String("HOME")).toString(), QStringLiteral("/work"));
    }

    void inputFilesArriveWithPermissions()
    {
        Spec spec;
        spec.command = {QStringLiteral("/work/bin/run.sh")};
        spec.files = {
            {QStringLiteral("bin/run.sh"), "#!/bin/sh\ncat /work/data.txt\nid -u\n", true},
            {QStringLiteral("data.txt"), "payload", false}};
        spec.stdinData = QByteArray();
        const Run run = runSpec(spec);
        COMPARE_OUTCOME(run.result.outcome, Outcome::Exited);
        QCOMPARE(run.out, QByteArray("payload65534\n"));
    }

    void limitsAreVisibleFromOutside()
    {
        const QByteArray marker = "4242.171717";
        Spec spec;
        spec.command = {QStringLiteral("/usr/bin/sleep"), QString::fromLatin1(marker)};
        spec.stdinData = QByteArray();
        spec.limits.memoryMb = 200;
        spec.limits.openFiles = 100;
        spec.limits.cpuMs = 2500;
        SandboxProcess process;
        QSignalSpy done(&process, &SandboxProcess::done);
        process.start(spec);
        // bwrap outside, bwrap's init inside, and the program: the last one is "sleep".
        QTRY_COMPARE_WITH_TIMEOUT(processesWithMarker(marker, "sleep").size(), 1, 10000);
        const pid_t pid = processesWithMarker(marker, "sleep").first();
        QFile limitsFile(QStringLiteral("/proc/%1/limits").arg(pid));
        QVERIFY(limitsFile.open(QIODevice::ReadOnly));
        const QString limits = QString::fromUtf8(limitsFile.readAll()).simplified();
        QVERIFY2(limits.contains(QStringLiteral("Max address space 209715200 209715200")),
                 qPrintable(limits));
        QVERIFY(limits.contains(QStringLiteral("Max open files 100 100")));
        QVERIFY(limits.contains(QStringLiteral("Max core file size 0 0")));
        QVERIFY(limits.contains(QStringLiteral("Max cpu time 3 4")));
        QVERIFY(limits.contains(QStringLiteral("Max processes 65 65")));
        QFile status(QStringLiteral("/proc/%1/status").arg(pid));
        QVERIFY(status.open(QIODevice::ReadOnly));
        const QByteArray statusText = status.readAll();
        if (::geteuid() == 0) // the host sees the unprivileged uid, not root
            QVERIFY(statusText.contains("Uid:\t65534\t65534\t65534\t65534"));
        // The job runs below the server's CPU priority (field 19 of /proc/PID/stat is nice).
        errno = 0;
        const int serverNice = ::getpriority(PRIO_PROCESS, 0);
        QCOMPARE(errno, 0);
        QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
        QVERIFY(stat.open(QIODevice::ReadOnly));
        const QByteArray statText = stat.readAll();
        const QList<QByteArray> fields = statText.mid(statText.lastIndexOf(')') + 2).split(' ');
        QCOMPARE(fields.value(16).toInt(), std::min(19, serverNice + spec.niceness));
        QVERIFY(spec.niceness > 0);
        // ... and so does its scheduler autogroup (a session of its own), where the kernel
        // takes the write at once: as root (CAP_SYS_ADMIN, as in CI).
        QFile autogroup(QStringLiteral("/proc/%1/autogroup").arg(pid));
        if (::geteuid() == 0 && autogroup.open(QIODevice::ReadOnly)) {
            const QByteArray line = autogroup.readAll().trimmed();
            const QByteArray expected =
                " nice " + QByteArray::number(std::min(19, serverNice + spec.niceness));
            QVERIFY2(line.endsWith(expected), line.constData());
        }
        process.stop();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 5000);
    }

    void noServerDescriptorLeaks()
    {
        // A descriptor the server opened without O_CLOEXEC must not reach the program.
        // Both above bwrap's descriptors (100) and in the gap below them (4: no control channel).
        const int leaked = ::open("/etc/hostname", O_RDONLY);
        QVERIFY(leaked >= 0);
        QVERIFY(::dup2(leaked, 100) == 100);
        const bool fourWasFree = ::fcntl(4, F_GETFD) < 0;
        if (fourWasFree)
            QVERIFY(::dup2(leaked, 4) == 4);
        const Run run =
            runSpec(pythonSpec("import os; print(sorted(map(int, os.listdir('/proc/self/fd'))))"));
        ::close(100);
        if (fourWasFree)
            ::close(4);
        ::close(leaked);
        COMPARE_OUTCOME(run.result.outcome, Outcome::Exited);
        // 0-2 and the directory listdir itself opened.
        QCOMPARE(run.out, QByteArray("[0, 1, 2, 3]\n"));
    }

    void classification_data()
    {
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QByteArray>("stderrText");
        QTest::addColumn<qint64>("memoryKb");
        QTest::addColumn<int>("killedFor"); // -1: the program ended on its own
        QTest::addColumn<Outcome>("outcome");
        QTest::addColumn<int>("signal");
        const int own = -1;
        QTest::addRow("exit 0 is a clean exit")
            << 0 << QByteArray() << 0LL << own << Outcome::Exited << 0;
        QTest::addRow("exit 137 without a limit is SIGKILL")
            << 137 << QByteArray() << 0LL << own << Outcome::Signalled << 9;
        QTest::addRow("SIGXCPU is the cpu limit")
            << 152 << QByteArray() << 0LL << own << Outcome::CpuLimit << 24;
        QTest::addRow("MemoryError with a failing exit is the memory limit")
            << 1 << QByteArray("Traceback...\nMemoryError\n") << 0LL << own << Outcome::MemoryLimit
            << 0;
        QTest::addRow("MemoryError caught by the program is a clean exit")
            << 0 << QByteArray("MemoryError\n") << 0LL << own << Outcome::Exited << 0;
        QTest::addRow("a segfault near the memory limit is the memory limit")
            << 139 << QByteArray() << 250LL * 1024 << own << Outcome::MemoryLimit << 11;
        QTest::addRow("a segfault far below the memory limit is a signal")
            << 139 << QByteArray() << 10LL * 1024 << own << Outcome::Signalled << 11;
        QTest::addRow("EAGAIN from fork with a failing exit is the process limit")
            << 1 << QByteArray("BlockingIOError: [Errno 11] Resource temporarily unavailable")
            << 0LL << own << Outcome::ProcessLimit << 0;
        QTest::addRow("a timeout after fork failures is the process limit")
            << 143 << QByteArray("sh: 1: Cannot fork\n") << 0LL << int(Outcome::Timeout)
            << Outcome::ProcessLimit << 15;
        QTest::addRow("a server-side limit wins over the exit code")
            << 0 << QByteArray() << 0LL << int(Outcome::OutputLimit) << Outcome::OutputLimit << 0;
    }
    void classification()
    {
        QFETCH(int, exitCode);
        QFETCH(QByteArray, stderrText);
        QFETCH(qint64, memoryKb);
        QFETCH(int, killedFor);
        QFETCH(Outcome, outcome);
        QFETCH(int, signal);
        JobEvidence evidence;
        evidence.programStarted = true;
        evidence.reportedExitCode = exitCode;
        evidence.bwrapExitCode = exitCode;
        evidence.memoryKb = memoryKb;
        evidence.cpuMs = 10;
        if (killedFor >= 0)
            evidence.killReason = static_cast<Outcome>(killedFor);
        evidence.errors.scan(stderrText);
        const Result result = classifyOutcome(evidence);
        COMPARE_OUTCOME(result.outcome, outcome);
        QCOMPARE(result.signal, signal);
        QCOMPARE(result.exitCode, exitCode);
    }

    void measuresCpuAndMemory()
    {
        const Run run = runSpec(pythonSpec("import time\nb = bytearray(100 * 1024 * 1024)\n"
                                           "t = time.process_time()\n"
                                           "while time.process_time() - t < 0.6: pass\n"));
        COMPARE_OUTCOME(run.result.outcome, Outcome::Exited);
        QVERIFY2(run.result.cpuMs >= 400, qPrintable(QString::number(run.result.cpuMs)));
        QVERIFY2(run.result.memoryKb >= 90 * 1024,
                 qPrintable(QString::number(run.result.memoryKb)));
        QVERIFY(run.result.wallMs >= run.result.cpuMs / 2);
    }
    // The job's processes are found by walking down from the namespace's init; that walk must
    // see exactly what the (slow) comparison of every host process's namespace link sees,
    // including an orphaned, setsid-ed daemon, which the kernel reparents to the init.
    void processTreeMatchesTheNamespace()
    {
        if (!processTree(::getpid()))
            QFAIL("this kernel has no /proc/<pid>/task/<tid>/children; the fallback is in use");
        const QByteArray marker = "tree-marker-" + QByteArray::number(::getpid());
        SandboxProcess process;
        QSignalSpy doneSpy(&process, &SandboxProcess::done);
        Spec spec = pythonSpec("import os, time, sys\n"
                               "if os.fork() == 0:\n"
                               "    os.setsid()\n"
                               "    if os.fork() == 0:\n"
                               "        time.sleep(60)\n"
                               "    os._exit(0)\n"
                               "for _ in range(2):\n"
                               "    if os.fork() == 0:\n"
                               "        time.sleep(60)\n"
                               "print('" +
                               marker +
                               "', flush=True)\n"
                               "time.sleep(60)\n");
        spec.limits.wallMs = 30000;
        QByteArray out;
        connect(&process, &SandboxProcess::output,
                [&out](Stream, const QByteArray &data) { out += data; });
        process.start(spec);
        QTRY_VERIFY_WITH_TIMEOUT(out.contains(marker), 20000);

        // bwrap is our child; the namespace's init is bwrap's child in another PID namespace.
        const QByteArray ownNamespace = pidNamespaceOf(::getpid());
        pid_t init = 0;
        const QList<pid_t> ours = processTree(::getpid()).value_or(QList<pid_t>());
        for (const pid_t pid : ours) {
            const QByteArray ns = pidNamespaceOf(pid);
            if (!ns.isEmpty() && ns != ownNamespace) {
                init = pid; // breadth first: the first one found is the topmost
                break;
            }
        }
        QVERIFY(init > 0);
        const QByteArray link = pidNamespaceOf(init);

        // The init, main, 2 sleepers, the daemon (its parent exited, so it was reparented to
        // the init) and that parent's zombie (main does not reap it).
        QTRY_COMPARE_WITH_TIMEOUT(processesInNamespace(link).size(), 6, 10000);
        QList<pid_t> scanned = processesInNamespace(link);
        QList<pid_t> walked = jobProcesses(init, link);
        std::sort(scanned.begin(), scanned.end());
        std::sort(walked.begin(), walked.end());
        QCOMPARE(walked, scanned);
        process.stop();
        QVERIFY(doneSpy.wait(15000));
        QTRY_VERIFY_WITH_TIMEOUT(processTree(init)->isEmpty(), 5000);
    }
};

QTEST_GUILESS_MAIN(TestSandbox)
#include "tst_sandbox.moc"
