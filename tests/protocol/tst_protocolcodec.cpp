// Tests of the wire codec (shared/protocol): round trips, wire names, the golden examples of the
// contract (docs/protocol.md), the malformed-frame table and a bounded mutation fuzz.
#include "codec.h"
#include "malformedframes.h"
#include "protocolsamples.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QRandomGenerator>
#include <QSet>
#include <QTest>

#include <functional>

using namespace coderoom::protocol;
using namespace coderoom::protocol::testing;

// QTest prints these on a failed QCOMPARE (found by ADL through the variant's alternatives).
namespace coderoom::protocol {
char *toString(const ClientMessage &m)
{
    return qstrdup(encode(m).constData());
}
char *toString(const ServerMessage &m)
{
    return qstrdup(encode(m).constData());
}
char *toString(const ErrorCode &c)
{
    return qstrdup(toWire(c).toUtf8().constData());
}
} // namespace coderoom::protocol

Q_DECLARE_METATYPE(coderoom::protocol::ClientMessage)
Q_DECLARE_METATYPE(coderoom::protocol::ServerMessage)

namespace {

QByteArray utf8(const char *text)
{
    return QByteArray(text);
}

// Builders: aggregate initialisation of these wide structs trips -Wmissing-field-initializers.
Run makeRun(const QString &language, const QList<SourceFile> &files)
{
    Run run;
    run.language = language;
    run.files = files;
    return run;
}

Result makeResult(const QString &id, const QString &request, Status status)
{
    Result result;
    result.id = id;
    result.request = request;
    result.status = status;
    return result;
}

// Every value of an enum with its wire name, found by walking the underlying integers until the
// name runs out: a value added without a name shows up as a gap, not as silence.
struct EnumNames
{
    QStringList names;
    QStringList problems;
};

template<typename Enum>
EnumNames collectNames(QString (*toWireFn)(Enum),
                       std::optional<Enum> (*fromWireFn)(const QString &))
{
    EnumNames out;
    bool ended = false;
    for (int i = 0; i < 64; ++i) {
        const auto value = static_cast<Enum>(i);
        const QString name = toWireFn(value);
        if (name.isEmpty()) {
            ended = true;
            continue;
        }
        if (ended)
            out.problems << QStringLiteral("value %1 has a name after a gap").arg(i);
        if (out.names.contains(name))
            out.problems << QStringLiteral("\"%1\" is used twice").arg(name);
        if (fromWireFn(name) != value)
            out.problems << QStringLiteral("\"%1\" does not parse back to %2").arg(name).arg(i);
        out.names << name;
    }
    for (const QString &wrong :
         {QString(), QStringLiteral("OK"), QStringLiteral(" ok"), QStringLiteral("no_such_name")}) {
        if (fromWireFn(wrong))
            out.problems << QStringLiteral("\"%1\" parses but is no wire name").arg(wrong);
    }
    return out;
}

// Decodes in the given direction and flattens the outcome for table-driven checks.
struct Outcome
{
    bool valid = false;
    DecodeError error;
};

Outcome decodeAs(Direction direction, const QByteArray &frame, const CodecLimits &limits = {})
{
    if (direction == Direction::ClientToServer) {
        const auto d = decodeClientMessage(frame, limits);
        return {d.isValid(), d.error()};
    }
    const auto d = decodeServerMessage(frame, limits);
    return {d.isValid(), d.error()};
}

} // namespace

class TestProtocolCodec : public QObject
{
    Q_OBJECT

private slots:
    void clientMessagesRoundTrip_data();
    void clientMessagesRoundTrip();
    void serverMessagesRoundTrip_data();
    void serverMessagesRoundTrip();
    void samplesCoverEveryMessageType();
    void absentAndEmptyStayDifferentOnTheWire();

    void wireNames_data();
    void wireNames();
    void docsNameEveryWireNameAndType();

    void clientGoldenExamples_data();
    void clientGoldenExamples();
    void serverGoldenExamples_data();
    void serverGoldenExamples();
    void encodingIsStable_data();
    void encodingIsStable();

