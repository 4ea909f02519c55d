#pragma once

#include "sandboxtypes.h"

#include <QByteArray>

#include <optional>

// Turning what was observed about a finished job into one Outcome. Pure, so the heuristics are
// in one place and readable: exit code 128+N means signal N (bwrap's convention), SIGXCPU or a
// SIGKILL at the CPU limit is CpuLimit, an allocation failure message or a crash near the memory
// limit is MemoryLimit, an EAGAIN-from-fork message is ProcessLimit. A limit the server enforced
// itself (wall clock, output, total CPU) wins over whatever the program's end looked like.
namespace coderoom::sandbox {

// The words on stderr that tell what went wrong; the last 8 KiB are kept for messages.
struct StderrEvidence
{
    QByteArray tail;
    bool memoryError = false;  // MemoryError, std::bad_alloc, "Cannot allocate memory", ...
    bool processError = false; // "Resource temporarily unavailable", BlockingIOError, ...
    bool execFailure = false;  // prlimit could not exec the command
    void scan(const QByteArray &data);
};

struct JobEvidence
{
    Limits limits;
    bool programStarted = false;         // bwrap reported the child (a namespace existed)
    std::optional<Outcome> killReason;   // the server ended the job, and why
    std::optional<int> reportedExitCode; // from bwrap's --json-status-fd
    int bwrapExitCode = -1;
    bool bwrapCrashed = false; // bwrap itself died of a signal (our SIGKILL)
    qint64 wallMs = 0;
    qint64 inputWaitMs = 0;
    qint64 cpuMs = 0;
    qint64 memoryKb = 0;
    qint64 writableKb = 0;
    bool writableFull = false;
    // From the job's cgroup: processes the kernel killed at the job's memory limit, forks it
    // refused at the job's process limit.
    qint64 oomKills = 0;
    qint64 pidsRefused = 0;
    qint64 outputBytes = 0;
    StderrEvidence errors; // what the program wrote to stderr
};

Result classifyOutcome(const JobEvidence &evidence);

} // namespace coderoom::sandbox
