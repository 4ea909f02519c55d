// The REST mapping rules as pure functions: Piston v2 and Jobe request parsing, result mapping,
// version ranges, the uploaded-file store. No server: every rule in docs/rest.md is a row here.
#include "filestore.h"
#include "jobemapping.h"
#include "pistonmapping.h"
#include "runcollector.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

using namespace coderoom;
using namespace coderoom::restapi;
using protocol::LanguageInfo;
using protocol::Status;

namespace {

QList<LanguageInfo> serverLanguages()
{
    return {{"python", "Python", "3.11.2", true, {"py"}},
            {"cpp", "C++", "12.2.0", false, {"cpp", "cc"}},
            {"java", "Java", "17.0.9", false, {"java"}},
            {"javascript", "JavaScript", "20.19.2", true, {"js"}}};
}

QJsonObject object(const QByteArray &json)
{
    return QJsonDocument::fromJson(json).object();
}

CollectedRun ended(Status status, std::optional<int> exitCode = 0, std::optional<int> sig = {},
                   const QString &out = {}, const QString &err = {})
{
    CollectedRun run;
    run.stdoutText = out;
    run.stderrText = err;
    run.output = out + err;
    protocol::Result result;
    result.status = status;
    result.exitCode = exitCode;
    result.signal = sig;
    result.timeMs = 120;
    result.cpuMs = 80;
    result.memoryKb = 9000;
    run.result = result;
    return run;
}

} // namespace

class TestRestMapping : public QObject
{
    Q_OBJECT
private slots:
    void versionRanges_data();
    void versionRanges();
    void runtimeNames_data();
    void runtimeNames();
    void runtimesListShape();
    void pistonBadRequests_data();
    void pistonBadRequests();
    void pistonRequestMapping();
    void pistonBase64FileAndDefaultNames();
    void pistonStatuses_data();
    void pistonStatuses();
    void pistonCompileErrorIsBothStages();
    void pistonRefusals_data();
    void pistonRefusals();
    void jobeLanguages();
    void jobeBadRunSpecs_data();
    void jobeBadRunSpecs();
    void jobeRunSpecMapping();
    void javaClassNames_data();
    void javaClassNames();
    void jobeOutcomes_data();
    void jobeOutcomes();
    void jobeReplyShapes();
    void jobeFilePut_data();
    void jobeFilePut();
    void fileStoreDropsTheLeastRecentlyUsed();
    void fileStoreRefusesOversizedFiles();
    void collectorKeepsStreamsApartAndStopsAtTheEnd();
};

void TestRestMapping::versionRanges_data()
{
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("spec");
    QTest::addColumn<bool>("matches");
    QTest::addRow("a star matches anything") << "3.11.2"
                                             << "*" << true;
    QTest::addRow("an exact version matches itself") << "3.11.2"
                                                     << "3.11.2" << true;
    QTest::addRow("an exact version does not match another patch") << "3.11.2"
                                                                   << "3.11.1" << false;
    QTest::addRow("a major prefix matches") << "3.11.2"
                                            << "3" << true;
    QTest::addRow("a minor prefix matches") << "3.11.2"
                                            << "3.11" << true;
    QTest::addRow("another minor prefix does not") << "3.11.2"
                                                   << "3.10" << false;
    QTest::addRow("an x-range matches") << "3.11.2"
                                        << "3.x" << true;
    QTest::addRow("a lower bound matches") << "3.11.2"
                                           << ">=3.8" << true;
    QTest::addRow("a lower bound with a space matches") << "3.11.2"
                                                        << ">= 3.8" << true;
    QTest::addRow("a lower and upper bound together") << "3.11.2"
                                                      << ">=3.8 <4" << true;
    QTest::addRow("an upper bound excludes") << "3.11.2"
                                             << "<3.11" << false;
    QTest::addRow("a caret keeps the major") << "3.11.2"
                                             << "^3.9" << true;
    QTest::addRow("a caret refuses the next major") << "4.0.0"
                                                    << "^3.9" << false;
    QTest::addRow("a tilde keeps the minor") << "3.11.2"
                                             << "~3.11.0" << true;
    QTest::addRow("a tilde refuses the next minor") << "3.12.0"
                                                    << "~3.11.0" << false;
    QTest::addRow("alternatives with ||") << "12.2.0"
                                          << "10 || 12" << true;
    QTest::addRow("a greater-than on a prefix") << "3.11.2"
                                                << ">3.11" << false;
    QTest::addRow("garbage matches nothing") << "3.11.2"
                                             << "latest" << false;
    QTest::addRow("a suffixed version still compares") << "20.19.2-nightly"
                                                       << "20" << true;
}

