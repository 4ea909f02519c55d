#pragma once

#include "messages.h"

#include <optional>

// A REST reply is one document written when the run has ended, so the run's event stream is
// gathered here first. Plain data plus one pure function, shared by the Piston and Jobe sides.
namespace coderoom::restapi {

struct CollectedRun
{
    QString stdoutText;
    QString stderrText;
    QString compileText; // compiler diagnostics ("compile" stream)
    QString output;      // stdout and stderr interleaved in arrival order (Piston's run.output)
    std::optional<protocol::Result> result;
    std::optional<protocol::Error> error; // refused before queueing (unknown language, ...)

    bool finished() const { return result.has_value() || error.has_value(); }
};

// Adds one event of the run. Returns true when this event ended it (a Result or an Error);
// events after the end are ignored.
bool collectEvent(CollectedRun &run, const protocol::ServerMessage &event);

// A run that ended without a Result, as both REST sides answer it over HTTP.
struct Refusal
{
    int status = 500; // 401 unauthorized, 429 rate/quota, 503 shutting down, 500 internal or
                      // no result at all, 400 the rest (bad request, unknown language, ...)
    QString message;
    bool busy = false; // shutting down, rate limited, over quota: "retry later" (Jobe answers
                       // these as an overload outcome rather than an HTTP error)
};

// The refusal of an ended run, or nullopt when it has a Result to report.
std::optional<Refusal> refusalOf(const CollectedRun &run);

} // namespace coderoom::restapi
