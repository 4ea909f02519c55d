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

QString durationText(qint64 ms)
{
    if (ms < 60000 || ms % 1000 != 0)
        return secondsText(ms);
    const qint64 minutes = ms / 60000;
    const qint64 seconds = ms / 1000 % 60;
    return seconds == 0 ? QStringLiteral("%1 min").arg(minutes)
                        : QStringLiteral("%1 min %2 s").arg(minutes).arg(seconds);
}

QString inputTimeoutMessage(const QString &what, qint64 limitMs)
{
    return QStringLiteral("Stopped: %1 waited %2 for input and nobody typed anything (the limit "
                          "for waiting for input is %2; time spent waiting does not count toward "
                          "the time limit).")
        .arg(what, durationText(limitMs));
}

namespace {

QString signalName(int sig)
{
    const char *description = strsignal(sig);
    return QStringLiteral("signal %1 (%2)").arg(sig).arg(QString::fromLocal8Bit(description));
}

void fillMeasurements(protocol::Result &out, const sandbox::Result &run)
{
    out.timeMs = run.wallMs - run.inputWaitMs; // thinking time is not run time
    out.cpuMs = run.cpuMs;
    out.memoryKb = run.memoryKb;
    out.writableKb = run.writableKb;
    out.writableFull = run.writableFull;
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
                          .arg(secondsText(run.wallMs - run.inputWaitMs),
                               secondsText(limits.runTimeMs));
        if (run.inputWaitMs > 0)
            out.message += QStringLiteral(" (The %1 it waited for input did not count.)")
                               .arg(secondsText(run.inputWaitMs));
        out.limit = QStringLiteral("run_time");
        break;
    case Outcome::InputTimeout:
        out.status = Status::Timeout;
        out.limit = QStringLiteral("input_wait");
        out.message = inputTimeoutMessage(QStringLiteral("your program"), limits.inputWaitMs);
        break;
    case Outcome::CpuLimit:
        out.status = Status::Timeout;
        out.limit = QStringLiteral("cpu_time");
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
    if (!run.message.isEmpty() && out.message.isEmpty() && out.status != Status::Ok &&
        !run.writableFull)
        out.message = run.message;
    if (run.writableFull) {
        // Said whatever the status: a program that caught the error may still have exited 0.
        const QString full = QStringLiteral("Your program filled the space it may write (%1 MiB "
                                            "for /work, /tmp, /var/tmp and /dev/shm together): "
                                            "writes past it failed with \"No space left on "
                                            "device\".")
                                 .arg(run.writableMb);
        out.message = out.message.isEmpty() ? full : out.message + QLatin1Char(' ') + full;
    }
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