void TestRestMapping::versionRanges()
{
    QFETCH(QString, version);
    QFETCH(QString, spec);
    QFETCH(bool, matches);
    QCOMPARE(piston::versionMatches(version, spec), matches);
}

void TestRestMapping::runtimeNames_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("version");
    QTest::addColumn<QString>("id"); // empty: not found
    QTest::addRow("python by id") << "python"
                                  << "*"
                                  << "python";
    QTest::addRow("py is python") << "py"
                                  << "3.11.2"
                                  << "python";
    QTest::addRow("python3 is python") << "python3"
                                       << "3"
                                       << "python";
    QTest::addRow("c++ is cpp") << "c++"
                                << "*"
                                << "cpp";
    QTest::addRow("g++ is cpp") << "g++"
                                << "12"
                                << "cpp";
    QTest::addRow("js is javascript") << "js"
                                      << "*"
                                      << "javascript";
    QTest::addRow("node is javascript") << "node"
                                        << "*"
                                        << "javascript";
    QTest::addRow("names ignore case") << "Python"
                                       << "*"
                                       << "python";
    QTest::addRow("java by id") << "java"
                                << "17"
                                << "java";
    QTest::addRow("an unknown language is not found") << "cobol"
                                                      << "*"
                                                      << "";
    QTest::addRow("a known language at another version is not found") << "python"
                                                                      << "2.7"
                                                                      << "";
}

void TestRestMapping::runtimeNames()
{
    QFETCH(QString, language);
    QFETCH(QString, version);
    QFETCH(QString, id);
    const auto found = piston::findRuntime(serverLanguages(), language, version);
    QCOMPARE(found ? found->id : QString(), id);
}

void TestRestMapping::runtimesListShape()
{
    const QJsonArray list =
        QJsonDocument::fromJson(piston::runtimesJson(serverLanguages())).array();
    QCOMPARE(list.size(), 4);
    const QJsonObject python = list[0].toObject();
    QCOMPARE(python.value("language").toString(), QString("python"));
    QCOMPARE(python.value("version").toString(), QString("3.11.2"));
    QVERIFY(python.value("aliases").toArray().contains(QJsonValue("py")));
    QVERIFY(python.value("aliases").toArray().contains(QJsonValue("python3")));
    QCOMPARE(list[1].toObject().value("runtime").toString(), QString("gcc"));
    QCOMPARE(list[3].toObject().value("runtime").toString(), QString("node"));
}

void TestRestMapping::pistonBadRequests_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::addRow("a body that is not JSON") << QByteArray("{nope") << "JSON object";
    QTest::addRow("no language") << QByteArray(R"({"version":"*","files":[]})")
                                 << "language is required as a string";
    QTest::addRow("a version that is not a string")
        << QByteArray(R"({"language":"python","version":3,"files":[]})")
        << "version is required as a string";
    QTest::addRow("no files") << QByteArray(R"({"language":"python","version":"*"})")
                              << "files is required as an array";
    QTest::addRow("a file without content")
        << QByteArray(R"({"language":"python","version":"*","files":[{"name":"a.py"}]})")
        << "files[0].content is required as a string";
    QTest::addRow("an unknown language names language and version")
        << QByteArray(R"({"language":"cobol","version":"1.0","files":[{"content":"x"}]})")
        << "cobol-1.0 runtime is unknown";
    QTest::addRow("an empty file list")
        << QByteArray(R"({"language":"python","version":"*","files":[]})")
        << "at least one utf8 encoded file";
    QTest::addRow("a limit that is not a number")
        << QByteArray(R"({"language":"python","version":"*","files":[{"content":"x"}],)"
                      R"("run_timeout":"soon"})")
        << "If specified, run_timeout must be a number";
    QTest::addRow("a negative limit")
        << QByteArray(R"({"language":"python","version":"*","files":[{"content":"x"}],)"
                      R"("run_timeout":-5})")
        << "run_timeout must be non-negative";
    QTest::addRow("a binary file")
        << QByteArray(R"({"language":"python","version":"*","files":[{"content":"/w==",)"
                      R"("encoding":"base64"}]})")
        << "not UTF-8";
}

