// Pre-started Python sandboxes (PrestartPool + python_launcher.py) against the cold path: real
// bubblewrap, real python3. The same programs run both ways and must look identical to the
// student: stdout, stderr (traceback text included), outcome and exit code.
#include "languageregistry.h"
#include "prestartpool.h"
#include "programrun.h"
#include "sandboxprocess.h"

#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTest>

#include <functional>

using namespace coderoom::languages;
using coderoom::sandbox::Outcome;

namespace {

using Files = QList<ProgramFile>;

ProgramFile file(const char *name, const char *content)
{
    return ProgramFile{QString::fromUtf8(name), QByteArray(content)};
}

struct Transcript
{
    QByteArray out;
    QByteArray err;
    ProgramResult result;
    int inputWanted = 0;
};

constexpr int DoneTimeoutMs = 30000;
constexpr int ReadyTimeoutMs = 20000;

} // namespace

class TestPrestart : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void sameAsColdPath_data();
    void sameAsColdPath();
    void interactiveInputWorksAsCold();
    void wallLimitCountsFromArm();
    void aSandboxServesOneRunOnly();
    void unfitRequestsGoCold();

private:
    Transcript run(PrestartPool *pool, const ProgramRequest &request,
                   const std::function<void(ProgramRun &, Transcript &)> &onInput = {});
    void waitReady(PrestartPool &pool);

    std::optional<LanguageRegistry> m_registry;
    const Language *m_python = nullptr;
    std::unique_ptr<PrestartPool> m_pool;
};

void TestPrestart::initTestCase()
{
    const auto &caps = coderoom::sandbox::probeCapabilities();
    QVERIFY2(caps.usable, qPrintable(caps.problem));
    QString error;
    m_registry = LanguageRegistry::load(
        QStringLiteral(CODEROOM_TEST_RESOURCES_DIR) + QStringLiteral("/languages.json"), &error);
    QVERIFY2(m_registry, qPrintable(error));
    m_python = m_registry->find(QStringLiteral("python"));
    QVERIFY(m_python && m_python->available);
    PrestartOptions options;
    options.size = 1;
    m_pool = std::make_unique<PrestartPool>(*m_python, QStringLiteral(CODEROOM_TEST_RESOURCES_DIR),
                                            options);
    QVERIFY2(m_pool->isEnabled(), qPrintable(m_pool->problem()));
}

void TestPrestart::waitReady(PrestartPool &pool)
{
    QTRY_VERIFY_WITH_TIMEOUT(pool.readyCount() > 0, ReadyTimeoutMs);
}

Transcript TestPrestart::run(PrestartPool *pool, const ProgramRequest &request,
                             const std::function<void(ProgramRun &, Transcript &)> &onInput)
{
    Transcript t;
    ProgramRunOptions options;
    options.prestart = pool;
    ProgramRun program(*m_python, request, options);
    connect(&program, &ProgramRun::output, this,
            [&t](ProgramStream stream, const QByteArray &data) {
                (stream == ProgramStream::Stdout ? t.out : t.err) += data;
            });
    connect(&program, &ProgramRun::inputWanted, this, [&] {
        ++t.inputWanted;
        if (onInput)
            onInput(program, t);
    });
    connect(&program, &ProgramRun::done, this, [&t](const ProgramResult &r) { t.result = r; });
    QSignalSpy doneSpy(&program, &ProgramRun::done);
    program.start();
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(doneSpy.count() > 0, DoneTimeoutMs);
    }();
    return t;
}