    void malformedFrames_data();
    void malformedFrames();
    void edgeFramesThatDecode_data();
    void edgeFramesThatDecode();
    void deepNestingIsRefusedQuickly_data();
    void deepNestingIsRefusedQuickly();

    void mutatedFramesNeverCrash();
};

// ---- round trips --------------------------------------------------------------------------

void TestProtocolCodec::clientMessagesRoundTrip_data()
{
    QTest::addColumn<ClientMessage>("message");
    for (const ClientSample &sample : clientSamples())
        QTest::addRow("%s", sample.name) << sample.message;
}

void TestProtocolCodec::clientMessagesRoundTrip()
{
    QFETCH(ClientMessage, message);
    const QByteArray frame = encode(message);
    const auto decoded = decodeClientMessage(frame);
    QVERIFY2(decoded.isValid(), qPrintable(decoded.error().message + QStringLiteral(" in ") +
                                           QString::fromUtf8(frame)));
    QCOMPARE(decoded.message(), message);
    QCOMPARE(QJsonDocument::fromJson(frame)[QLatin1String("type")].toString(), typeName(message));
}

void TestProtocolCodec::serverMessagesRoundTrip_data()
{
    QTest::addColumn<ServerMessage>("message");
    for (const ServerSample &sample : serverSamples())
        QTest::addRow("%s", sample.name) << sample.message;
    for (int i = 0; !toWire(static_cast<Status>(i)).isEmpty(); ++i) {
        const auto status = static_cast<Status>(i);
        const Result result = makeResult(QStringLiteral("c1"), QStringLiteral("req-1"), status);
        QTest::addRow("result with status %s", qPrintable(toWire(status))) << ServerMessage(result);
    }
    for (int i = 0; !toWire(static_cast<ErrorCode>(i)).isEmpty(); ++i) {
        const auto code = static_cast<ErrorCode>(i);
        QTest::addRow("error with code %s", qPrintable(toWire(code)))
            << ServerMessage(Error{QStringLiteral("e1"), code, QStringLiteral("why")});
    }
}

void TestProtocolCodec::serverMessagesRoundTrip()
{
    QFETCH(ServerMessage, message);
    const QByteArray frame = encode(message);
    const auto decoded = decodeServerMessage(frame);
    QVERIFY2(decoded.isValid(), qPrintable(decoded.error().message + QStringLiteral(" in ") +
                                           QString::fromUtf8(frame)));
    QCOMPARE(decoded.message(), message);
    QCOMPARE(QJsonDocument::fromJson(frame)[QLatin1String("type")].toString(), typeName(message));
}

void TestProtocolCodec::samplesCoverEveryMessageType()
{
    QSet<std::size_t> client;
    for (const ClientSample &sample : clientSamples())
        client.insert(sample.message.index());
    QCOMPARE(client.size(), qsizetype(std::variant_size_v<ClientMessage>));
    QSet<std::size_t> server;
    for (const ServerSample &sample : serverSamples())
        server.insert(sample.message.index());
    QCOMPARE(server.size(), qsizetype(std::variant_size_v<ServerMessage>));
}

void TestProtocolCodec::absentAndEmptyStayDifferentOnTheWire()
{
    Run run = makeRun(QStringLiteral("python"), {SourceFile{{}, QStringLiteral("x")}});
    QVERIFY(!toJson(run).contains(QLatin1String("stdin")));
    run.stdinData = QString();
    QCOMPARE(toJson(run).value(QLatin1String("stdin")), QJsonValue(QString()));

    Result result;
    QVERIFY(toJson(result).value(QLatin1String("exit_code")).isNull());
    QVERIFY(toJson(result).value(QLatin1String("signal")).isNull());
    QVERIFY(!toJson(result).contains(QLatin1String("value")));
    result.exitCode = 0;
    result.value = QString();
    QCOMPARE(toJson(result).value(QLatin1String("exit_code")), QJsonValue(0));
    QCOMPARE(toJson(result).value(QLatin1String("value")), QJsonValue(QString()));
}

