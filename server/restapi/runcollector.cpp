#include "runcollector.h"

namespace coderoom::restapi {

bool collectEvent(CollectedRun &run, const protocol::ServerMessage &event)
{
    if (run.finished())
        return false;
    if (const auto *output = std::get_if<protocol::Output>(&event)) {
        switch (output->stream) {
        case protocol::OutputStream::Stdout:
            run.stdoutText += output->data;
            run.output += output->data;
            break;
        case protocol::OutputStream::Stderr:
            run.stderrText += output->data;
            run.output += output->data;
            break;
        case protocol::OutputStream::Compile:
            run.compileText += output->data;
            break;
        }
        return false;
    }
    if (const auto *result = std::get_if<protocol::Result>(&event)) {
        run.result = *result;
        return true;
    }
    if (const auto *error = std::get_if<protocol::Error>(&event)) {
        run.error = *error;
        return true;
    }
    return false; // accepted, started, input.wait: nothing to keep
}

std::optional<Refusal> refusalOf(const CollectedRun &run)
{
    if (!run.error) {
        if (run.result)
            return std::nullopt;
        return Refusal{500, QStringLiteral("the run ended without a result"), false};
    }
    Refusal refusal{400, run.error->message, false};
    switch (run.error->code) {
    case protocol::ErrorCode::Unauthorized:
        refusal.status = 401;
        break;
    case protocol::ErrorCode::RateLimited:
    case protocol::ErrorCode::QuotaExceeded:
        refusal.status = 429;
        refusal.busy = true;
        break;
    case protocol::ErrorCode::ShuttingDown:
        refusal.status = 503;
        refusal.busy = true;
        break;
    case protocol::ErrorCode::InternalError:
        refusal.status = 500;
        break;
    default:
        break;
    }
    return refusal;
}

} // namespace coderoom::restapi
