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

} // namespace coderoom::restapi