void TestRestMapping::pistonBadRequests()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const piston::ExecuteParse parsed = piston::parseExecute(body, serverLanguages());
    QVERIFY(!parsed.request);
    QCOMPARE(parsed.error.status, 400);
    const QString said = object(parsed.error.body).value("message").toString();
    QVERIFY2(said.contains(message), qPrintable(said));
}

void TestRestMapping::pistonRequestMapping()
{
    const QByteArray body = R"j({"language":"py","version":"3.x","files":[{"name":"main.py",
        "content":"print(input())"},{"name":"util.py","content":"X=1"}],"stdin":"hi",
        "args":["a",2],"run_timeout":2500,"compile_timeout":9000,"run_cpu_time":1000,
        "run_memory_limit":100000000,"compile_memory_limit":-1
})j";
    const piston::ExecuteParse parsed = piston::parseExecute(body, serverLanguages());
    QVERIFY(parsed.request);
    const protocol::Run &run = parsed.request->run;
    QCOMPARE(parsed.request->language.id, QString("python"));
    QCOMPARE(run.language, QString("python"));
    QCOMPARE(run.files.size(), 2);
    QCOMPARE(run.main, QString("main.py"));
    QCOMPARE(run.stdinData, std::optional<QString>("hi"));
    QCOMPARE(run.args, QStringList({"a", "2"}));
    QCOMPARE(run.limits.runTimeMs, std::optional<qint64>(2500));
    QCOMPARE(run.limits.compileTimeMs, std::optional<qint64>(9000));
    QCOMPARE(run.limits.cpuMs, std::optional<qint64>(1000));
    QCOMPARE(run.limits.memoryMb, std::optional<qint64>(96)); // 95.4 MiB rounded up

    // No stdin is an empty one (never interactive); no limits stay the server's.
    const auto bare = piston::parseExecute(
        R"({"language":"python","version":"*","files":[{"content":"pass"}]})", serverLanguages());
    QVERIFY(bare.request);
    QCOMPARE(bare.request->run.stdinData, std::optional<QString>(QString()));
    QCOMPARE(bare.request->run.limits, protocol::RunLimits{});
}

void TestRestMapping::pistonBase64FileAndDefaultNames()
{
    const QByteArray body = R"({"language":"java","version":"*","files":[
        {"content":"public class Hello { public static void main(String[] a) {} }"},
        {"content":"ZGF0YQ==","encoding":"base64"}]})";
    const auto parsed = piston::parseExecute(body, serverLanguages());
    QVERIFY(parsed.request);
    QCOMPARE(parsed.request->run.files[0].name, QString("Hello.java"));
    QCOMPARE(parsed.request->run.main, QString("Hello.java"));
    QCOMPARE(parsed.request->run.files[1].name, QString("file1.java"));
    QCOMPARE(parsed.request->run.files[1].content, QString("data"));

    const auto cpp = piston::parseExecute(
        R"({"language":"c++","version":"*","files":[{"content":"int main(){}"}]})",
        serverLanguages());
    QVERIFY(cpp.request);
    QCOMPARE(cpp.request->run.files[0].name, QString("main.cpp"));
}

void TestRestMapping::pistonStatuses_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QJsonValue>("exitCode");
    QTest::addColumn<QJsonValue>("signalNumber");
    QTest::addColumn<QJsonValue>("pistonStatus");
    QTest::addColumn<QJsonValue>("pistonSignal");
    QTest::addRow("ok has no status and no signal")
        << int(Status::Ok) << QJsonValue(0) << QJsonValue() << QJsonValue() << QJsonValue();
    QTest::addRow("a non-zero exit is RE")
        << int(Status::Error) << QJsonValue(3) << QJsonValue() << QJsonValue("RE") << QJsonValue();
    QTest::addRow("a crash by signal is SG with the signal's name")
        << int(Status::Error) << QJsonValue() << QJsonValue(11) << QJsonValue("SG")
        << QJsonValue("SIGSEGV");
    QTest::addRow("a timeout is TO killed by SIGKILL")
        << int(Status::Timeout) << QJsonValue() << QJsonValue() << QJsonValue("TO")
        << QJsonValue("SIGKILL");
    QTest::addRow("a memory limit is SG killed by SIGKILL")
        << int(Status::MemoryLimit) << QJsonValue() << QJsonValue(9) << QJsonValue("SG")
        << QJsonValue("SIGKILL");
    QTest::addRow("an output limit is OL killed by SIGKILL")
        << int(Status::OutputLimit) << QJsonValue() << QJsonValue() << QJsonValue("OL")
        << QJsonValue("SIGKILL");
    QTest::addRow("an internal error is XX") << int(Status::InternalError) << QJsonValue()
                                             << QJsonValue() << QJsonValue("XX") << QJsonValue();
}