// ---- wire names ---------------------------------------------------------------------------

void TestProtocolCodec::wireNames_data()
{
    QTest::addColumn<QStringList>("produced");
    QTest::addColumn<QStringList>("problems");
    QTest::addColumn<QStringList>("expected");

    // Spelled out by hand from the contract (/work/shared/protocol.md) plus the documented
    // extensions: a rename in protocolenums.cpp must fail here.
    const auto add = [](const char *row, const EnumNames &names, const char *expected) {
        QTest::addRow("%s", row) << names.names << names.problems
                                 << QString::fromLatin1(expected).split(QLatin1Char(' '));
    };
    add("every status has a unique wire name from the contract",
        collectNames(&toWire, &statusFromWire),
        "ok error compile_error incomplete timeout memory_limit output_limit cancelled "
        "queue_timeout overloaded internal_error");
    add("every error code has a unique wire name, contract then extensions",
        collectNames(&toWire, &errorCodeFromWire),
        "bad_request unknown_type too_large unauthorized hello_required not_found "
        "unknown_language not_supported rate_limited quota_exceeded shutting_down internal_error");
    add("every output stream has a unique wire name from the contract",
        collectNames(&toWire, &outputStreamFromWire), "stdout stderr compile");
    add("every restore reason has a unique wire name from the contract",
        collectNames(&toWire, &restoreReasonFromWire), "crash evicted restart");
}

void TestProtocolCodec::wireNames()
{
    QFETCH(QStringList, produced);
    QFETCH(QStringList, problems);
    QFETCH(QStringList, expected);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join(QLatin1String("; "))));
    QCOMPARE(produced, expected);
}

void TestProtocolCodec::docsNameEveryWireNameAndType()
{
    QFile file(QStringLiteral(CODEROOM_PROTOCOL_DOC));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.fileName()));
    const QString doc = QString::fromUtf8(file.readAll());

    QStringList missing;
    const auto need = [&](const QString &text) {
        if (!doc.contains(text))
            missing << text;
    };
    const auto needNames = [&](const EnumNames &names) {
        for (const QString &name : names.names)
            need(QLatin1Char('`') + name + QLatin1Char('`'));
    };
    needNames(collectNames(&toWire, &statusFromWire));
    needNames(collectNames(&toWire, &errorCodeFromWire));
    needNames(collectNames(&toWire, &outputStreamFromWire));
    needNames(collectNames(&toWire, &restoreReasonFromWire));
    for (const ClientSample &sample : clientSamples())
        need(QStringLiteral("{\"type\":\"%1\"").arg(typeName(sample.message)));
    for (const ServerSample &sample : serverSamples())
        need(QStringLiteral("{\"type\":\"%1\"").arg(typeName(sample.message)));
    missing.removeDuplicates();
    QVERIFY2(missing.isEmpty(), qPrintable(QStringLiteral("docs/protocol.md lacks: ") +
                                           missing.join(QLatin1String(", "))));
}

// ---- golden examples (verbatim from the contract; `..` placeholders filled in) --------------