void TestPrestart::sameAsColdPath_data()
{
    QTest::addColumn<Files>("files");
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("shows"); // in stdout + stderr, so a row cannot pass vacuously

    QTest::addRow("hello world") << Files{file("main.py", "print('hello, world')\n")}
                                 << QStringList() << QByteArray() << QByteArray("hello, world\n");
    QTest::addRow("sys.exit(3) exits with 3")
        << Files{file("main.py", "import sys\nprint('bye')\nsys.exit(3)\n")} << QStringList()
        << QByteArray() << QByteArray("bye\n");
    QTest::addRow("sys.exit with a message prints it and exits 1")
        << Files{file("main.py", "import sys\nsys.exit('giving up')\n")} << QStringList()
        << QByteArray() << QByteArray("giving up\n");
    QTest::addRow("an uncaught exception has the same traceback text")
        << Files{file("main.py", "def f(x):\n    return 1 / x\n\ndef g():\n    return f(0)\n\n"
                                 "print('before')\ng()\n")}
        << QStringList() << QByteArray() << QByteArray("File \"/work/main.py\", line 5, in g\n");
    QTest::addRow("a chained exception from an imported file reads the same")
        << Files{file("main.py", "import helper\ntry:\n    helper.boom()\nexcept KeyError as e:\n"
                                 "    raise RuntimeError('wrapped') from e\n"),
                 file("helper.py", "def boom():\n    return {}['missing']\n")}
        << QStringList() << QByteArray() << QByteArray("The above exception was the direct cause");
    QTest::addRow("a syntax error reads the same")
        << Files{file("main.py", "print('x'\n")} << QStringList() << QByteArray()
        << QByteArray("SyntaxError:");
    QTest::addRow("stdin data is read to EOF")
        << Files{file("main.py",
                      "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n")}
        << QStringList() << QByteArray("1 2 3\n4\n") << QByteArray("10\n");
    QTest::addRow("input() past EOF raises EOFError the same way")
        << Files{file("main.py", "print(input())\nprint(input())\n")} << QStringList()
        << QByteArray("only one line\n") << QByteArray("EOFError");
    QTest::addRow("argv, path, file, name and cwd are the cold path's")
        << Files{file("main.py", "import sys, os\nprint(sys.argv)\nprint(sys.path[0], __file__, "
                                 "__name__, os.getcwd())\nprint(sorted(globals()))\n"
                                 "print(__spec__, __package__, __cached__)\n"
                                 "print(sys.flags)\nprint(sys.orig_argv[1:])\n")}
        << QStringList{QStringLiteral("one"), QStringLiteral("two words")} << QByteArray()
        << QByteArray("['main.py', 'one', 'two words']\n/work /work/main.py __main__ /work\n");
    QTest::addRow("a second file is imported by main")
        << Files{file("main.py", "import helper\nprint(helper.double(21))\n"),
                 file("helper.py", "def double(x):\n    return 2 * x\n")}
        << QStringList() << QByteArray() << QByteArray("42\n");
    QTest::addRow("the program sees only its own files and no extra descriptors")
        << Files{file("main.py", "import os\nprint(sorted(os.listdir('.')))\n"
                                 "print(sorted(os.listdir('/proc/self/fd')))\n"
                                 "print(oct(os.stat('main.py').st_mode))\n"),
                 file("data.txt", "x\n")}
        << QStringList() << QByteArray()
        << QByteArray("['data.txt', 'main.py']\n['0', '1', '2', '3']\n0o100644");
    QTest::addRow("modules the launcher used are not preloaded")
        << Files{file("main.py", "import sys\nprint(sorted(m for m in sys.modules "
                                 "if m in ('json', 'base64', 'os', 'signal')))\n")}
        << QStringList() << QByteArray() << QByteArray("[]\n");
    QTest::addRow("a memory bomb fails the same way")
        << Files{file("main.py", "x = bytearray(2 * 1024 ** 3)\nprint(len(x))\n")} << QStringList()
        << QByteArray() << QByteArray("MemoryError");
}

void TestPrestart::sameAsColdPath()
{
    QFETCH(Files, files);
    QFETCH(QStringList, args);
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, shows);
    ProgramRequest request;
    request.files = files;
    request.args = args;
    request.stdinData = input;

    const Transcript cold = run(nullptr, request);
    waitReady(*m_pool);
    const qint64 servedBefore = m_pool->stats().served;
    const Transcript warm = run(m_pool.get(), request);

    QVERIFY(!cold.result.prestarted);
    QVERIFY(warm.result.prestarted);
    QCOMPARE(m_pool->stats().served, servedBefore + 1);
    QCOMPARE(warm.out, cold.out);
    QCOMPARE(warm.err, cold.err);
    QCOMPARE(coderoom::sandbox::toString(warm.result.run.outcome),
             coderoom::sandbox::toString(cold.result.run.outcome));
    QCOMPARE(warm.result.run.exitCode, cold.result.run.exitCode);
    const QByteArray seen = warm.out + warm.err;
    QVERIFY2(seen.contains(shows), seen.constData());
}

