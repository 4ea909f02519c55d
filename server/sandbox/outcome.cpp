#include "outcome_p.h"

#include <algorithm>
#include <csignal>
#include <cstring>

namespace coderoom::sandbox {

namespace {

constexpr qsizetype stderrTailBytes = 8192;
constexpr qint64 pollSlackMs = 100; // two /proc samples

bool containsAny(const QByteArray &haystack, std::initializer_list<const char *> needles)
{
    return std::any_of(needles.begin(), needles.end(),
                       [&haystack](const char *needle) { return haystack.contains(needle); });
}

} // namespace

void StderrEvidence::scan(const QByteArray &data)
{
    // Look for failure words across chunk boundaries: scan the end of the tail plus the new data.
    const QByteArray window = tail.right(64) + data.left(stderrTailBytes);
    tail = QByteArray(tail + data.right(stderrTailBytes)).right(stderrTailBytes);
    if (containsAny(window, {"MemoryError", "std::bad_alloc", "Cannot allocate memory",
                             "out of memory", "OutOfMemoryError"}))
        memoryError = true;
    if (containsAny(window, {"Resource temporarily unavailable", "BlockingIOError",
                             "can't start new thread", "fork: retry", "Cannot fork",
                             "unable to create native thread"}))
        processError = true;
    if (window.contains("prlimit: failed to execute"))
        execFailure = true;
}

namespace {

Result classifyEnd(const JobEvidence &e)
{
    Result result;
    result.wallMs = e.wallMs;
    result.inputWaitMs = e.inputWaitMs;
    result.cpuMs = e.cpuMs;
    result.memoryKb = e.memoryKb;
    result.outputBytes = e.outputBytes;
    const QString stderrTail = QString::fromUtf8(e.errors.tail.right(400)).trimmed();

    if (!e.programStarted) {
        // bwrap never got as far as starting the program.
        if (e.killReason) {
            result.outcome =
                *e.killReason == Outcome::Timeout ? Outcome::Timeout : Outcome::Stopped;
            result.message = QStringLiteral("stopped before the program started");
            return result;
        }
        result.outcome = Outcome::FailedToStart;
        result.message = stderrTail.isEmpty()
                             ? QStringLiteral("bwrap exited with %1 before starting the program")
                                   .arg(e.bwrapExitCode)
                             : stderrTail;
        return result;
    }

    const int code = e.reportedExitCode.value_or(e.bwrapCrashed ? -1 : e.bwrapExitCode);
    result.exitCode = code;
    // bwrap's init reports a child killed by signal N as 128 + N, like a shell. A program that
    // calls exit(137) looks the same; we accept that ambiguity.
    if (code > 128 && code <= 128 + 64)
        result.signal = code - 128;
    else if (!e.reportedExitCode && e.bwrapCrashed)
        result.signal = SIGKILL;

    if (e.errors.execFailure && (code == 126 || code == 127)) {
        result.outcome = Outcome::FailedToStart;
        result.message = stderrTail;
        return result;
    }
    const qint64 memoryLimitKb = e.limits.memoryMb * 1024;
    if (e.killReason) {
        result.outcome = *e.killReason;
        switch (*e.killReason) {
        case Outcome::Timeout:
            if (e.errors.processError) {
                result.outcome = Outcome::ProcessLimit;
                result.message = QStringLiteral("hit the process limit (%1) and then the "
                                                "wall-clock limit")
                                     .arg(e.limits.processes);
            } else {
                result.message =
                    QStringLiteral("wall-clock limit of %1 ms reached").arg(e.limits.wallMs);
            }
            break;
        case Outcome::InputTimeout:
            result.message = QStringLiteral("nobody answered the program's input within %1 ms")
                                 .arg(e.limits.inputWaitMs);
            break;
        case Outcome::OutputLimit:
            result.message =
                QStringLiteral("output limit of %1 bytes reached").arg(e.limits.outputBytes);
            break;
        case Outcome::CpuLimit:
            result.message = QStringLiteral("CPU limit of %1 ms reached").arg(e.limits.cpuMs);
            break;
        default:
            result.message = QStringLiteral("stopped");
            break;
        }
        return result;
    }
    if (result.signal == SIGXCPU ||
        (result.signal == SIGKILL && e.cpuMs + pollSlackMs >= e.limits.cpuMs)) {
        result.outcome = Outcome::CpuLimit;
        result.message = QStringLiteral("CPU limit of %1 ms reached").arg(e.limits.cpuMs);
        return result;
    }
    // Memory: RLIMIT_AS makes allocation fail; runtimes say so on stderr (MemoryError,
    // std::bad_alloc) and C programs usually crash on the null pointer. A crash counts as a
    // memory limit only when the measured peak was close to the limit.
    const bool crashed = result.signal == SIGSEGV || result.signal == SIGABRT ||
                         result.signal == SIGBUS || result.signal == SIGKILL;
    // With a memory cgroup the kernel says so itself: it killed a process of the job at the
    // job's limit (the program may have carried on and exited 0).
    if (e.oomKills > 0 || (code != 0 && e.errors.memoryError) ||
        (crashed && e.memoryKb * 10 >= memoryLimitKb * 8)) {
        result.outcome = Outcome::MemoryLimit;
        result.message = QStringLiteral("memory limit of %1 MB reached").arg(e.limits.memoryMb);
        return result;
    }
    // Processes: fork/clone failing with EAGAIN is only visible in what the program prints.
    if (code != 0 && (e.errors.processError || e.pidsRefused > 0)) {
        result.outcome = Outcome::ProcessLimit;
        result.message = QStringLiteral("process limit of %1 reached").arg(e.limits.processes);
        return result;
    }
    if (result.signal != 0) {
        result.outcome = Outcome::Signalled;
        result.message = QStringLiteral("killed by signal %1 (%2)")
                             .arg(result.signal)
                             .arg(QString::fromUtf8(::sigabbrev_np(result.signal)));
        return result;
    }
    result.outcome = Outcome::Exited;
    if (code != 0)
        result.message = QStringLiteral("exited with code %1").arg(code);
    return result;
}

} // namespace

Result classifyOutcome(const JobEvidence &e)
{
    Result result = classifyEnd(e);
    result.writableKb = e.writableKb;
    result.writableFull = e.writableFull;
    result.writableMb = writableMbOf(e.limits);
    if (e.writableFull) {
        const QString full = QStringLiteral("its writable space of %1 MB (/work, /tmp, /var/tmp "
                                            "and /dev/shm together) was full: writes past it "
                                            "failed with \"No space left on device\"")
                                 .arg(writableMbOf(e.limits));
        result.message = result.message.isEmpty() ? full : result.message + QStringLiteral("; ") + full;
    }
    return result;
}

} // namespace coderoom::sandbox