void TestRestMapping::pistonStatuses()
{
    QFETCH(int, status);
    QFETCH(QJsonValue, exitCode);
    QFETCH(QJsonValue, signalNumber);
    QFETCH(QJsonValue, pistonStatus);
    QFETCH(QJsonValue, pistonSignal);
    const CollectedRun run =
        ended(Status(status), exitCode.isNull() ? std::nullopt : std::optional(exitCode.toInt()),
              signalNumber.isNull() ? std::nullopt : std::optional(signalNumber.toInt()), "out\n",
              "err\n");
    const piston::Reply reply = piston::executeReply(serverLanguages()[0], run);
    QCOMPARE(reply.status, 200);
    const QJsonObject body = object(reply.body);
    QCOMPARE(body.value("language").toString(), QString("python"));
    QCOMPARE(body.value("version").toString(), QString("3.11.2"));
    QVERIFY(!body.contains("compile")); // python has no compile stage
    const QJsonObject stage = body.value("run").toObject();
    QCOMPARE(stage.value("stdout").toString(), QString("out\n"));
    QCOMPARE(stage.value("stderr").toString(), QString("err\n"));
    QCOMPARE(stage.value("output").toString(), QString("out\nerr\n"));
    QCOMPARE(stage.value("code"), exitCode);
    QCOMPARE(stage.value("status"), pistonStatus);
    QCOMPARE(stage.value("signal"), pistonSignal);
    QCOMPARE(stage.value("wall_time").toInt(), 120);
    QCOMPARE(stage.value("cpu_time").toInt(), 80);
    QCOMPARE(stage.value("memory").toInt(), 9000 * 1024);
}

void TestRestMapping::pistonCompileErrorIsBothStages()
{
    CollectedRun run = ended(Status::CompileError, 1);
    run.compileText = "main.cpp:1: error: expected ';'\n";
    const QJsonObject body = object(piston::executeReply(serverLanguages()[1], run).body);
    const QJsonObject compile = body.value("compile").toObject();
    QCOMPARE(compile.value("code").toInt(), 1);
    QCOMPARE(compile.value("stderr").toString(), run.compileText);
    QCOMPARE(compile.value("output").toString(), run.compileText);
    QCOMPARE(body.value("run").toObject(), compile); // Piston's backward compatibility

    const QJsonObject ok =
        object(piston::executeReply(serverLanguages()[1], ended(Status::Ok, 0, {}, "hi\n")).body);
    QCOMPARE(ok.value("compile").toObject().value("code").toInt(), 0);
    QCOMPARE(ok.value("run").toObject().value("stdout").toString(), QString("hi\n"));
}

void TestRestMapping::pistonRefusals_data()
{
    QTest::addColumn<int>("errorCode"); // -1: a result instead
    QTest::addColumn<int>("resultStatus");
    QTest::addColumn<int>("httpStatus");
    QTest::addRow("an unknown language refused by the core is 400")
        << int(protocol::ErrorCode::UnknownLanguage) << 0 << 400;
    QTest::addRow("a program too large is 400") << int(protocol::ErrorCode::TooLarge) << 0 << 400;
    QTest::addRow("a quota is 429") << int(protocol::ErrorCode::QuotaExceeded) << 0 << 429;
    QTest::addRow("shutting down is 503") << int(protocol::ErrorCode::ShuttingDown) << 0 << 503;
    QTest::addRow("an overloaded server is 503") << -1 << int(Status::Overloaded) << 503;
    QTest::addRow("a queue timeout is 503") << -1 << int(Status::QueueTimeout) << 503;
}

