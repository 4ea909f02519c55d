#include "statustext.h"

namespace coderoom::repl {

using protocol::Status;

namespace {
QString seconds(qint64 ms)
{
    return QString::number(double(ms) / 1000.0, 'f', 2);
}
} // namespace

QString StatusText::runSummary(const protocol::Result &result, const protocol::ServerLimits &limits)
{
    switch (result.status) {
    case Status::Ok:
        return tr("Finished in %1 s").arg(seconds(result.timeMs));
    case Status::Error:
        if (result.exitCode)
            return tr("Error (exit code %1)").arg(*result.exitCode);
        if (result.signal)
            return tr("Error (stopped by signal %1)").arg(*result.signal);
        return tr("Error");
    case Status::CompileError:
        return tr("Compile error");
    case Status::Incomplete:
        return tr("Incomplete input");
    case Status::Timeout:
        // Thinking time is not run time: a question nobody answered is not "ran too long".
        if (result.limit == u"input_wait")
            return tr("Stopped: nobody answered its input for %n min", nullptr,
                      int(std::max<qint64>(1, (limits.inputWaitMs + 59999) / 60000)));
        if (result.limit == u"cpu_time")
            return tr("Stopped: used up its CPU time");
        return tr("Stopped: ran longer than %n s", nullptr,
                  int(std::max<qint64>(1, (limits.runTimeMs + 999) / 1000)));
    case Status::MemoryLimit:
        return tr("Out of memory");
    case Status::OutputLimit:
        return tr("Too much output");
    case Status::Cancelled:
        return tr("Cancelled");
    case Status::QueueTimeout:
    case Status::Overloaded:
        return tr("Server busy — retrying is safe");
    case Status::InternalError:
        if (result.message.isEmpty())
            return tr("Something went wrong on the server");
        return tr("Something went wrong on the server: %1").arg(result.message);
    }
    return tr("Error");
}

QString StatusText::evalSummary(const protocol::Result &result,
                                const protocol::ServerLimits &limits)
{
    if (result.status == Status::Ok || result.status == Status::Incomplete)
        return {};
    if (result.status == Status::Error)
        return {}; // the traceback on stderr says it better
    return runSummary(result, limits);
}

QString StatusText::errorText(protocol::ErrorCode code)
{
    using protocol::ErrorCode;
    switch (code) {
    case ErrorCode::BadRequest:
        return tr("The server did not understand the request");
    case ErrorCode::UnknownType:
        return tr("The server does not know this kind of request");
    case ErrorCode::TooLarge:
        return tr("The program is too large to send");
    case ErrorCode::Unauthorized:
        return tr("The server refused the user name or token");
    case ErrorCode::HelloRequired:
        return tr("The connection was not set up correctly");
    case ErrorCode::NotFound:
        return tr("The session no longer exists");
    case ErrorCode::UnknownLanguage:
        return tr("This server does not offer that language");
    case ErrorCode::NotSupported:
        return tr("This language has no interactive prompt on this server");
    case ErrorCode::RateLimited:
        return tr("Too many failed attempts; wait a minute and try again");
    case ErrorCode::QuotaExceeded:
        return tr("You have reached your usage limit on this server");
    case ErrorCode::ShuttingDown:
        return tr("The server is shutting down");
    case ErrorCode::InternalError:
        return tr("Something went wrong on the server");
    }
    return tr("Something went wrong on the server");
}

QString StatusText::connectionText(app::ConnectionState state, const QString &detail,
                                   int retryInSeconds)
{
    using app::ConnectionState;
    switch (state) {
    case ConnectionState::Starting:
        return tr("Starting the local server…");
    case ConnectionState::Connecting:
        return detail.isEmpty() ? tr("Connecting…") : tr("Connecting to %1…").arg(detail);
    case ConnectionState::Connected:
        if (detail.isEmpty() || detail == u"Local")
            return tr("Local");
        return tr("Connected to %1").arg(detail);
    case ConnectionState::Reconnecting:
        return tr("Reconnecting in %n s", nullptr, std::max(0, retryInSeconds));
    case ConnectionState::Offline:
        return detail.isEmpty() ? tr("Offline") : tr("Offline: %1").arg(detail);
    }
    return tr("Offline");
}

QString StatusText::restoreNote(protocol::RestoreReason reason, qint64 replayed)
{
    const int n = int(replayed);
    switch (reason) {
    case protocol::RestoreReason::Crash:
        return tr("Session restored after the interpreter crashed — %n entries replayed", nullptr,
                  n);
    case protocol::RestoreReason::Evicted:
        return tr("Session restored after a pause — %n entries replayed", nullptr, n);
    case protocol::RestoreReason::Restart:
        return tr("Session restored after the server restarted — %n entries replayed", nullptr, n);
    }
    return {};
}

QString StatusText::queued(int position)
{
    return tr("Waiting for the server (position %1 in the queue)").arg(position);
}

QString StatusText::running()
{
    return tr("Running…");
}

QString StatusText::ready()
{
    return tr("Ready");
}

} // namespace coderoom::repl
