// ProgramRun end to end: real bubblewrap sandbox, real python3, g++, javac/java and node.
// Every case waits for exactly one done() with QSignalSpy; no fixed sleeps.
#include "languageregistry.h"
#include "programrun.h"
#include "sandboxprocess.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

#include <functional>

using namespace coderoom::languages;
using coderoom::sandbox::Outcome;

namespace {

using Files = QList<ProgramFile>;

ProgramFile file(const char *name, const char *content)
{
    return ProgramFile{QString::fromUtf8(name), QByteArray(content)};
}

// Everything one ProgramRun produced.
struct Transcript
{
    QByteArray compile;
    QByteArray out;
    QByteArray err;
    int compileStarted = 0;
    int started = 0;
    int doneCount = 0;
    ProgramResult result;
    qint64 elapsedMs = 0;
    bool finished = false; // state() was Finished after done()
};

constexpr int DoneTimeoutMs = 60000;

// Outcomes compared as words, so a failure says "Timeout" instead of a number.
QString name(Outcome outcome)
{
    return coderoom::sandbox::toString(outcome);
}

} // namespace

class TestProgramRun : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void programs_data();
    void programs();
    void secondRunOfUnchangedCodeIsACacheHit();
    void hostileCompileIsContained_data();
    void hostileCompileIsContained();
    void compilerOutputsAreReadWithoutFollowingLinks_data();
    void compilerOutputsAreReadWithoutFollowingLinks();
    void invalidRequestsAreRefused_data();
    void invalidRequestsAreRefused();
    void interactiveStdinIsForwarded();
    void stopWhileCompilingEndsStopped();
    void replDriverStartsInTheSandbox_data();
    void replDriverStartsInTheSandbox();

private:
    Transcript runProgram(const Language &language, const ProgramRequest &request,
                          const QString &cacheDir,
                          const std::function<void(ProgramRun &)> &setup = {});
    const Language &language(const QString &id);

    std::optional<LanguageRegistry> m_registry;
    QTemporaryDir m_cache;
};

void TestProgramRun::initTestCase()
{
    QVERIFY(m_cache.isValid());
    const auto &caps = coderoom::sandbox::probeCapabilities();
    QVERIFY2(caps.usable, qPrintable(caps.problem));
    QString error;
    m_registry = LanguageRegistry::load(
        QStringLiteral(CODEROOM_TEST_RESOURCES_DIR) + QStringLiteral("/languages.json"), &error);
    QVERIFY2(m_registry, qPrintable(error));
    for (const Language &lang : m_registry->languages())
        QVERIFY2(lang.available, qPrintable(lang.id + QStringLiteral(": ") + lang.problem));
}

const Language &TestProgramRun::language(const QString &id)
{
    const Language *found = m_registry->find(id);
    Q_ASSERT(found);
    return *found;
}

Transcript TestProgramRun::runProgram(const Language &lang, const ProgramRequest &request,
                                      const QString &cacheDir,
                                      const std::function<void(ProgramRun &)> &setup)
{
    Transcript t;
    ProgramRunOptions options;
    options.cacheDir = cacheDir;
    ProgramRun run(lang, request, options);
    connect(&run, &ProgramRun::compileStarted, this, [&t] { ++t.compileStarted; });
    connect(&run, &ProgramRun::started, this, [&t] { ++t.started; });
    connect(&run, &ProgramRun::output, this, [&t](ProgramStream stream, const QByteArray &data) {
        (stream == ProgramStream::Compile  ? t.compile
         : stream == ProgramStream::Stdout ? t.out
                                           : t.err) += data;
    });
    connect(&run, &ProgramRun::done, this, [&t](const ProgramResult &r) { t.result = r; });
    if (setup)
        setup(run);
    QSignalSpy doneSpy(&run, &ProgramRun::done);
    QElapsedTimer timer;
    timer.start();
    run.start();
    [&] {
        QTRY_VERIFY_WITH_TIMEOUT(doneSpy.count() > 0, DoneTimeoutMs);
    }();
    t.elapsedMs = timer.elapsed();
    QCoreApplication::processEvents(); // a second done() would show up here
    t.doneCount = int(doneSpy.count());
    t.finished = run.state() == ProgramRun::State::Finished;
    return t;
}