void TestProtocolCodec::clientGoldenExamples_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<ClientMessage>("expected");
    const auto q = [](const char *text) {
        return QString::fromUtf8(text);
    };

    QTest::addRow("hello") << utf8(R"({"type":"hello","protocol":1,"token":"...","user":"alice",)"
                                   R"("client":"coderoom-desktop/0.1"})")
                           << ClientMessage(
                                  Hello{{}, 1, q("..."), q("alice"), q("coderoom-desktop/0.1")});
    QTest::addRow("session.open for a new session")
        << utf8(R"({"type":"session.open","language":"python"})")
        << ClientMessage(SessionOpen{{}, q("python"), {}});
    QTest::addRow("session.open to resume") << utf8(R"({"type":"session.open","session":"<id>"})")
                                            << ClientMessage(SessionOpen{{}, {}, q("<id>")});
    QTest::addRow("session.restart") << utf8(R"({"type":"session.restart","session":"<id>"})")
                                     << ClientMessage(SessionRestart{{}, q("<id>")});
    QTest::addRow("session.close") << utf8(R"({"type":"session.close","session":"<id>"})")
                                   << ClientMessage(SessionClose{{}, q("<id>")});
    QTest::addRow("eval") << utf8(R"({"type":"eval","session":"<id>","code":"x = 41\nx + 1"})")
                          << ClientMessage(Eval{{}, q("<id>"), q("x = 41\nx + 1")});

    Run run = makeRun(q("cpp"), {SourceFile{q("main.cpp"), q("...")}});
    run.stdinData = q("optional, the whole input");
    run.limits.runTimeMs = 5000;
    QTest::addRow("run with files, stdin, args and limits")
        << utf8(R"({"type":"run","language":"cpp","files":[{"name":"main.cpp","content":"..."}],)"
                R"("stdin":"optional, the whole input","args":[],"limits":{"run_time_ms":5000}})")
        << ClientMessage(run);
    QTest::addRow("input data") << utf8(R"({"type":"input","request":"q1","data":"5\n"})")
                                << ClientMessage(Input{{}, q("q1"), q("5\n"), false});
    QTest::addRow("input eof") << utf8(R"({"type":"input","request":"q1","eof":true})")
                               << ClientMessage(Input{{}, q("q1"), {}, true});
    QTest::addRow("interrupt") << utf8(R"({"type":"interrupt","request":"q1"})")
                               << ClientMessage(Interrupt{{}, q("q1")});
    QTest::addRow("cancel") << utf8(R"({"type":"cancel","request":"q1"})")
                            << ClientMessage(Cancel{{}, q("q1")});
    QTest::addRow("complete")
        << utf8(R"({"type":"complete","session":"s1","code":"imp","cursor":3})")
        << ClientMessage(Complete{{}, q("s1"), q("imp"), 3});
    QTest::addRow("history request") << utf8(R"({"type":"history","session":"s1"})")
                                     << ClientMessage(HistoryRequest{{}, q("s1")});
    QTest::addRow("the id is kept") << utf8(R"({"type":"ping","id":"any \"string\" \u00e9"})")
                                    << ClientMessage(Ping{q("any \"string\" \xc3\xa9")});
}

void TestProtocolCodec::clientGoldenExamples()
{
    QFETCH(QByteArray, json);
    QFETCH(ClientMessage, expected);
    const auto decoded = decodeClientMessage(json);
    QVERIFY2(decoded.isValid(), qPrintable(decoded.error().message));
    QCOMPARE(decoded.message(), expected);
}

