#include "protocolenums.h"

#include <array>
#include <utility>

namespace coderoom::protocol {
namespace {

template<typename Enum, std::size_t N>
using WireTable = std::array<std::pair<Enum, const char *>, N>;

constexpr WireTable<Status, 11> statusNames{{
    {Status::Ok, "ok"},
    {Status::Error, "error"},
    {Status::CompileError, "compile_error"},
    {Status::Incomplete, "incomplete"},
    {Status::Timeout, "timeout"},
    {Status::MemoryLimit, "memory_limit"},
    {Status::OutputLimit, "output_limit"},
    {Status::Cancelled, "cancelled"},
    {Status::QueueTimeout, "queue_timeout"},
    {Status::Overloaded, "overloaded"},
    {Status::InternalError, "internal_error"},
}};

constexpr WireTable<ErrorCode, 12> errorNames{{
    {ErrorCode::BadRequest, "bad_request"},
    {ErrorCode::UnknownType, "unknown_type"},
    {ErrorCode::TooLarge, "too_large"},
    {ErrorCode::Unauthorized, "unauthorized"},
    {ErrorCode::HelloRequired, "hello_required"},
    {ErrorCode::NotFound, "not_found"},
    {ErrorCode::UnknownLanguage, "unknown_language"},
    {ErrorCode::NotSupported, "not_supported"},
    {ErrorCode::RateLimited, "rate_limited"},
    {ErrorCode::QuotaExceeded, "quota_exceeded"},
    {ErrorCode::ShuttingDown, "shutting_down"},
    {ErrorCode::InternalError, "internal_error"},
}};

constexpr WireTable<OutputStream, 3> streamNames{{
    {OutputStream::Stdout, "stdout"},
    {OutputStream::Stderr, "stderr"},
    {OutputStream::Compile, "compile"},
}};

constexpr WireTable<RestoreReason, 3> reasonNames{{
    {RestoreReason::Crash, "crash"},
    {RestoreReason::Evicted, "evicted"},
    {RestoreReason::Restart, "restart"},
}};

template<typename Enum, std::size_t N>
QString nameOf(const WireTable<Enum, N> &table, Enum value)
{
    for (const auto &[v, name] : table) {
        if (v == value)
            return QString::fromLatin1(name);
    }
    return {};
}

template<typename Enum, std::size_t N>
std::optional<Enum> valueOf(const WireTable<Enum, N> &table, const QString &name)
{
    for (const auto &[v, n] : table) {
        if (name == QLatin1String(n))
            return v;
    }
    return std::nullopt;
}

} // namespace

QString toWire(Status status) { return nameOf(statusNames, status); }
QString toWire(ErrorCode code) { return nameOf(errorNames, code); }
QString toWire(OutputStream stream) { return nameOf(streamNames, stream); }
QString toWire(RestoreReason reason) { return nameOf(reasonNames, reason); }

std::optional<Status> statusFromWire(const QString &name) { return valueOf(statusNames, name); }
std::optional<ErrorCode> errorCodeFromWire(const QString &name)
{
    return valueOf(errorNames, name);
}
std::optional<OutputStream> outputStreamFromWire(const QString &name)
{
    return valueOf(streamNames, name);
}
std::optional<RestoreReason> restoreReasonFromWire(const QString &name)
{
    return valueOf(reasonNames, name);
}

} // namespace coderoom::protocol