void TestProgramRun::programs_data()
{
    QTest::addColumn<QString>("lang");
    QTest::addColumn<Files>("files");
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<bool>("compileFails");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QByteArray>("stdoutContains");
    QTest::addColumn<QByteArray>("diagnosticContains"); // compile stream (or stderr)

    QTest::addRow("python: hello world prints")
        << "python" << Files{file("main.py", "print('hello, world')\n")} << QByteArray() << false
        << 0 << QByteArray("hello, world\n") << QByteArray();
    QTest::addRow("python: reads its whole stdin")
        << "python"
        << Files{file("main.py",
                      "import sys\nprint(sum(int(x) for x in sys.stdin.read().split()))\n")}
        << QByteArray("1 2 3\n4\n") << false << 0 << QByteArray("10\n") << QByteArray();
    QTest::addRow("python: an exception exits non-zero")
        << "python" << Files{file("main.py", "raise ValueError('boom')\n")} << QByteArray() << false
        << 1 << QByteArray() << QByteArray("ValueError: boom");
    QTest::addRow("python: imports a module from another file")
        << "python"
        << Files{file("main.py", "import helper\nprint(helper.double(21))\n"),
                 file("helper.py", "def double(x):\n    return 2 * x\n")}
        << QByteArray() << false << 0 << QByteArray("42\n") << QByteArray();

    QTest::addRow("cpp: hello world prints")
        << "cpp"
        << Files{file("main.cpp", "#include <iostream>\nint main() { std::cout << \"hello, "
                                  "world\\n\"; }\n")}
        << QByteArray() << false << 0 << QByteArray("hello, world\n") << QByteArray();
    QTest::addRow("cpp: reads stdin")
        << "cpp"
        << Files{file("main.cpp", "#include <iostream>\nint main() { long a, b, s = 0; "
                                  "while (std::cin >> a >> b) s += a * b; std::cout << s << "
                                  "'\\n'; }\n")}
        << QByteArray("2 3\n4 5\n") << false << 0 << QByteArray("26\n") << QByteArray();
    QTest::addRow("cpp: a non-zero return is reported")
        << "cpp" << Files{file("main.cpp", "int main() { return 3; }\n")} << QByteArray() << false
        << 3 << QByteArray() << QByteArray();
    QTest::addRow("cpp: a compile error fails with the diagnostic")
        << "cpp" << Files{file("main.cpp", "int main() { return undeclared_name; }\n")}
        << QByteArray() << true << -1 << QByteArray() << QByteArray("undeclared_name");
    QTest::addRow("cpp: a program with a header compiles both files")
        << "cpp"
        << Files{file("main.cpp", "#include \"util.h\"\n#include <cstdio>\n"
                                  "int main() { std::printf(\"%d\\n\", triple(14)); }\n"),
                 file("util.h", "#pragma once\nint triple(int x);\n"),
                 file("util.cpp", "#include \"util.h\"\nint triple(int x) { return 3 * x; }\n")}
        << QByteArray() << false << 0 << QByteArray("42\n") << QByteArray();

    QTest::addRow("java: hello world prints")
        << "java"
        << Files{file("Main.java", "public class Main { public static void main(String[] a) {"
                                   " System.out.println(\"hello, world\"); } }\n")}
        << QByteArray() << false << 0 << QByteArray("hello, world\n") << QByteArray();
    QTest::addRow("java: reads stdin")
        << "java"
        << Files{file("Main.java",
                      "import java.util.Scanner;\npublic class Main { public static void "
                      "main(String[] a) { Scanner s = new Scanner(System.in); int t = 0; "
                      "while (s.hasNextInt()) t += s.nextInt(); System.out.println(t); } }\n")}
        << QByteArray("5 6 7\n") << false << 0 << QByteArray("18\n") << QByteArray();
    QTest::addRow("java: an uncaught exception exits non-zero")
        << "java"
        << Files{file("Main.java", "public class Main { public static void main(String[] a) {"
                                   " throw new IllegalStateException(\"boom\"); } }\n")}
        << QByteArray() << false << 1 << QByteArray() << QByteArray("IllegalStateException");
    QTest::addRow("java: a compile error fails with the diagnostic")
        << "java"
        << Files{file("Main.java", "public class Main { public static void main(String[] a) {"
                                   " int x = \"text\"; } }\n")}
        << QByteArray() << true << -1 << QByteArray() << QByteArray("incompatible types");
    QTest::addRow("java: two classes in two files work together")
        << "java"
        << Files{file("Main.java", "public class Main { public static void main(String[] a) {"
                                   " System.out.println(new Greeter().greet(\"Ada\")); } }\n"),
                 file("Greeter.java", "public class Greeter { String greet(String n) {"
                                      " return \"hi \" + n; } }\n")}
        << QByteArray() << false << 0 << QByteArray("hi Ada\n") << QByteArray();

    QTest::addRow("javascript: hello world prints")
        << "javascript" << Files{file("main.js", "console.log('hello, world');\n")} << QByteArray()
        << false << 0 << QByteArray("hello, world\n") << QByteArray();
    QTest::addRow("javascript: reads stdin")
        << "javascript"
        << Files{file("main.js", "const d = require('fs').readFileSync(0, 'utf8');\n"
                                 "console.log(d.trim().split(/\\s+/).map(Number)"
                                 ".reduce((a, b) => a + b, 0));\n")}
        << QByteArray("7 8 9\n") << false << 0 << QByteArray("24\n") << QByteArray();
    QTest::addRow("javascript: a thrown error exits non-zero")
        << "javascript" << Files{file("main.js", "throw new Error('boom');\n")} << QByteArray()
        << false << 1 << QByteArray() << QByteArray("Error: boom");
    QTest::addRow("javascript: requires a module from another file")
        << "javascript"
        << Files{file("main.js", "console.log(require('./lib.js').half(84));\n"),
                 file("lib.js", "exports.half = (x) => x / 2;\n")}
        << QByteArray() << false << 0 << QByteArray("42\n") << QByteArray();
}

