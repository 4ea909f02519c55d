#pragma once

#include "messages.h"
#include "runcollector.h"

#include <QByteArray>
#include <QJsonObject>

#include <optional>

// Piston v2 (github.com/engineer-man/piston, api/v2) <-> Coderoom protocol, as pure functions
// so every mapping rule is table-tested without a server. docs/rest.md lists the rules.
namespace coderoom::restapi::piston {

// An HTTP answer: status and JSON body.
struct Reply
{
    int status = 200;
    QByteArray body;
};

// Piston's extra names for one of our language ids ("python" -> py, py3, python3).
QStringList aliasesFor(const QString &languageId);

// GET /api/v2/runtimes: [{language, version, aliases, runtime?}, ...].
QByteArray runtimesJson(const QList<protocol::LanguageInfo> &languages);

// True when `version` ("3.11.2") satisfies a Piston version spec: "*", an exact version, a
// prefix ("3", "3.11"), x-ranges ("3.x"), comparators (">=3.8 <4"), caret/tilde ("^3.9",
// "~3.11.0") and alternatives joined by "||".
bool versionMatches(const QString &version, const QString &spec);

// The language a request's (language, version) names, by id or alias (any case).
std::optional<protocol::LanguageInfo> findRuntime(const QList<protocol::LanguageInfo> &languages,
                                                  const QString &language, const QString &version);

struct ExecuteRequest
{
    protocol::LanguageInfo language; // the runtime it resolved to
    protocol::Run run;
};

struct ExecuteParse
{
    std::optional<ExecuteRequest> request;
    Reply error; // when !request: 400 {"message": ...} as Piston words it
};

// POST /api/v2/execute body -> a protocol Run (stdin always given: Piston programs never read
// interactively). Limits are mapped only; the core clamps them to the server's.
ExecuteParse parseExecute(const QByteArray &body, const QList<protocol::LanguageInfo> &languages);

// True for languages Piston reports with a "compile" stage.
bool isCompiled(const QString &languageId);

// "SIGKILL" for 9, ...; empty for an unknown number.
QString signalName(int signal);

// One stage object {stdout, stderr, output, code, signal, message, status, cpu_time,
// wall_time, memory} for a finished run.
QJsonObject runStage(const CollectedRun &run);

// The whole reply for an ended run: 200 {language, version, run, compile?}, or the HTTP error
// for a run that was refused (400 unknown language / bad request, 503 overloaded, ...).
Reply executeReply(const protocol::LanguageInfo &language, const CollectedRun &run);

// {"message": text} with the given status.
Reply errorReply(int status, const QString &message);

} // namespace coderoom::restapi::piston