void TestRestMapping::pistonRefusals()
{
    QFETCH(int, errorCode);
    QFETCH(int, resultStatus);
    QFETCH(int, httpStatus);
    CollectedRun run;
    if (errorCode >= 0)
        run.error = protocol::Error{{}, protocol::ErrorCode(errorCode), "why"};
    else
        run = ended(Status(resultStatus), {});
    if (run.result)
        run.result->message = "busy";
    const piston::Reply reply = piston::executeReply(serverLanguages()[0], run);
    QCOMPARE(reply.status, httpStatus);
    QVERIFY(!object(reply.body).value("message").toString().isEmpty());
}

void TestRestMapping::jobeLanguages()
{
    const QJsonArray list = QJsonDocument::fromJson(jobe::languagesJson(serverLanguages())).array();
    QCOMPARE(list.size(), 4);
    QCOMPARE(list[0].toArray(), QJsonArray({"python3", "3.11.2"}));
    QCOMPARE(list[1].toArray(), QJsonArray({"cpp", "12.2.0"}));
    QCOMPARE(list[2].toArray(), QJsonArray({"java", "17.0.9"}));
    QCOMPARE(list[3].toArray(), QJsonArray({"nodejs", "20.19.2"}));
}

void TestRestMapping::jobeBadRunSpecs_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QString>("message");
    QTest::addRow("not JSON") << QByteArray("x") << "Non-JSON post data received";
    QTest::addRow("no run_spec") << QByteArray("{}") << "No run_spec attribute";
    QTest::addRow("no sourcecode") << QByteArray(R"({"run_spec":{"language_id":"python3"}})")
                                   << "missing the required sourcecode";
    QTest::addRow("no language_id")
        << QByteArray(R"({"run_spec":{"sourcecode":"x"}})") << "missing the required language_id";
    QTest::addRow("an unknown language")
        << QByteArray(R"({"run_spec":{"language_id":"cobol","sourcecode":"x"}})")
        << "Language 'cobol' is not known";
    QTest::addRow("a source file name with a path")
        << QByteArray(R"({"run_spec":{"language_id":"python3","sourcecode":"x",)"
                      R"("sourcefilename":"../x.py"}})")
        << "sourcefilename";
    QTest::addRow("a file_list entry with a path")
        << QByteArray(R"({"run_spec":{"language_id":"python3","sourcecode":"x",)"
                      R"("file_list":[["abc","../etc/passwd"]]}})")
        << "Invalid file specifier";
    QTest::addRow("a file_list entry with a bad id")
        << QByteArray(R"({"run_spec":{"language_id":"python3","sourcecode":"x",)"
                      R"("file_list":[["a/b","data.txt"]]}})")
        << "Invalid file specifier";
}

void TestRestMapping::jobeBadRunSpecs()
{
    QFETCH(QByteArray, body);
    QFETCH(QString, message);
    const jobe::RunSpecParse parsed = jobe::parseRunSpec(body, serverLanguages());
    QVERIFY(!parsed.spec);
    QCOMPARE(parsed.error.status, 400);
    // Jobe's errors are a bare JSON string.
    const QJsonArray wrapped = QJsonDocument::fromJson("[" + parsed.error.body + "]").array();
    QCOMPARE(wrapped.size(), 1);
    QVERIFY2(wrapped[0].toString().contains(message), parsed.error.body.constData());
}

void TestRestMapping::jobeRunSpecMapping()
{
    const QByteArray body = R"j({"run_spec":{"language_id":"python3","sourcecode":"print(1)",
                     "input" : "5\n", "file_list" : [[ "f00d", "data.txt" ]], "parameters":
    {
        "cputime" : 2, "memorylimit" : "200", "streamsize" : 1, "runargs" : ["-v"]
    }
}
})j";
    const jobe::RunSpecParse parsed = jobe::parseRunSpec(body, serverLanguages());
    QVERIFY(parsed.spec);
    const protocol::Run &run = parsed.spec->run;
    QCOMPARE(run.language, QString("python"));
    QCOMPARE(run.files.size(), 1);
    QCOMPARE(run.files[0].name, QString("prog.py"));
    QCOMPARE(run.main, QString("prog.py"));
    QCOMPARE(run.stdinData, std::optional<QString>("5\n"));
    QCOMPARE(run.args, QStringList{"-v"});
    QCOMPARE(run.limits.cpuMs, std::optional<qint64>(2000));
    QCOMPARE(run.limits.runTimeMs, std::optional<qint64>(4000));
    QCOMPARE(run.limits.memoryMb, std::optional<qint64>(200));
    QCOMPARE(run.limits.outputBytes, std::optional<qint64>(1000000));
    QCOMPARE(parsed.spec->fileList.size(), 1);
    QCOMPARE(parsed.spec->fileList[0], std::make_pair(QString("f00d"), QString("data.txt")));

    // Old CodeRunner's "prog.java" gives way to the class's name; no input is empty input.
    const auto java = jobe::parseRunSpec(
        R"({"run_spec":{"language_id":"java","sourcefilename":"prog.java",
            "sourcecode":"public final class Greeter { }"}})",
        serverLanguages());
    QVERIFY(java.spec);
    QCOMPARE(java.spec->run.files[0].name, QString("Greeter.java"));
    QCOMPARE(java.spec->run.stdinData, std::optional<QString>(QString()));
}