void TestProgramRun::programs()
{
    QFETCH(QString, lang);
    QFETCH(Files, files);
    QFETCH(QByteArray, input);
    QFETCH(bool, compileFails);
    QFETCH(int, exitCode);
    QFETCH(QByteArray, stdoutContains);
    QFETCH(QByteArray, diagnosticContains);

    ProgramRequest request;
    request.files = files;
    request.stdinData = input; // given (possibly empty): whole input, then EOF
    const Transcript t = runProgram(language(lang), request, m_cache.path());
    const ProgramResult &r = t.result;
    QCOMPARE(t.doneCount, 1);
    QVERIFY(t.finished);
    QVERIFY2(!r.invalidRequest, qPrintable(r.message));
    QCOMPARE(r.compileFailed, compileFails);
    const QByteArray diagnostics = compileFails ? t.compile : t.err;
    QVERIFY2(diagnostics.contains(diagnosticContains), diagnostics.constData());
    if (compileFails) {
        QCOMPARE(t.started, 0);
        QCOMPARE(t.compileStarted, 1);
        return;
    }
    QCOMPARE(t.started, 1);
    QVERIFY2(r.run.outcome == Outcome::Exited,
             qPrintable(coderoom::sandbox::toString(r.run.outcome) + r.run.message + r.message +
                        QString::fromUtf8(t.compile + t.err)));
    QCOMPARE(r.run.exitCode, exitCode);
    QVERIFY2(t.out.contains(stdoutContains), t.out.constData());
    QCOMPARE(r.message.isEmpty(), exitCode == 0);
}

void TestProgramRun::secondRunOfUnchangedCodeIsACacheHit()
{
    QTemporaryDir cache;
    QVERIFY(cache.isValid());
    ProgramRequest request;
    request.files = {file("main.cpp", "#include <cstdio>\n#include <vector>\n"
                                      "int main() { std::vector<int> v(5, 8);"
                                      " std::printf(\"%zu\\n\", v.size() * v[0]); }\n")};
    request.stdinData = QByteArray();
    const Transcript first = runProgram(language(QStringLiteral("cpp")), request, cache.path());
    QCOMPARE(first.result.run.exitCode, 0);
    QVERIFY(first.result.compiled);
    QVERIFY(!first.result.cacheHit);
    QCOMPARE(first.compileStarted, 1);

    const Transcript second = runProgram(language(QStringLiteral("cpp")), request, cache.path());
    QCOMPARE(name(second.result.run.outcome), name(Outcome::Exited));
    QCOMPARE(second.result.run.exitCode, 0);
    QCOMPARE(second.out, QByteArray("40\n"));
    QVERIFY(second.result.cacheHit);
    QVERIFY(!second.result.compiled);
    QCOMPARE(second.compileStarted, 0); // the compiler did not run
    qDebug() << "C++ compile + run:" << first.elapsedMs << "ms (compile" << first.result.compileMs
             << "ms); cached run:" << second.elapsedMs << "ms";

    // A changed source is a miss again.
    request.files.first().content.replace("5, 8", "5, 9");
    const Transcript third = runProgram(language(QStringLiteral("cpp")), request, cache.path());
    QVERIFY(!third.result.cacheHit);
    QCOMPARE(third.out, QByteArray("45\n"));
}