void TestPrestart::interactiveInputWorksAsCold()
{
    ProgramRequest request;
    request.files = {file("main.py", "name = input('Name? ')\nprint('Hello,', name)\n")};
    const auto answer = [](ProgramRun &program, Transcript &) {
        program.writeStdin("Ada\n");
    };
    const Transcript cold = run(nullptr, request, answer);
    waitReady(*m_pool);
    const Transcript warm = run(m_pool.get(), request, answer);
    QVERIFY(warm.result.prestarted);
    QCOMPARE(warm.inputWanted, 1);
    QCOMPARE(cold.inputWanted, 1);
    QCOMPARE(warm.out, QByteArray("Name? Hello, Ada\n"));
    QCOMPARE(warm.out, cold.out);
    QCOMPARE(warm.result.run.exitCode, 0);
}

void TestPrestart::wallLimitCountsFromArm()
{
    // A sandbox pre-started well over the wall limit ago must still give the program the
    // whole limit: the clock starts when the program is handed over.
    constexpr qint64 wallMs = 1500;
    waitReady(*m_pool);
    QElapsedTimer waiting;
    waiting.start();
    QTRY_VERIFY_WITH_TIMEOUT(waiting.elapsed() > 2 * wallMs, 3 * wallMs);
    ProgramRequest request;
    request.files = {file("main.py", "import time\nprint('running', flush=True)\n"
                                     "for _ in range(100):\n    time.sleep(0.1)\n")};
    request.limits.wallMs = wallMs;
    const Transcript warm = run(m_pool.get(), request);
    QVERIFY(warm.result.prestarted);
    QCOMPARE(warm.out, QByteArray("running\n"));
    QCOMPARE(coderoom::sandbox::toString(warm.result.run.outcome),
             coderoom::sandbox::toString(Outcome::Timeout));
    QVERIFY2(warm.result.run.wallMs >= wallMs && warm.result.run.wallMs < wallMs + 2000,
             qPrintable(QString::number(warm.result.run.wallMs)));
}

void TestPrestart::aSandboxServesOneRunOnly()
{
    ProgramRequest request;
    request.files = {file("main.py", "import os\nprint(os.path.exists('/tmp/left-behind'))\n"
                                     "open('/tmp/left-behind', 'w').write('secret')\n")};
    const qint64 startedBefore = m_pool->stats().started;
    waitReady(*m_pool);
    const Transcript first = run(m_pool.get(), request);
    waitReady(*m_pool);
    const Transcript second = run(m_pool.get(), request);
    QVERIFY(first.result.prestarted);
    QVERIFY(second.result.prestarted);
    QCOMPARE(first.out, QByteArray("False\n"));
    QCOMPARE(second.out, QByteArray("False\n")); // a fresh sandbox, not the first one again
    QVERIFY(m_pool->stats().started >= startedBefore + 2); // both were replaced
    waitReady(*m_pool);                                    // and the pool refilled itself
}

void TestPrestart::unfitRequestsGoCold()
{
    // A lower CPU limit is an rlimit the pooled sandbox was not started with.
    ProgramRequest request;
    request.files = {file("main.py", "print('cold')\n")};
    request.limits.cpuMs = 2000;
    waitReady(*m_pool);
    const qint64 coldBefore = m_pool->stats().cold;
    const Transcript t = run(m_pool.get(), request);
    QVERIFY(!t.result.prestarted);
    QCOMPARE(t.out, QByteArray("cold\n"));
    QCOMPARE(m_pool->stats().cold, coldBefore + 1);
    QCOMPARE(m_pool->readyCount(), 1); // still there for the next fitting run
}

QTEST_GUILESS_MAIN(TestPrestart)
#include "tst_prestart.moc"
