#pragma once

#include "protocolenums.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <optional>
#include <variant>

// One plain struct per wire message (docs/protocol.md). Direction is in the comment; `id` is the
// client's correlation id, echoed by the server on direct replies. Optional wire fields are
// std::optional so that "absent" and "empty" stay different (a run's stdin is the example).
namespace coderoom::protocol {

// ---- shared value types -------------------------------------------------------------------

struct LanguageInfo
{
    QString id;
    QString name;
    QString version;
    bool repl = false;
    QStringList extensions;
    bool operator==(const LanguageInfo &) const = default;
};

struct ServerLimits
{
    qint64 runTimeMs = 10000;
    qint64 queueTtlMs = 10000;
    qint64 memoryMb = 256;
    qint64 outputBytes = 1048576;
    qint64 maxCodeBytes = 1048576;
    // Extension: how long a run or cell may wait for input with its time limit paused.
    qint64 inputWaitMs = 900000;
    bool operator==(const ServerLimits &) const = default;
};

// Per-run limits a client may ask for; each may only lower the server's.
struct RunLimits
{
    std::optional<qint64> runTimeMs;
    std::optional<qint64> cpuMs;
    std::optional<qint64> memoryMb;
    std::optional<qint64> outputBytes;
    std::optional<qint64> compileTimeMs;
    bool operator==(const RunLimits &) const = default;
};

struct SourceFile
{
    QString name;
    QString content;
    bool operator==(const SourceFile &) const = default;
};

struct HistoryEntry
{
    qint64 seq = 0;
    QString code;
    Status status = Status::Ok;
    bool operator==(const HistoryEntry &) const = default;
};

// ---- client -> server ---------------------------------------------------------------------

struct Hello
{
    QString id;
    int protocol = ProtocolVersion;
    QString token;
    QString user;
    QString client;
    bool operator==(const Hello &) const = default;
};

// Opens a new session (language set) or resumes one (session set).
struct SessionOpen
{
    QString id;
    QString language;
    QString session;
    bool operator==(const SessionOpen &) const = default;
};

struct SessionRestart
{
    QString id;
    QString session;
    bool operator==(const SessionRestart &) const = default;
};

struct SessionClose
{
    QString id;
    QString session;
    bool operator==(const SessionClose &) const = default;
};

struct Eval
{
    QString id;
    QString session;
    QString code;
    bool operator==(const Eval &) const = default;
};

struct Run
{
    QString id;
    QString language;
    QList<SourceFile> files;
    QString main;                     // extension: which file is the entry point (default: first)
    std::optional<QString> stdinData; // absent: interactive stdin via `input` messages
    QStringList args;
    RunLimits limits;
    QString session;
    bool operator==(const Run &) const = default;
};

struct Input
{
    QString id;
    QString request;
    QString data;
    bool eof = false;
    bool operator==(const Input &) const = default;
};

struct Interrupt
{
    QString id;
    QString request;
    bool operator==(const Interrupt &) const = default;
};

struct Cancel
{
    QString id;
    QString request;
    bool operator==(const Cancel &) const = default;
};

struct Complete
{
    QString id;
    QString session;
    QString code;
    qint64 cursor = 0;
    bool operator==(const Complete &) const = default;
};

struct HistoryRequest
{
    QString id;
    QString session;
    bool operator==(const HistoryRequest &) const = default;
};

// Extension: keep-alive and latency probe; answered with Pong.
struct Ping
{
    QString id;
    bool operator==(const Ping &) const = default;
};

using ClientMessage = std::variant<Hello, SessionOpen, SessionRestart, SessionClose, Eval, Run,
                                   Input, Interrupt, Cancel, Complete, HistoryRequest, Ping>;

// ---- server -> client ---------------------------------------------------------------------

struct Welcome
{
    QString id;
    int protocol = ProtocolVersion;
    QString server;
    QString node;
    QList<LanguageInfo> languages;
    ServerLimits limits;
    bool operator==(const Welcome &) const = default;
};

struct Redirect
{
    QString id;
    QString url;
    QString node;
    bool operator==(const Redirect &) const = default;
};

struct Error
{
    QString id;
    ErrorCode code = ErrorCode::BadRequest;
    QString message;
    bool operator==(const Error &) const = default;
};

struct SessionOpened
{
    QString id;
    QString session;
    QString language;
    bool restored = false;
    qint64 history = 0;
    bool operator==(const SessionOpened &) const = default;
};

// Extension: reply to session.close.
struct SessionClosed
{
    QString id;
    QString session;
    QString reason = {}; // why, when the server closed it (an administrator); empty otherwise
    bool operator==(const SessionClosed &) const = default;
};

struct SessionRestored
{
    QString id;
    QString session;
    RestoreReason reason = RestoreReason::Crash;
    qint64 replayed = 0;
    std::optional<qint64> divergedAt; // extension: seq of the first entry that replayed differently
    QString message;                  // extension: human-readable detail
    bool operator==(const SessionRestored &) const = default;
};

// Extension: the session's interpreter cannot start at once (a new session, a resume or a
// hibernated one woken on a busy server); `queuePosition` starts are ahead of it. Sent after the
// session.open it answers (same id) and before session.opened; no reply is needed.
struct SessionWaiting
{
    QString id;
    QString session;
    qint64 queuePosition = 0;
    bool operator==(const SessionWaiting &) const = default;
};

struct Accepted
{
    QString id;
    QString request;
    qint64 queuePosition = 0;
    bool operator==(const Accepted &) const = default;
};

struct Started
{
    QString request;
    bool operator==(const Started &) const = default;
};

struct Output
{
    QString request;
    OutputStream stream = OutputStream::Stdout;
    QString data;
    bool operator==(const Output &) const = default;
};

struct InputWait
{
    QString request;
    bool operator==(const InputWait &) const = default;
};

struct Result
{
    QString id;
    QString request;
    Status status = Status::Ok;
    std::optional<int> exitCode;
    std::optional<int> signal;
    std::optional<QString> value;
    qint64 timeMs = 0;
    qint64 cpuMs = 0;
    qint64 memoryKb = 0;
    bool truncated = false;
    QString message;
    // Extension: for status timeout, the limit that stopped it: "run_time", "cpu_time" or
    // "input_wait" (nobody answered its input). Empty: not said.
    QString limit;
    // Extension: the most the program had written (its files in /work, /tmp, /var/tmp and
    // /dev/shm together; 0: not measured), and whether that filled its quota.
    qint64 writableKb = 0;
    bool writableFull = false;
    bool operator==(const Result &) const = default;
};

struct Completions
{
    QString id;
    QString session;
    QStringList items;
    bool operator==(const Completions &) const = default;
};

struct HistoryReply
{
    QString id;
    QString session;
    QList<HistoryEntry> entries;
    bool operator==(const HistoryReply &) const = default;
};

struct Pong
{
    QString id;
    bool operator==(const Pong &) const = default;
};

using ServerMessage = std::variant<Welcome, Redirect, Error, SessionOpened, SessionClosed,
                                   SessionRestored, Accepted, Started, Output, InputWait, Result,
                                   Completions, HistoryReply, Pong, SessionWaiting>;

// The wire "type" of a message.
QString typeName(const ClientMessage &message);
QString typeName(const ServerMessage &message);

} // namespace coderoom::protocol