void TestProgramRun::hostileCompileIsContained_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QByteArray>("mustNotAppear");
    QTest::addRow("including /dev/random is stopped by the compile limits")
        << QByteArray("#include \"/dev/random\"\nint main() {}\n") << QByteArray();
    QTest::addRow("including /etc/shadow does not leak the host file")
        << QByteArray("#include \"/etc/shadow\"\nint main() {}\n") << QByteArray("root:");
    QTest::addRow("a template recursion bomb is cut off")
        << QByteArray("template<int N> struct B { static const int v = B<N + 1>::v + 1; };\n"
                      "int main() { return B<0>::v; }\n")
        << QByteArray();
}

void TestProgramRun::hostileCompileIsContained()
{
    QFETCH(QByteArray, source);
    QFETCH(QByteArray, mustNotAppear);
    ProgramRequest request;
    request.files = {ProgramFile{QStringLiteral("main.cpp"), source}};
    request.stdinData = QByteArray();
    request.limits.compileWallMs = 15000;
    const Transcript t =
        runProgram(language(QStringLiteral("cpp")), request, QString() /* no cache */);
    QCOMPARE(t.doneCount, 1);
    QVERIFY(t.result.compileFailed);
    QCOMPARE(t.started, 0);
    QVERIFY(t.elapsedMs < 30000);
    QVERIFY2(!t.compile.contains("bwrap:"), t.compile.constData()); // the compiler really ran
    if (!mustNotAppear.isEmpty())
        QVERIFY2(!t.compile.contains(mustNotAppear), t.compile.constData());
    qDebug().noquote() << coderoom::sandbox::toString(t.result.compile.outcome) << t.elapsedMs
                       << "ms:" << t.result.message;
}

// A compile step is attacker-influenced: what it leaves in /out may be a symlink to a host file
// or a FIFO. A fake "compiler" plants them; ProgramRun must refuse, not follow or hang.
void TestProgramRun::compilerOutputsAreReadWithoutFollowingLinks_data()
{
    QTest::addColumn<QString>("tool");
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("messageContains");
    QTest::addRow("a symlink to a host file is refused")
        << QStringLiteral("/usr/bin/ln")
        << QStringList{QStringLiteral("-s"), QStringLiteral("/etc/hostname"),
                       QStringLiteral("{out}/program")}
        << QStringLiteral("cannot open compiler output program");
    QTest::addRow("a FIFO is refused without hanging")
        << QStringLiteral("/usr/bin/mkfifo") << QStringList{QStringLiteral("{out}/program")}
        << QStringLiteral("not a regular file");
    QTest::addRow("no output at all is a compile failure")
        << QStringLiteral("/usr/bin/true") << QStringList{}
        << QStringLiteral("produced no program");
}

void TestProgramRun::compilerOutputsAreReadWithoutFollowingLinks()
{
    QFETCH(QString, tool);
    QFETCH(QStringList, arguments);
    QFETCH(QString, messageContains);
    Language fake;
    fake.id = QStringLiteral("fake");
    fake.name = QStringLiteral("Fake");
    fake.extensions = {QStringLiteral("txt")};
    fake.available = true;
    fake.runtimePath = QStringLiteral("/usr/bin/cat");
    fake.runCommand = {QStringLiteral("/usr/bin/cat"), QStringLiteral("/work/program")};
    CompileStep step;
    step.compilerPath = tool;
    step.command = QStringList{QStringLiteral("{compiler}")} + arguments;
    step.sourceExtensions = {QStringLiteral("txt")};
    step.outputs = {QStringLiteral("program")};
    fake.compile = step;

    ProgramRequest request;
    request.files = {file("main.txt", "x")};
    request.stdinData = QByteArray();
    const Transcript t = runProgram(fake, request, QString());
    QCOMPARE(t.doneCount, 1);
    QVERIFY2(t.result.compileFailed, qPrintable(t.result.message));
    QCOMPARE(name(t.result.compile.outcome), name(Outcome::Exited));
    QCOMPARE(t.result.compile.exitCode, 0); // the "compiler" itself succeeded
    QVERIFY2(t.result.message.contains(messageContains), qPrintable(t.result.message));
    QCOMPARE(t.started, 0);
    QVERIFY(t.out.isEmpty());
    qDebug().noquote() << t.result.message;
}

void TestProgramRun::invalidRequestsAreRefused_data()
{
    QTest::addColumn<Files>("files");
    QTest::addColumn<QString>("main");
    QTest::addRow("no files") << Files{} << QString();
    QTest::addRow("a parent-directory name") << Files{file("../main.py", "print(1)")} << QString();
    QTest::addRow("an absolute name") << Files{file("/tmp/main.py", "print(1)")} << QString();
    QTest::addRow("a NUL in a name")
        << Files{ProgramFile{QStringLiteral("ma") + QChar(0) + QStringLiteral("in.py"), "1"}}
        << QString();
    QTest::addRow("the same name twice")
        << Files{file("main.py", "print(1)"), file("main.py", "print(2)")} << QString();
    QTest::addRow("a main file that is not among the files")
        << Files{file("main.py", "print(1)")} << QStringLiteral("other.py");
}