void TestProtocolCodec::serverGoldenExamples_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<ServerMessage>("expected");
    const auto q = [](const char *text) {
        return QString::fromUtf8(text);
    };

    Welcome welcome{{}, 1, q("coderoom/0.1"), q("node-a"), {}, {}};
    welcome.languages = {{q("python"), q("Python"), q("3.11.2"), true, {q("py")}}};
    welcome.limits = {10000, 10000, 256, 1048576, 1048576};
    QTest::addRow("welcome")
        << utf8(R"({"type":"welcome","protocol":1,"server":"coderoom/0.1","node":"node-a",)"
                R"("languages":[{"id":"python","name":"Python","version":"3.11.2","repl":true,)"
                R"("extensions":["py"]}],"limits":{"run_time_ms":10000,"queue_ttl_ms":10000,)"
                R"("memory_mb":256,"output_bytes":1048576,"max_code_bytes":1048576}})")
        << ServerMessage(welcome);
    Welcome patient = welcome;
    patient.limits.inputWaitMs = 60000;
    QTest::addRow("welcome with the input-wait limit (extension)")
        << utf8(R"({"type":"welcome","protocol":1,"server":"coderoom/0.1","node":"node-a",)"
                R"("languages":[{"id":"python","name":"Python","version":"3.11.2","repl":true,)"
                R"("extensions":["py"]}],"limits":{"run_time_ms":10000,"queue_ttl_ms":10000,)"
                R"("memory_mb":256,"output_bytes":1048576,"max_code_bytes":1048576,)"
                R"("input_wait_ms":60000}})")
        << ServerMessage(patient);
    QTest::addRow("redirect")
        << utf8(R"({"type":"redirect","url":"ws://.../api/v1/ws","node":"node-b"})")
        << ServerMessage(Redirect{{}, q("ws://.../api/v1/ws"), q("node-b")});
    QTest::addRow("error without message") << utf8(R"({"type":"error","code":"unauthorized"})")
                                           << ServerMessage(Error{{}, ErrorCode::Unauthorized, {}});
    QTest::addRow("error with message and id")
        << utf8(R"({"type":"error","id":"c1","code":"bad_request","message":"<what is wrong>"})")
        << ServerMessage(Error{q("c1"), ErrorCode::BadRequest, q("<what is wrong>")});
    QTest::addRow("error with a code from a newer server reads as internal_error")
        << utf8(R"({"type":"error","code":"brand_new","message":"m"})")
        << ServerMessage(Error{{}, ErrorCode::InternalError, q("m")});
    QTest::addRow("session.opened new")
        << utf8(R"({"type":"session.opened","session":"<id>","language":"python",)"
                R"("restored":false,"history":0})")
        << ServerMessage(SessionOpened{{}, q("<id>"), q("python"), false, 0});
    QTest::addRow("session.opened resumed")
        << utf8(R"({"type":"session.opened","session":"<id>","language":"python",)"
                R"("restored":true,"history":3})")
        << ServerMessage(SessionOpened{{}, q("<id>"), q("python"), true, 3});
    QTest::addRow("session.restored")
        << utf8(R"({"type":"session.restored","session":"<id>","reason":"evicted","replayed":4})")
        << ServerMessage(SessionRestored{{}, q("<id>"), RestoreReason::Evicted, 4, {}, {}});
    QTest::addRow("accepted")
        << utf8(R"({"type":"accepted","id":"c1","request":"<request id>","queue_position":0})")
        << ServerMessage(Accepted{q("c1"), q("<request id>"), 0});
    Result overloaded = makeResult(q("c1"), q("q1"), Status::Overloaded);
    overloaded.message = q("Server busy: ... try again in N s");
    QTest::addRow("result refused at the door")
        << utf8(R"({"type":"result","id":"c1","request":"q1","status":"overloaded",)"
                R"("message":"Server busy: ... try again in N s"})")
        << ServerMessage(overloaded);
    QTest::addRow("started") << utf8(R"({"type":"started","request":"q1"})")
                             << ServerMessage(Started{q("q1")});
    QTest::addRow("output")
        << utf8(R"({"type":"output","request":"q1","stream":"compile","data":"..."})")
        << ServerMessage(Output{q("q1"), OutputStream::Compile, q("...")});
    QTest::addRow("input.wait") << utf8(R"({"type":"input.wait","request":"q1"})")
                                << ServerMessage(InputWait{q("q1")});
    Result result{q("c1"),
                  q("q1"),
                  Status::Ok,
                  0,
                  std::nullopt,
                  q("42 (REPL expression value, optional)"),
                  12,
                  9,
                  8200,
                  false,
                  q("human-readable explanation for any non-ok status"),
                  {}};
    QTest::addRow("result")
        << utf8(R"({"type":"result","id":"c1","request":"q1","status":"ok","exit_code":0,)"
                R"J("signal":null,"value":"42 (REPL expression value, optional)","time_ms":12,)J"
                R"("cpu_ms":9,"memory_kb":8200,"truncated":false,)"
                R"("message":"human-readable explanation for any non-ok status"})")
        << ServerMessage(result);
    Result waited;
    waited.request = q("q2");
    waited.status = Status::Timeout;
    waited.message = q("Stopped: your program waited 15 min for input");
    waited.limit = q("input_wait");
    QTest::addRow("result of a timeout names the limit (extension)")
        << utf8(R"({"type":"result","request":"q2","status":"timeout","exit_code":null,)"
                R"("signal":null,"time_ms":0,"cpu_ms":0,"memory_kb":0,"truncated":false,)"
                R"("message":"Stopped: your program waited 15 min for input",)"
                R"("limit":"input_wait"})")
        << ServerMessage(waited);
    Result filled;
    filled.request = q("q3");
    filled.exitCode = 0;
    filled.writableKb = 65536;
    filled.writableFull = true;
    filled.message = q("Your program filled the space it may write");
    QTest::addRow("result of a program that filled its writable space says so (extension)")
        << utf8(R"({"type":"result","request":"q3","status":"ok","exit_code":0,)"
                R"("signal":null,"time_ms":0,"cpu_ms":0,"memory_kb":0,"truncated":false,)"
                R"("message":"Your program filled the space it may write",)"
                R"("writable_kb":65536,"writable_full":true})")
        << ServerMessage(filled);
    QTest::addRow("completions") << utf8(R"({"type":"completions","items":["import","imp"]})")
                                 << ServerMessage(Completions{{}, {}, {q("import"), q("imp")}});
    QTest::addRow("history reply")
        << utf8(R"({"type":"history","entries":[{"seq":1,"code":"...","status":"ok"}]})")
        << ServerMessage(HistoryReply{{}, {}, {{1, q("..."), Status::Ok}}});
}

