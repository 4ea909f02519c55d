#pragma once

#include <QString>

#include <optional>

// Enumerations of the Coderoom wire protocol with their stable wire names. The wire names are a
// contract (see docs/protocol.md): add values, never rename or remove one.
namespace coderoom::protocol {

inline constexpr int ProtocolVersion = 1;

// Outcome of one request ("status" of a result).
enum class Status {
    Ok,
    Error,         // exception or non-zero exit
    CompileError,
    Incomplete,    // REPL input is not a complete statement yet; nothing ran
    Timeout,       // the program ran past its time limit and was stopped
    MemoryLimit,
    OutputLimit,
    Cancelled,
    QueueTimeout,  // waited longer than the queue TTL: the server was busy, not the program
    Overloaded,    // refused at the door: the queue was full
    InternalError,
};

// "code" of an error message.
enum class ErrorCode {
    BadRequest,
    UnknownType,
    TooLarge,
    Unauthorized,
    HelloRequired,
    NotFound,
    // Extensions (docs/protocol.md):
    UnknownLanguage,  // the language is not offered by this server
    NotSupported,     // e.g. session.open for a language without a REPL
    RateLimited,      // too many failed hellos from one address
    QuotaExceeded,    // a per-user or per-class limit
    ShuttingDown,     // the server is stopping and takes no new work
    InternalError,
};

enum class OutputStream { Stdout, Stderr, Compile };

enum class RestoreReason { Crash, Evicted, Restart };

QString toWire(Status status);
QString toWire(ErrorCode code);
QString toWire(OutputStream stream);
QString toWire(RestoreReason reason);

std::optional<Status> statusFromWire(const QString &name);
std::optional<ErrorCode> errorCodeFromWire(const QString &name);
std::optional<OutputStream> outputStreamFromWire(const QString &name);
std::optional<RestoreReason> restoreReasonFromWire(const QString &name);

} // namespace coderoom::protocol