void TestProgramRun::invalidRequestsAreRefused()
{
    QFETCH(Files, files);
    QFETCH(QString, main);
    ProgramRequest request;
    request.files = files;
    request.main = main;
    const Transcript t = runProgram(language(QStringLiteral("python")), request, QString());
    QCOMPARE(t.doneCount, 1);
    QVERIFY(t.result.invalidRequest);
    QCOMPARE(name(t.result.run.outcome), name(Outcome::FailedToStart));
    QVERIFY(!t.result.message.isEmpty());
    QCOMPARE(t.started, 0);
}

void TestProgramRun::interactiveStdinIsForwarded()
{
    ProgramRequest request;
    request.files = {file("main.py", "n = int(input('n? '))\nprint(n * 2)\n"
                                     "import sys\nprint('rest:', repr(sys.stdin.read()))\n")};
    // stdinData absent: interactive. Input typed before the program starts is kept for it.
    int waits = 0;
    const Transcript t = runProgram(
        language(QStringLiteral("python")), request, QString(), [&waits](ProgramRun &run) {
            QObject::connect(&run, &ProgramRun::inputWanted, &run, [&run, &waits] {
                if (++waits == 1) {
                    run.writeStdin("21\n");
                    run.closeStdin();
                }
            });
        });
    QCOMPARE(t.doneCount, 1);
    QCOMPARE(name(t.result.run.outcome), name(Outcome::Exited));
    QCOMPARE(t.result.run.exitCode, 0);
    QVERIFY(waits >= 1);
    QCOMPARE(t.out, QByteArray("n? 42\nrest: ''\n"));
}

void TestProgramRun::stopWhileCompilingEndsStopped()
{
    ProgramRequest request;
    request.files = {file("Main.java", "public class Main { public static void main(String[] a)"
                                       " { System.out.println(1); } }\n")};
    request.stdinData = QByteArray();
    // Stop from the event loop right after the compiler was launched: the real sandbox kill.
    const Transcript t =
        runProgram(language(QStringLiteral("java")), request, QString(), [](ProgramRun &run) {
            QObject::connect(&run, &ProgramRun::compileStarted, &run,
                             [&run] { QTimer::singleShot(0, &run, [&run] { run.stop(); }); });
        });
    QCOMPARE(t.doneCount, 1);
    QVERIFY(t.finished);
    QCOMPARE(t.compileStarted, 1);
    QCOMPARE(name(t.result.run.outcome), name(Outcome::Stopped));
    QCOMPARE(t.started, 0);
    QVERIFY(!t.result.compileFailed);
}

void TestProgramRun::replDriverStartsInTheSandbox_data()
{
    QTest::addColumn<QString>("lang");
    for (const Language &lang : m_registry->availableLanguages()) {
        if (lang.hasRepl)
            QTest::addRow("the %s driver says ready", qPrintable(lang.id)) << lang.id;
    }
}

// replSpec is what the sessions module starts: the driver must be visible at its bound path
// and speak first on the control channel.
void TestProgramRun::replDriverStartsInTheSandbox()
{
    QFETCH(QString, lang);
    QString error;
    auto spec = replSpec(language(lang), QStringLiteral(CODEROOM_TEST_RESOURCES_DIR), &error);
    QVERIFY2(spec, qPrintable(error));
    spec->limits.wallMs = 30000;
    coderoom::sandbox::SandboxProcess process;
    QSignalSpy lines(&process, &coderoom::sandbox::SandboxProcess::controlLine);
    QSignalSpy done(&process, &coderoom::sandbox::SandboxProcess::done);
    QByteArray errors;
    connect(&process, &coderoom::sandbox::SandboxProcess::output, this,
            [&errors](coderoom::sandbox::Stream, const QByteArray &data) { errors += data; });
    process.start(*spec);
    QTRY_VERIFY2_WITH_TIMEOUT(lines.count() > 0 || done.count() > 0, errors.constData(), 30000);
    QVERIFY2(lines.count() > 0, errors.constData());
    const QByteArray first = lines.first().first().toByteArray();
    QVERIFY2(first.contains("\"ready\""), first.constData());
    process.stop();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
}

QTEST_GUILESS_MAIN(TestProgramRun)
#include "tst_programrun.moc"