void TestProtocolCodec::serverGoldenExamples()
{
    QFETCH(QByteArray, json);
    QFETCH(ServerMessage, expected);
    const auto decoded = decodeServerMessage(json);
    QVERIFY2(decoded.isValid(), qPrintable(decoded.error().message));
    QCOMPARE(decoded.message(), expected);
}

// Exact bytes, so recorded transcripts stay comparable (Qt writes keys in sorted order).
void TestProtocolCodec::encodingIsStable_data()
{
    QTest::addColumn<QByteArray>("encoded");
    QTest::addColumn<QByteArray>("expected");
    const auto q = [](const char *text) {
        return QString::fromUtf8(text);
    };

    QTest::addRow("accepted") << encode(ServerMessage(Accepted{q("c1"), q("q1"), 2}))
                              << utf8(R"({"id":"c1","queue_position":2,"request":"q1",)"
                                      R"("type":"accepted"})");
    QTest::addRow("result writes null exit_code and signal and omits an absent value")
        << encode(ServerMessage(makeResult({}, q("q1"), Status::Cancelled)))
        << utf8(R"({"cpu_ms":0,"exit_code":null,"memory_kb":0,"message":"","request":"q1",)"
                R"("signal":null,"status":"cancelled","time_ms":0,"truncated":false,)"
                R"("type":"result"})");
    QTest::addRow("input eof omits empty data")
        << encode(ClientMessage(Input{{}, q("q1"), {}, true}))
        << utf8(R"({"eof":true,"request":"q1","type":"input"})");
    QTest::addRow("ping without id is only a type")
        << encode(ClientMessage(Ping{})) << utf8(R"({"type":"ping"})");
}

void TestProtocolCodec::encodingIsStable()
{
    QFETCH(QByteArray, encoded);
    QFETCH(QByteArray, expected);
    QCOMPARE(encoded, expected);
}

// ---- malformed frames ---------------------------------------------------------------------

void TestProtocolCodec::malformedFrames_data()
{
    addMalformedFrameRows();
}

void TestProtocolCodec::malformedFrames()
{
    QFETCH(Direction, direction);
    QFETCH(QByteArray, frame);
    QFETCH(ErrorCode, code);
    QFETCH(QString, id);
    QFETCH(QString, reason);

    const Outcome outcome = decodeAs(direction, frame);
    QVERIFY2(!outcome.valid, "a malformed frame decoded as a message");
    QCOMPARE(outcome.error.code, code);
    QCOMPARE(outcome.error.id, id);
    QVERIFY(!outcome.error.message.isEmpty());
    QVERIFY2(outcome.error.message.contains(reason),
             qPrintable(QStringLiteral("message \"%1\" does not mention \"%2\"")
                            .arg(outcome.error.message, reason)));
}