void TestRestMapping::javaClassNames_data()
{
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("name");
    QTest::addRow("a public class") << "import x;\npublic class Prog {}"
                                    << "Prog";
    QTest::addRow("a public final class") << "public final class Fin {}"
                                          << "Fin";
    QTest::addRow("the public class, not the first class")
        << "class Helper {}\npublic class Main2 {}"
        << "Main2";
    QTest::addRow("a class without public") << "class Solo { }"
                                            << "Solo";
    QTest::addRow("no class at all is Main") << "int x;"
                                             << "Main";
}

void TestRestMapping::javaClassNames()
{
    QFETCH(QString, source);
    QFETCH(QString, name);
    QCOMPARE(jobe::javaClassName(source), name);
}

void TestRestMapping::jobeOutcomes_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<int>("signalNumber"); // 0: none
    QTest::addColumn<int>("outcome");
    QTest::addRow("ok is 15") << int(Status::Ok) << 0 << 15;
    QTest::addRow("a compile error is 11") << int(Status::CompileError) << 0 << 11;
    QTest::addRow("a runtime error is 12") << int(Status::Error) << 0 << 12;
    QTest::addRow("a crash by SIGSEGV is 12") << int(Status::Error) << 11 << 12;
    QTest::addRow("a kill by SIGSYS is an illegal system call, 19")
        << int(Status::Error) << 31 << 19;
    QTest::addRow("a timeout is 13") << int(Status::Timeout) << 0 << 13;
    QTest::addRow("a memory limit is 17") << int(Status::MemoryLimit) << 0 << 17;
    QTest::addRow("an output limit is a runtime error, 12") << int(Status::OutputLimit) << 0 << 12;
    QTest::addRow("overloaded is 21") << int(Status::Overloaded) << 0 << 21;
    QTest::addRow("a queue timeout is 21") << int(Status::QueueTimeout) << 0 << 21;
    QTest::addRow("an internal error is 20") << int(Status::InternalError) << 0 << 20;
    QTest::addRow("a cancelled run is 20") << int(Status::Cancelled) << 0 << 20;
}

void TestRestMapping::jobeOutcomes()
{
    QFETCH(int, status);
    QFETCH(int, signalNumber);
    QFETCH(int, outcome);
    protocol::Result result;
    result.status = Status(status);
    if (signalNumber)
        result.signal = signalNumber;
    QCOMPARE(jobe::outcomeFor(result), outcome);
}

void TestRestMapping::jobeReplyShapes()
{
    const QJsonObject ok =
        object(jobe::runReply("jobe-1", ended(Status::Ok, 0, {}, "2\n", "warn\n")).body);
    QCOMPARE(ok.value("run_id").toString(), QString("jobe-1"));
    QCOMPARE(ok.value("outcome").toInt(), 15);
    QCOMPARE(ok.value("cmpinfo").toString(), QString());
    QCOMPARE(ok.value("stdout").toString(), QString("2\n"));
    QCOMPARE(ok.value("stderr").toString(), QString("warn\n"));

    CollectedRun failed = ended(Status::CompileError, 1);
    failed.compileText = "prog.cpp:1: error\n";
    const QJsonObject compile = object(jobe::runReply("jobe-2", failed).body);
    QCOMPARE(compile.value("outcome").toInt(), 11);
    QCOMPARE(compile.value("cmpinfo").toString(), failed.compileText);

    CollectedRun busy = ended(Status::Overloaded, {});
    busy.result->message = "Server busy: try again in 2 s";
    const jobe::Reply overload = jobe::runReply("jobe-3", busy);
    QCOMPARE(overload.status, 200);
    QCOMPARE(object(overload.body).value("outcome").toInt(), 21);
    QVERIFY(object(overload.body).value("stderr").toString().contains("Server busy"));

    CollectedRun refused;
    refused.error = protocol::Error{{}, protocol::ErrorCode::TooLarge, "too big"};
    QCOMPARE(jobe::runReply("jobe-4", refused).status, 400);
    QCOMPARE(jobe::runReply("jobe-4", refused).body, QByteArray("\"too big\""));
}

