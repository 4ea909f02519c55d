#include "malformedframes.h"

#include <QString>
#include <QTest>

namespace coderoom::protocol::testing {

QByteArray nestedFrame(int depth)
{
    return R"({"type":"ping","id":"d1","x":)" + QByteArray(depth - 1, '[') +
           QByteArray(depth - 1, ']') + "}";
}

void addMalformedFrameRows()
{
    QTest::addColumn<Direction>("direction");
    QTest::addColumn<QByteArray>("frame");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("id");     // expected echo: only when the frame had a readable id
    QTest::addColumn<QString>("reason"); // a fragment the message must contain ("" = any)

    const auto c2s = [](const char *row, const QByteArray &frame, ErrorCode code,
                        const char *id = "", const char *reason = "") {
        QTest::addRow("%s", row) << Direction::ClientToServer << frame << code
                                 << QString::fromUtf8(id) << QString::fromUtf8(reason);
    };
    const auto s2c = [](const char *row, const QByteArray &frame, ErrorCode code,
                        const char *id = "", const char *reason = "") {
        QTest::addRow("%s", row) << Direction::ServerToClient << frame << code
                                 << QString::fromUtf8(id) << QString::fromUtf8(reason);
    };
    const ErrorCode bad = ErrorCode::BadRequest;

    // Not an object at all.
    c2s("an empty frame is a bad request", "", bad, "", "not valid JSON");
    c2s("text that is not JSON is a bad request", "hello there", bad, "", "not valid JSON");
    c2s("truncated JSON is a bad request", R"({"type":"eval","id":"a1","code":"x)", bad);
    c2s("a JSON array is not a message", R"([{"type":"ping","id":"a1"}])", bad, "", "object");
    c2s("a JSON number is not a message", "42", bad);
    c2s("a JSON string is not a message", R"("ping")", bad);
    c2s("JSON null is not a message", "null", bad);
    c2s("two objects in one frame are refused", R"({"type":"ping"}{"type":"ping"})", bad);

    // Envelope.
    c2s("a frame without type is refused, id echoed", R"({"id":"a1"})", bad, "a1", "type");
    c2s("a type that is a number is refused", R"({"type":7,"id":"a1"})", bad, "a1", "type");
    c2s("a null type is refused", R"({"type":null,"id":"a1"})", bad, "a1", "type");
    c2s("an empty type is refused", R"({"type":"","id":"a1"})", bad, "a1", "type");
    c2s("an unknown type is unknown_type, id echoed", R"({"type":"launch","id":"a1"})",
        ErrorCode::UnknownType, "a1", "launch");
    c2s("types are case-sensitive", R"({"type":"Hello","id":"a1","protocol":1})",
        ErrorCode::UnknownType, "a1");
    c2s("a server type sent by a client is unknown", R"({"type":"welcome","id":"a1"})",
        ErrorCode::UnknownType, "a1");
    c2s("an id that is a number is refused", R"({"type":"ping","id":5})", bad, "", "id");
    c2s("an id that is an object is refused", R"({"type":"ping","id":{"a":1}})", bad, "", "id");

    // Wrong field types.
    c2s("protocol as a string", R"({"type":"hello","id":"h1","protocol":"1","token":"t"})", bad,
        "h1", "protocol");
    c2s("protocol fractional", R"({"type":"hello","id":"h1","protocol":1.5})", bad, "h1",
        "protocol");
    c2s("protocol beyond int", R"({"type":"hello","id":"h1","protocol":4294967297})", bad, "h1",
        "protocol");
    c2s("hello without protocol", R"({"type":"hello","id":"h1","token":"t"})", bad, "h1",
        "protocol");
    c2s("token as a number", R"({"type":"hello","id":"h1","protocol":1,"token":7})", bad, "h1",
        "token");
    c2s("code as a number", R"({"type":"eval","id":"e1","session":"s","code":41})", bad, "e1",
        "code");
    c2s("session as null", R"({"type":"eval","id":"e1","session":null,"code":""})", bad, "e1",
        "session");
    c2s("files not an array", R"({"type":"run","id":"r1","language":"python","files":"main.py"})",
        bad, "r1", "files");
    c2s("files empty", R"({"type":"run","id":"r1","language":"python","files":[]})", bad, "r1",
        "files");
    c2s("a file that is not an object",
        R"J({"type":"run","id":"r1","language":"python","files":["print(1)"]})J", bad, "r1",
        "files");
    c2s("a file without content",
        R"({"type":"run","id":"r1","language":"python","files":[{"name":"a.py"}]})", bad, "r1",
        "content");
    c2s("a file whose content is a number",
        R"({"type":"run","id":"r1","language":"python","files":[{"content":1}]})", bad, "r1",
        "content");
    const QByteArray run = R"({"type":"run","id":"r1","language":"py","files":[{"content":""}],)";
    c2s("args with a number", run + R"("args":["a",1]})", bad, "r1", "args");
    c2s("args not an array", run + R"("args":"-v"})", bad, "r1", "args");
    c2s("stdin as a number", run + R"("stdin":5})", bad, "r1", "stdin");
    c2s("main as a number", run + R"("main":0})", bad, "r1", "main");
    c2s("limits not an object", run + R"("limits":5000})", bad, "r1", "limits");
    c2s("limits negative", run + R"("limits":{"run_time_ms":-1}})", bad, "r1", "limits");
    c2s("limits zero", run + R"("limits":{"memory_mb":0}})", bad, "r1", "limits");
    c2s("limits fractional", run + R"("limits":{"cpu_ms":100.5}})", bad, "r1", "cpu_ms");
    c2s("limits beyond 2^53 are not silently rounded",
        run + R"("limits":{"output_bytes":9007199254740993}})", bad, "r1", "output_bytes");
    c2s("limits far beyond 2^53", run + R"("limits":{"output_bytes":1e300}})", bad, "r1",
        "output_bytes");
    c2s("limits as strings", run + R"("limits":{"run_time_ms":"5000"}})", bad, "r1", "run_time_ms");
    c2s("cursor beyond the code",
        R"({"type":"complete","id":"c1","session":"s","code":"im",)"
        R"("cursor":3})",
        bad, "c1", "cursor");
    c2s("cursor negative", R"({"type":"complete","id":"c1","session":"s","code":"im","cursor":-1})",
        bad, "c1", "cursor");
    c2s("cursor fractional",
        R"({"type":"complete","id":"c1","session":"s","code":"im","cursor":1.5})", bad, "c1",
        "cursor");
    c2s("eof as a string", R"({"type":"input","id":"i1","request":"q1","eof":"true"})", bad, "i1",
        "eof");
    c2s("data as a number", R"({"type":"input","id":"i1","request":"q1","data":5})", bad, "i1",
        "data");

    // Missing required fields, per type.
    c2s("session.open with neither language nor session", R"({"type":"session.open","id":"o1"})",
        bad, "o1", "language");
    c2s("session.open with both empty",
        R"({"type":"session.open","id":"o1","language":"","session":""})", bad, "o1");
    c2s("session.restart without session", R"({"type":"session.restart","id":"x1"})", bad, "x1",
        "session");
    c2s("session.close without session", R"({"type":"session.close","id":"x1"})", bad, "x1",
        "session");
    c2s("eval without session", R"({"type":"eval","id":"e1","code":"1"})", bad, "e1", "session");
    c2s("eval without code", R"({"type":"eval","id":"e1","session":"s"})", bad, "e1", "code");
    c2s("run without language", R"({"type":"run","id":"r1","files":[{"content":""}]})", bad, "r1",
        "language");
    c2s("run without files", R"({"type":"run","id":"r1","language":"py"})", bad, "r1", "files");
    c2s("input without request", R"({"type":"input","id":"i1","data":"x"})", bad, "i1", "request");
    c2s("input with neither data nor eof", R"({"type":"input","id":"i1","request":"q1"})", bad,
        "i1", "eof");
    c2s("interrupt without request", R"({"type":"interrupt","id":"k1"})", bad, "k1", "request");
    c2s("cancel without request", R"({"type":"cancel","id":"k1"})", bad, "k1", "request");
    c2s("complete without code", R"({"type":"complete","id":"c1","session":"s"})", bad, "c1",
        "code");
    c2s("history without session", R"({"type":"history","id":"h1"})", bad, "h1", "session");

    // Size, encoding, depth.
    QByteArray huge = R"({"type":"eval","id":"big","session":"s","code":")";
    huge += QByteArray(2 * 1024 * 1024, 'x') + "\"}";
    c2s("a frame over the size limit is too_large (refused unread, so no id)", huge,
        ErrorCode::TooLarge, "", "exceeds");
    const QByteArray eval = R"({"type":"eval","id":"u1","session":"s","code":")";
    c2s("a lone 0xff byte is not UTF-8", eval + "a\xff" + "b\"}", bad, "", "UTF-8");
    c2s("an overlong '/' is not UTF-8", eval + "\xc0\xaf\"}", bad, "", "UTF-8");
    c2s("an overlong NUL is not UTF-8", eval + "\xc0\x80\"}", bad, "", "UTF-8");
    c2s("a truncated multibyte sequence is not UTF-8", eval + "\xe2\x82\"}", bad, "", "UTF-8");
    c2s("a multibyte sequence cut at the end of the frame is not UTF-8", eval + "x\"}\xf0\x9f\x98",
        bad, "", "UTF-8");
    c2s("an encoded surrogate is not UTF-8", eval + "\xed\xa0\x80\"}", bad, "", "UTF-8");
    c2s("a code point beyond U+10FFFF is not UTF-8", eval + "\xf4\x90\x80\x80\"}", bad, "",
        "UTF-8");
    c2s("nesting 33 deep is refused", nestedFrame(33), bad, "", "deeper");
    c2s("integer beyond 2^53 in a required field",
        R"({"type":"hello","id":"h1","protocol":9007199254740993})", bad, "h1", "protocol");

    // The other direction: what the desktop client refuses from a server.
    s2c("welcome without protocol", R"({"type":"welcome","id":"h1"})", bad, "h1", "protocol");
    s2c("error whose code is a number", R"({"type":"error","id":"e1","code":404})", bad, "e1",
        "code");
    s2c("error without code", R"({"type":"error","id":"e1","message":"m"})", bad, "e1", "code");
    s2c("output on an unknown stream", R"({"type":"output","request":"q","stream":"x","data":""})",
        bad, "", "stream");
    s2c("result with an unknown status", R"({"type":"result","id":"c1","status":"fine"})", bad,
        "c1", "status");
    s2c("result whose exit_code is a string",
        R"({"type":"result","id":"c1","status":"ok","exit_code":"0"})", bad, "c1", "exit_code");
    s2c("result whose exit_code exceeds int",
        R"({"type":"result","id":"c1","status":"ok","exit_code":4294967296})", bad, "c1",
        "exit_code");
    s2c("result whose signal is fractional",
        R"({"type":"result","id":"c1","status":"ok","signal":9.5})", bad, "c1", "signal");
    s2c("session.opened without session", R"({"type":"session.opened","id":"o1"})", bad, "o1",
        "session");
    s2c("session.restored without reason",
        R"({"type":"session.restored","session":"s","replayed":1})", bad, "", "reason");
    s2c("accepted without request", R"({"type":"accepted","id":"c1"})", bad, "c1", "request");
    s2c("completions with a number among items",
        R"({"type":"completions","id":"c1","items":["a",1]})", bad, "c1", "items");
    s2c("history reply with entries not an array", R"({"type":"history","id":"h1","entries":{}})",
        bad, "h1", "entries");
    s2c("history reply with an entry missing its seq",
        R"({"type":"history","id":"h1","entries":[{"code":"x","status":"ok"}]})", bad, "h1", "seq");
    s2c("welcome with a language that is not an object",
        R"({"type":"welcome","id":"h1","protocol":1,"languages":["python"]})", bad, "h1",
        "languages");
    s2c("a client type sent by a server is unknown", R"({"type":"eval","id":"e1"})",
        ErrorCode::UnknownType, "e1");
}

} // namespace coderoom::protocol::testing