void TestProtocolCodec::edgeFramesThatDecode_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<ClientMessage>("expected");
    const auto q = [](const char *text) {
        return QString::fromUtf8(text);
    };

    const QString mib(1024 * 1024, QLatin1Char('x'));
    QTest::addRow("1 MiB of code decodes")
        << (R"({"type":"eval","session":"s","code":")" + mib.toLatin1() + "\"}")
        << ClientMessage(Eval{{}, q("s"), mib});
    QTest::addRow("NUL inside a string decodes intact")
        << utf8(R"({"type":"eval","session":"s","code":"a\u0000b"})")
        << ClientMessage(Eval{{}, q("s"), q("a") + QChar(0) + q("b")});
    QTest::addRow("nesting 32 deep is allowed") << nestedFrame(32) << ClientMessage(Ping{q("d1")});
    QTest::addRow("brackets inside strings do not count as nesting")
        << (R"({"type":"eval","session":"s","code":")" + QByteArray(100, '[') + "\"}")
        << ClientMessage(Eval{{}, q("s"), QString(100, QLatin1Char('['))});
    QTest::addRow("2^53 - 1 is the largest integer taken")
        << utf8(R"({"type":"run","language":"py","files":[{"content":""}],)"
                R"("limits":{"output_bytes":9007199254740991}})")
        << [&] {
               Run run = makeRun(q("py"), {SourceFile{}});
               run.limits.outputBytes = Q_INT64_C(9007199254740991);
               return ClientMessage(run);
           }();
    QTest::addRow("an integer written with a fraction of zero is an integer")
        << utf8(R"({"type":"hello","protocol":1.0})") << ClientMessage(Hello{{}, 1, {}, {}, {}});
    QTest::addRow("unknown fields are ignored")
        << utf8(R"({"type":"cancel","request":"q","future":{"a":[1,2]}})")
        << ClientMessage(Cancel{{}, q("q")});
    QTest::addRow("a null id counts as no id")
        << utf8(R"({"type":"ping","id":null})") << ClientMessage(Ping{});
    QTest::addRow("non-ASCII UTF-8 decodes")
        << utf8("{\"type\":\"eval\",\"session\":\"s\",\"code\":\"\xe2\x82\xac \xf0\x9f\x98\x80\"}")
        << ClientMessage(Eval{{}, q("s"), q("\xe2\x82\xac \xf0\x9f\x98\x80")});
}

void TestProtocolCodec::edgeFramesThatDecode()
{
    QFETCH(QByteArray, frame);
    QFETCH(ClientMessage, expected);
    const auto decoded = decodeClientMessage(frame);
    QVERIFY2(decoded.isValid(), qPrintable(decoded.error().message));
    QCOMPARE(decoded.message(), expected);
}

void TestProtocolCodec::deepNestingIsRefusedQuickly_data()
{
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<Direction>("direction");
    QTest::addRow("10,000 levels of arrays") << nestedFrame(10000) << Direction::ClientToServer;
    QTest::addRow("10,000 levels of objects, never closed")
        << (R"({"type":"ping","x":)" + QByteArray("{\"a\":").repeated(10000))
        << Direction::ClientToServer;
    QTest::addRow("a million open brackets, from a server")
        << (R"({"type":"pong","x":)" + QByteArray(1000000, '[')) << Direction::ServerToClient;
}

