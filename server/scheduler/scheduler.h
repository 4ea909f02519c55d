#pragma once

#include "schedulertypes.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <map>
#include <optional>
#include <set>

// Which job runs when: admission, queue TTL, round-robin fairness across users, concurrency and
// serial lanes. Pure policy (Qt Core only): it starts nothing. The core connects dispatch(),
// starts the real work there and calls finish() when that work has really ended.
//
// State machine of one ticket (every submitted ticket ends in exactly one terminal state):
//
//   submit() --refused--> (not admitted: nothing follows, the ticket was never held)
//   submit() --Accepted--> Queued
//   Queued  --a worker slot is free, lane idle, its turn--> Running   [dispatch(ticket)]
//   Queued  --waited past queueTtlMs-->                    Expired    [expired(ticket)]  (end)
//   Queued  --cancel() == RemovedFromQueue-->              Cancelled  (no signal)        (end)
//   Queued  --dropOwner() (in Dropped::queued)-->          Dropped    (no signal)        (end)
//   Queued  --shutdown() (in its returned list)-->         ShutDown   (no signal)        (end)
//   Running --finish()-->                                  Finished                      (end)
//   Running --setWaitingForUser(true/false)--> Running, holding no slot while it waits
//
// A Running ticket stays Running until finish(): cancel() answers Running and dropOwner()
// lists it in Dropped::running so the caller can stop the work, but the worker slot (and its
// lane) is only freed by finish(), once the process is really gone. So a slot is never
// double-booked while a killed job is still dying. finish() on an unknown request is ignored.
//
// Signals are never emitted synchronously from a public call: dispatch() comes from a pump
// that runs from the event loop (a queued invocation), expired() from the single TTL timer.
// Slots connected to either may call any method (submit, finish, cancel, dropOwner, ...).
//
// Fairness: users with queued work stand in a rotation. A user's runnable ticket is their
// oldest one whose lane is idle and that is first in its lane (others may pass a blocked lane).
// Each dispatch serves, among users with a runnable ticket, the one with the fewest running
// jobs, and among those the first in the rotation; the served user goes to the back. A new
// user joins at the back (a user who joined at the front could starve a flooder by
// resubmitting single jobs). So a user with 50 queued jobs delays a classmate's single job by
// at most one turn: the classmate gets the next free worker when the flooder has work running
// (fewer running jobs win), and at worst waits for one more of the flooder's jobs.
namespace coderoom::scheduler {

class Scheduler final : public QObject
{
    Q_OBJECT
public:
    explicit Scheduler(const Config &config, QObject *parent = nullptr);
    ~Scheduler() override;

    SubmitResult submit(Ticket ticket);  // may emit dispatch() later from the event loop,
                                         // never synchronously inside submit()
    void finish(const QString &request); // the running job ended: free its slot
    // A running job waits for its user (blocked reading input nobody has typed): it uses no
    // CPU, so its worker slot serves the next job meanwhile; `false` when it runs again. Thinking
    // time may take minutes; a class of students thinking must not stop everyone's runs.
    void setWaitingForUser(const QString &request, bool waiting);
    CancelResult cancel(const QString &request);

    // A connection went away: its queued tickets are removed (returned), its running ones are
    // returned too so the caller can stop them (they stay Running until finish()).
    struct Dropped
    {
        QList<Ticket> queued;
        QList<Ticket> running;
    };
    Dropped dropOwner(const QString &owner);

    QList<Ticket> shutdown(); // refuse new work; returns all queued (removed); running go on
    bool isShuttingDown() const;

    // Predicted position under the round robin if nothing else arrives (lanes not taken into
    // account): 0 = next. -1 = not queued (running, ended or unknown).
    int queuePosition(const QString &request) const;
    int queuedCount() const;
    int runningCount() const;
    bool isRunning(const QString &request) const;

    Config config() const;
    // Live reload. More workers dispatch more at once; lower bounds refuse new work but never
    // evict what is already queued; a new TTL applies to tickets already waiting.
    void setConfig(const Config &config);

    // Recent mean run time (dispatch to finish) the retry estimates use; 1000 until measured.
    qint64 meanRunMs() const;

    // The monotonic clock Ticket::enqueuedAtMs is read from (ms; only differences mean much).
    static qint64 nowMs();

signals:
    void dispatch(const coderoom::scheduler::Ticket &ticket); // a worker slot is granted
    void expired(const coderoom::scheduler::Ticket &ticket);  // waited past the TTL; removed

private:
    struct Queued
    {
        Ticket ticket;
        quint64 seq = 0;
    };
    struct Running
    {
        Ticket ticket;
        qint64 dispatchedAtMs = 0;
        qint64 waitingSinceMs = -1; // waiting for its user since (setWaitingForUser), or -1
        qint64 waitedMs = 0;        // for its user, in total: not run time for the estimates
    };

    void schedulePump();
    int busySlots() const; // running tickets that hold a worker slot
    void pump();
    bool expireOverdue(); // false: a slot connected to expired() deleted the scheduler
    void armTtlTimer();
    std::optional<QString> pickNext();
    bool isRunnable(const Queued &queued) const;
    Ticket takeQueued(const QString &request); // removes from every index; request must exist
    void releaseUser(const QString &user);
    qint64 retryEstimateMs(qint64 jobsAhead) const;

    Config m_config;
    bool m_shuttingDown = false;
    bool m_pumpScheduled = false;
    quint64 m_nextSeq = 0;
    qint64 m_meanRunMs = 1000;
    bool m_haveRunSample = false;

    QHash<QString, Queued> m_queued;                         // request -> queued ticket
    std::map<quint64, QString> m_byAge;                      // seq -> request (oldest first)
    QHash<QString, std::map<quint64, QString>> m_userQueues; // user -> seq -> request
    QHash<QString, std::set<quint64>> m_laneQueues;          // lane -> queued seqs
    QList<QString> m_rotation;                               // users with queued work
    QHash<QString, Running> m_running;                       // request -> running ticket
    QSet<QString> m_busyLanes;                               // lanes with a running ticket
    int m_waitingForUser = 0; // running tickets waiting for their user: they hold no slot
    QHash<QString, int> m_userLoad;                          // user -> queued + running
    QHash<QString, int> m_userRunning;                       // user -> running
    QTimer m_ttlTimer;
};

} // namespace coderoom::scheduler
