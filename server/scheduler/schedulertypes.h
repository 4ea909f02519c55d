#pragma once

#include <QMetaType>
#include <QString>

// Plain data for the scheduler: its configuration, the ticket a job waits with, and the answers
// of submit() and cancel(). Copyable, defaults in member initialisers; behaviour lives in
// Scheduler.
namespace coderoom::scheduler {

struct Config
{
    int workers = 2;           // jobs running at once (core passes QThread::idealThreadCount())
    int maxQueued = 64;        // total waiting jobs (not counting ones a free worker takes at
                               // once); beyond: Overloaded at once
    int maxPerUser = 8;        // a user's queued + running jobs; beyond: refused (UserLimit)
    qint64 queueTtlMs = 10000; // waiting longer: expired (queue_timeout)
};

struct Ticket
{
    QString request;         // unique id (the server's request id)
    QString user;            // fairness key (round robin across users)
    QString owner;           // connection id, for dropOwner()
    QString lane;            // optional serial key: tickets with the same non-empty lane never run
                             // concurrently and keep FIFO order (a REPL session's evals)
    qint64 enqueuedAtMs = 0; // filled by submit(): Scheduler::nowMs() at admission
};

enum class Admission
{
    Accepted,
    Overloaded,      // the queue is full; retryAfterMs says when trying again makes sense
    UserLimit,       // this user already has maxPerUser jobs queued or running
    ShuttingDown,    // shutdown() was called: no new work
    DuplicateRequest // a ticket with this request id is already queued or running (a bug in
                     // the caller: request ids must be unique)
};

struct SubmitResult
{
    Admission admission = Admission::Accepted;
    int queuePosition = 0;   // Accepted: predicted position, 0 = next (see queuePosition())
    qint64 retryAfterMs = 0; // Overloaded/UserLimit: an estimate, at least 1000
};

enum class CancelResult
{
    RemovedFromQueue, // it never ran and never will; no signal follows
    Running,          // it runs: stop the work, then call finish() (the slot is held till then)
    NotFound          // unknown, already finished, expired or dropped
};

} // namespace coderoom::scheduler

Q_DECLARE_METATYPE(coderoom::scheduler::Ticket)