void TestProtocolCodec::deepNestingIsRefusedQuickly()
{
    QFETCH(QByteArray, frame);
    QFETCH(Direction, direction);
    QElapsedTimer timer;
    timer.start();
    const Outcome outcome = decodeAs(direction, frame);
    const qint64 elapsedMs = timer.elapsed();
    QVERIFY(!outcome.valid);
    QCOMPARE(outcome.error.code, ErrorCode::BadRequest);
    QVERIFY2(outcome.error.message.contains(QLatin1String("deeper")),
             qPrintable(outcome.error.message));
    // Linear scan: a few ms even on a loaded machine; a second means something went quadratic.
    QVERIFY2(elapsedMs < 1000, qPrintable(QStringLiteral("took %1 ms").arg(elapsedMs)));
}

// ---- fuzz ---------------------------------------------------------------------------------

// Mutates valid frames (bit flips, truncation, insertion of bytes that matter to JSON and
// UTF-8, deletion, duplication) and checks the decoders' contract on each: never crash, and
// either a message that survives a second round trip or an error that says why.
void TestProtocolCodec::mutatedFramesNeverCrash()
{
    QList<QByteArray> seeds;
    for (const ClientSample &sample : clientSamples())
        seeds << encode(sample.message);
    for (const ServerSample &sample : serverSamples())
        seeds << encode(sample.message);

    QRandomGenerator rng(20240601);
    static const char bytes[] = "{}[]\",:\\u0123456789.-eE\x00\x7f\x80\xbf\xc0\xed\xf4\xff";
    const QByteArray interesting(bytes, sizeof(bytes) - 1);
    const auto mutate = [&](QByteArray frame) {
        const int steps = 1 + int(rng.bounded(4));
        for (int s = 0; s < steps && !frame.isEmpty(); ++s) {
            const int at = int(rng.bounded(int(frame.size())));
            switch (rng.bounded(6)) {
            case 0:
                frame[at] = char(frame[at] ^ (1 << rng.bounded(8)));
                break;
            case 1:
                frame.truncate(at);
                break;
            case 2:
                frame.insert(at, interesting[rng.bounded(int(interesting.size()))]);
                break;
            case 3:
                frame.insert(at, char(rng.bounded(256)));
                break;
            case 4:
                frame.remove(at, 1 + int(rng.bounded(8)));
                break;
            default:
                frame.insert(at, frame.mid(at, 1 + int(rng.bounded(16))));
                break;
            }
        }
        return frame;
    };

    constexpr int iterations = 20000;
    const CodecLimits tight{256, 4}; // exercises too_large and depth on small frames too
    int valid = 0;
    int run = 0;
    QElapsedTimer timer;
    timer.start();
    for (; run < iterations && timer.elapsed() < 60000; ++run) {
        const QByteArray frame = mutate(seeds[int(rng.bounded(int(seeds.size())))]);
        const CodecLimits limits = run % 8 == 0 ? tight : CodecLimits{};

        const auto client = decodeClientMessage(frame, limits);
        const auto server = decodeServerMessage(frame, limits);
        const auto check = [&](const auto &decoded, const char *side) {
            if (decoded.isValid()) {
                ++valid;
                return true;
            }
            if (!decoded.error().message.isEmpty())
                return true;
            qWarning("%s decoder gave an empty error for %s", side,
                     frame.toPercentEncoding().constData());
            return false;
        };
        QVERIFY(check(client, "client"));
        QVERIFY(check(server, "server"));
        // A frame accepted once must encode to something that decodes to the same message.
        if (client.isValid()) {
            const auto again = decodeClientMessage(encode(client.message()));
            QVERIFY2(again.isValid() && again.message() == client.message(),
                     frame.toPercentEncoding().constData());
        }
        if (server.isValid()) {
            const auto again = decodeServerMessage(encode(server.message()));
            QVERIFY2(again.isValid() && again.message() == server.message(),
                     frame.toPercentEncoding().constData());
        }
    }
    qInfo("%d mutated frames in %lld ms, %d decodes valid", run, timer.elapsed(), valid);
    QVERIFY2(run >= 1000, "the fuzz loop ran out of time almost at once");
    QVERIFY(valid > 0); // the mutations are not all fatal: some frames still decode
}

QTEST_GUILESS_MAIN(TestProtocolCodec)
#include "tst_protocolcodec.moc"
