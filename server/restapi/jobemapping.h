#pragma once

#include "messages.h"
#include "runcollector.h"

#include <QByteArray>

#include <optional>
#include <utility>

// Jobe's REST API (github.com/trampgeek/jobe, as Moodle CodeRunner calls it) <-> Coderoom
// protocol, as pure functions so every mapping rule is table-tested. docs/rest.md lists them.
namespace coderoom::restapi::jobe {

// Ideone outcome codes, as Jobe answers them.
enum Outcome : int
{
    CompileError = 11,
    RuntimeError = 12,
    TimeLimit = 13,
    Success = 15,
    MemoryLimit = 17,
    IllegalSystemCall = 19,
    InternalError = 20,
    ServerOverload = 21,
};

// An HTTP answer. Jobe words its errors as a bare JSON string ("\"Language 'x' is not known\"").
struct Reply
{
    int status = 200;
    QByteArray body;
};

// Our language id <-> Jobe's (python <-> python3, javascript <-> nodejs, the rest as is).
QString jobeLanguageId(const QString &languageId);
std::optional<protocol::LanguageInfo> findLanguage(const QList<protocol::LanguageInfo> &languages,
                                                   const QString &jobeId);

// GET .../languages: [["python3","3.11.2"], ...].
QByteArray languagesJson(const QList<protocol::LanguageInfo> &languages);

// Jobe's Java: the file must be named after its public class. "Main" when none is found.
QString javaClassName(const QString &source);

// File ids of PUT .../files/{id} and file_list: 1-128 of [A-Za-z0-9_-].
bool isValidFileId(const QString &id);
// Names of file_list entries and sourcefilename: no path, no leading dot or dash.
bool isValidFileName(const QString &name);

struct RunSpec
{
    protocol::LanguageInfo language;
    protocol::Run run;                           // the source file only, stdin always set
    QList<std::pair<QString, QString>> fileList; // [id, name] to add from the file store
};

struct RunSpecParse
{
    std::optional<RunSpec> spec;
    Reply error; // when !spec
};

// POST .../runs body {"run_spec": {...}} -> a protocol Run. Parameters: cputime (s) -> cpu_ms
// and run_time_ms = 2 x cputime (Jobe's wall-clock kill), memorylimit (MB) -> memory_mb,
// streamsize (MB) -> output_bytes, runargs -> args; the core clamps each to the server's.
RunSpecParse parseRunSpec(const QByteArray &body, const QList<protocol::LanguageInfo> &languages);

// PUT .../files/{id} body {"file_contents": base64} -> the bytes, or the error reply.
std::optional<QByteArray> decodeFilePut(const QByteArray &body, Reply *error);

// The outcome of an ended run.
int outcomeFor(const protocol::Result &result);

// The reply for an ended run: 200 {run_id, outcome, cmpinfo, stdout, stderr}; overload and
// queue timeout are outcome 21 (as Jobe does); a refusal before queueing is a 400 string.
Reply runReply(const QString &runId, const CollectedRun &run);

// A bare JSON string with the given status.
Reply errorReply(int status, const QString &message);

} // namespace coderoom::restapi::jobe
