#pragma once

#include "messages.h"
#include "programrun.h"

// Turns how a program ended into the protocol's status and a sentence a student understands.
// One place, so "your program ran too long" and "the server was busy" never get mixed up.
namespace coderoom::core {

struct EffectiveLimits
{
    qint64 runTimeMs = 0;
    qint64 cpuMs = 0;
    qint64 memoryMb = 0;
    qint64 outputBytes = 0;
    qint64 inputWaitMs = 0;
};

protocol::Result describeProgramResult(const languages::ProgramResult &result,
                                       const EffectiveLimits &limits);

QString queueTimeoutMessage(qint64 waitedMs);
QString overloadedMessage(qint64 retryAfterMs, int queued);
// The same for a REPL cell (the interactive lane): it waited for its session, not for a worker.
QString cellQueueTimeoutMessage(qint64 waitedMs);
QString cellsOverloadedMessage(qint64 retryAfterMs, int waiting);
QString secondsText(qint64 ms); // "0.12 s", "10 s"
QString durationText(qint64 ms); // "15 min", "90 s", "1 min 30 s"
QString inputTimeoutMessage(const QString &what, qint64 limitMs);

} // namespace coderoom::core