void TestRestMapping::jobeFilePut_data()
{
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QByteArray>("contents");
    QTest::addRow("base64 contents are decoded")
        << QByteArray(R"({"file_contents":"aGVsbG8K"})") << true << QByteArray("hello\n");
    QTest::addRow("empty contents are a file too")
        << QByteArray(R"({"file_contents":""})") << true << QByteArray();
    QTest::addRow("invalid base64 is refused")
        << QByteArray(R"({"file_contents":"@@@"})") << false << QByteArray();
    QTest::addRow("a missing file_contents is refused")
        << QByteArray("{}") << false << QByteArray();
}

void TestRestMapping::jobeFilePut()
{
    QFETCH(QByteArray, body);
    QFETCH(bool, accepted);
    QFETCH(QByteArray, contents);
    jobe::Reply error;
    const auto decoded = jobe::decodeFilePut(body, &error);
    QCOMPARE(decoded.has_value(), accepted);
    if (accepted)
        QCOMPARE(*decoded, contents);
    else
        QCOMPARE(error.status, 400);
}

void TestRestMapping::fileStoreDropsTheLeastRecentlyUsed()
{
    FileStore store(100, 60);
    QVERIFY(store.put("a", QByteArray(40, 'a')));
    QVERIFY(store.put("b", QByteArray(40, 'b')));
    QVERIFY(store.contains("a")); // a is now the more recent
    QVERIFY(store.put("c", QByteArray(40, 'c')));
    QVERIFY(store.contains("a"));
    QVERIFY(!store.contains("b"));
    QVERIFY(store.contains("c"));
    QCOMPARE(store.totalBytes(), 80);
    QVERIFY(store.put("a", QByteArray(10, 'x'))); // replacing frees the old size
    QCOMPARE(store.totalBytes(), 50);
    QCOMPARE(store.get("a"), std::optional<QByteArray>(QByteArray(10, 'x')));
}

void TestRestMapping::fileStoreRefusesOversizedFiles()
{
    FileStore store(100, 60);
    QVERIFY(store.put("keep", QByteArray(50, 'k')));
    QVERIFY(!store.put("big", QByteArray(61, 'b')));
    QVERIFY(!store.contains("big"));
    QVERIFY(store.contains("keep")); // a refused file evicts nothing
    QCOMPARE(store.count(), 1);
}

void TestRestMapping::collectorKeepsStreamsApartAndStopsAtTheEnd()
{
    CollectedRun run;
    QVERIFY(!collectEvent(run, protocol::Accepted{"x", "r", 0}));
    QVERIFY(!collectEvent(run, protocol::Output{"r", protocol::OutputStream::Compile, "warn\n"}));
    QVERIFY(!collectEvent(run, protocol::Output{"r", protocol::OutputStream::Stdout, "a"}));
    QVERIFY(!collectEvent(run, protocol::Output{"r", protocol::OutputStream::Stderr, "b"}));
    QVERIFY(!collectEvent(run, protocol::Output{"r", protocol::OutputStream::Stdout, "c"}));
    QVERIFY(collectEvent(run, protocol::Result{}));
    QVERIFY(!collectEvent(run, protocol::Output{"r", protocol::OutputStream::Stdout, "late"}));
    QCOMPARE(run.stdoutText, QString("ac"));
    QCOMPARE(run.stderrText, QString("b"));
    QCOMPARE(run.output, QString("abc"));
    QCOMPARE(run.compileText, QString("warn\n"));
    QVERIFY(run.finished());
}

QTEST_GUILESS_MAIN(TestRestMapping)
#include "tst_restmapping.moc"
