#include "protocolsamples.h"

namespace coderoom::protocol::testing {

namespace {

QString s(const char *utf8)
{
    return QString::fromUtf8(utf8);
}

Run runWith(std::optional<QString> stdinData)
{
    Run m;
    m.id = s("r1");
    m.language = s("python");
    m.files = {{s("main.py"), s("print(input())\n")}};
    m.stdinData = std::move(stdinData);
    return m;
}

Result resultWith(Status status, std::optional<int> exitCode, std::optional<int> signal,
                  std::optional<QString> value)
{
    Result m;
    m.id = s("c7");
    m.request = s("req-7");
    m.status = status;
    m.exitCode = exitCode;
    m.signal = signal;
    m.value = std::move(value);
    m.timeMs = 12;
    m.cpuMs = 9;
    m.memoryKb = 8200;
    return m;
}

} // namespace

QList<ClientSample> clientSamples()
{
    Run full = runWith(s("5\n"));
    full.files.append({s("util.py"), s("def f():\n    return 1\n")});
    full.main = s("main.py");
    full.args = {s("--verbose"), s(""), s("two words")};
    full.limits = {5000, 4000, 128, 65536, 20000};
    full.session = s("s1");

    Run someLimits = runWith(std::nullopt);
    someLimits.limits.runTimeMs = 5000;
    someLimits.limits.compileTimeMs = 1;

    Run unnamedFile = runWith(std::nullopt);
    unnamedFile.files = {{QString(), s("int main() {}")}};
    unnamedFile.language = s("cpp");

    return {
        {"hello with every field", Hello{s("h1"), 1, s("tok"), s("alice"), s("desktop/0.1")}},
        {"hello with only the protocol", Hello{{}, 1, {}, {}, {}}},
        {"hello from a future protocol version", Hello{{}, 2, s("t"), {}, {}}},
        {"session.open for a language", SessionOpen{s("o1"), s("python"), {}}},
        {"session.open to resume a session", SessionOpen{s("o2"), {}, s("s-42")}},
        {"session.open with language and session", SessionOpen{{}, s("python"), s("s-42")}},
        {"session.restart", SessionRestart{s("x1"), s("s-42")}},
        {"session.close", SessionClose{{}, s("s-42")}},
        {"eval of a cell", Eval{s("e1"), s("s-42"), s("x = 41\nx + 1")}},
        {"eval of empty code", Eval{s("e2"), s("s-42"), {}}},
        {"eval keeps non-ASCII, quotes, backslashes and NUL",
         Eval{s("e3"), s("s"), s("print(\"h\xc3\xa9 \xf0\x9f\x98\x80\\n\")") + QChar(0) + s("x")}},
        // Qt writes a lone surrogate as a \ud800 escape, so even such text re-decodes.
        {"eval with a lone UTF-16 surrogate", Eval{{}, s("s"), s("a") + QChar(0xd800) + s("b")}},
        {"run with stdin absent (interactive)", runWith(std::nullopt)},
        {"run with stdin an empty string (immediate EOF)", runWith(s(""))},
        {"run with every field", full},
        {"run with some limits", someLimits},
        {"run with an unnamed file", unnamedFile},
        {"input data", Input{s("i1"), s("req-7"), s("5\n"), false}},
        {"input empty data", Input{{}, s("req-7"), {}, false}},
        {"input eof", Input{{}, s("req-7"), {}, true}},
        {"input last data with eof", Input{{}, s("req-7"), s("bye"), true}},
        {"interrupt", Interrupt{s("k1"), s("req-7")}},
        {"cancel", Cancel{{}, s("req-7")}},
        {"complete with the cursor at the start", Complete{s("c1"), s("s"), s("imp"), 0}},
        {"complete with the cursor at the end", Complete{{}, s("s"), s("imp"), 3}},
        {"complete in non-ASCII code", Complete{{}, s("s"), s("\xc3\xa9t\xc3\xa9"), 2}},
        {"history request", HistoryRequest{s("h2"), s("s-42")}},
        {"ping", Ping{s("p1")}},
        {"ping without id", Ping{}},
    };
}

QList<ServerSample> serverSamples()
{
    Welcome welcome{s("h1"), 1, s("coderoom/0.1"), s("node-a"), {}, {}};
    welcome.languages = {{s("python"), s("Python"), s("3.11.2"), true, {s("py")}},
                         {s("cpp"), s("C++"), s("12.2"), false, {s("cpp"), s("cc"), s("h")}}};
    welcome.limits = {5000, 2000, 128, 4096, 65536};

    Result everything = resultWith(Status::Error, 1, std::nullopt, std::nullopt);
    everything.truncated = true;
    everything.message = s("Traceback ...");

    QList<ServerSample> out{
        {"welcome with languages and limits", welcome},
        {"welcome without languages", Welcome{{}, 1, s("coderoom/0.1"), {}, {}, {}}},
        {"redirect", Redirect{s("h1"), s("ws://node-b:8765/api/v1/ws"), s("node-b")}},
        {"error with a message", Error{s("e1"), ErrorCode::NotFound, s("no such session")}},
        {"error without id", Error{{}, ErrorCode::HelloRequired, {}}},
        {"session.opened fresh", SessionOpened{s("o1"), s("s-42"), s("python"), false, 0}},
        {"session.opened restored", SessionOpened{s("o2"), s("s-42"), s("python"), true, 17}},
        {"session.closed", SessionClosed{s("x2"), s("s-42")}},
        {"session.restored after a crash",
         SessionRestored{{}, s("s-42"), RestoreReason::Crash, 3, std::nullopt, {}}},
        {"session.restored after eviction, diverged",
         SessionRestored{{}, s("s-42"), RestoreReason::Evicted, 5, 4, s("random differs")}},
        {"session.restored after a restart, diverged at 0",
         SessionRestored{{}, s("s-42"), RestoreReason::Restart, 0, 0, {}}},
        {"accepted", Accepted{s("c7"), s("req-7"), 0}},
        {"accepted further back in the queue", Accepted{{}, s("req-8"), 12}},
        {"started", Started{s("req-7")}},
        {"output on stdout", Output{s("req-7"), OutputStream::Stdout, s("42\n")}},
        {"output on stderr", Output{s("req-7"), OutputStream::Stderr, s("oops")}},
        {"output from the compiler", Output{s("req-7"), OutputStream::Compile, s("warning")}},
        {"output of empty data", Output{s("req-7"), OutputStream::Stdout, {}}},
        {"input.wait", InputWait{s("req-7")}},
        {"result ok with exit code 0 and no value",
         resultWith(Status::Ok, 0, std::nullopt, std::nullopt)},
        {"result with a REPL value", resultWith(Status::Ok, std::nullopt, std::nullopt, s("42"))},
        {"result with an empty value", resultWith(Status::Ok, std::nullopt, std::nullopt, s(""))},
        {"result killed by a signal", resultWith(Status::Timeout, std::nullopt, 9, std::nullopt)},
        {"result with a negative exit code", resultWith(Status::Error, -1, 0, std::nullopt)},
        {"result with every field", everything},
        {"result without request", Result{}},
        {"completions", Completions{s("c1"), s("s"), {s("import"), s("imp")}}},
        {"completions, none found", Completions{{}, {}, {}}},
        {"history reply", HistoryReply{s("h2"),
                                       s("s-42"),
                                       {{1, s("x = 1"), Status::Ok},
                                        {2, s("1/0"), Status::Error},
                                        {3, s("if x:"), Status::Incomplete}}}},
        {"history reply, empty", HistoryReply{{}, s("s-42"), {}}},
        {"pong", Pong{s("p1")}},
        {"session.waiting for two starts ahead", SessionWaiting{s("o3"), s("s-42"), 2}},
        {"session.waiting, next", SessionWaiting{{}, s("s-42"), 0}},
    };
    return out;
}

} // namespace coderoom::protocol::testing
