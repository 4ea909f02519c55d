#include "resultwording.h"

#include <csignal>
#include <cstring>

namespace coderoom::core {

using protocol::Status;
using sandbox::Outcome;

QString secondsText(qint64 ms)
{
    if (ms % 1000 == 0)
        return QStringLiteral("%1 s").arg(ms / 1000);
    return QStringLiteral("%1 s").arg(double(ms) / 1000.0, 0, 'f', ms < 10000 ? 2 : 1);
}

namespace {

QString signalName(int sig)
{
    const char *description = strsignal(sig);
    return QStringLiteral("signal %1 (%2)").arg(sig).arg(QString::fromLocal8Bit(description));
}

void fillMeasurements(protocol::Result &out, const sandbox::Result &run)
{
    out.timeMs = run.wallMs;
    out.cpuMs = run.cpuMs;
    out.memoryKb = run.memoryKb;
}

} // namespace

protocol::Result describeProgramResult(const languages::ProgramResult &result,
                                       const EffectiveLimits &limits)
{
    protocol::Result out;
    if (result.invalidRequest) {
        out.status = Status::Error;
        out.message = result.message;
        return out;
    }
    if (result.compileFailed) {
        out.status = Status::CompileError;
        fillMeasurements(out, result.compile);
        out.exitCode = result.compile.exitCode;
        switch (result.compile.outcome) {
        case Outcome::Timeout:
        case Outcome::CpuLimit:
            out.message = QStringLiteral("Compile error: the compiler ran longer than its limit "
                                         "and was stopped.");
            break;
        case Outcome::MemoryLimit:
            out.message = QStringLiteral("Compile error: the compiler ran out of memory.");
            break;
        case Outcome::OutputLimit:
            out.message = QStringLiteral("Compile error: too many compiler messages.");
            break;
        case Outcome::FailedToStart:
            out.status = Status::InternalError;
            out.message = QStringLiteral("The compiler could not be started: ") + result.message;
            break;
        default:
            out.message = QStringLiteral("Compile error: see the compiler messages.");
        }
        return out;
    }

    const sandbox::Result &run = result.run;
    fillMeasurements(out, run);
    switch (run.outcome) {
    case Outcome::Exited:
        out.exitCode = run.exitCode;
        out.status = run.exitCode == 0 ? Status::Ok : Status::Error;
        if (run.exitCode != 0)
            out.message = QStringLiteral("The program exited with code %1.").arg(run.exitCode);
        break;
    case Outcome::Signalled:
        out.status = Status::Error;
        out.signal = run.signal;
        out.message = QStringLiteral("The program crashed: %1.").arg(signalName(run.signal));
        break;
    case Outcome::Timeout:
        out.status = Status::Timeout;
        out.message = QStringLiteral("Stopped: your program ran for %1, longer than the time "
                                     "limit of %2.")
                          .arg(secondsText(run.wallMs), secondsText(limits.runTimeMs));
        break;
    case Outcome::CpuLimit:
        out.status = Status::Timeout;
        out.message = QStringLiteral("Stopped: your program used more than %1 of CPU time.")
                          .arg(secondsText(limits.cpuMs));
        break;
    case Outcome::MemoryLimit:
        out.status = Status::MemoryLimit;
        out.message = QStringLiteral("Stopped: your program needed more than %1 MiB of memory.")
                          .arg(limits.memoryMb);
        break;
    case Outcome::OutputLimit:
        out.status = Status::OutputLimit;
        out.truncated = true;
        out.message = QStringLiteral("Stopped: your program printed more than %1 KiB; the "
                                     "output is cut there.")
                          .arg(limits.outputBytes / 1024);
        break;
    case Outcome::ProcessLimit:
        out.status = Status::Error;
        out.exitCode = run.exitCode;
        out.message = QStringLiteral("Your program tried to start too many processes or threads "
                                     "and was stopped.");
        break;
    case Outcome::Stopped:
        out.status = Status::Cancelled;
        out.message = QStringLiteral("Cancelled.");
        break;
    case Outcome::FailedToStart:
        out.status = Status::InternalError;
        out.message = QStringLiteral("The sandbox could not start your program: ") +
                      (run.message.isEmpty() ? result.message : run.message);
        break;
    }
    if (!run.message.isEmpty() && out.message.isEmpty() && out.status != Status::Ok)
        out.message = run.message;
    return out;
}

QString queueTimeoutMessage(qint64 waitedMs)
{
    return QStringLiteral("Server busy: your program waited %1 in the queue and did not run. "
                          "Nothing is wrong with it; trying again is safe.")
        .arg(secondsText(waitedMs));
}

QString overloadedMessage(qint64 retryAfterMs, int queued)
{
    return QStringLiteral("Server busy: %1 programs are waiting. Your program did not run; try "
                          "again in %2 s.")
        .arg(queued)
        .arg(std::max<qint64>(1, (retryAfterMs + 999) / 1000));
}

QString cellQueueTimeoutMessage(qint64 waitedMs)
{
    return QStringLiteral("Not run: this cell waited %1 for the cells before it in your session "
                          "to finish. Your variables are kept; run it again when they are done.")
        .arg(secondsText(waitedMs));
}

QString cellsOverloadedMessage(qint64 retryAfterMs, int waiting)
{
    return QStringLiteral("Server busy: %1 cells are waiting for a free interpreter. Your cell "
                          "did not run and your variables are kept; try again in %2 s.")
        .arg(waiting)
        .arg(std::max<qint64>(1, (retryAfterMs + 999) / 1000));
}

} // namespace coderoom::core
