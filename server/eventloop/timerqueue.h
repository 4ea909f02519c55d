#pragma once

#include <QAbstractEventDispatcher>
#include <QList>

#include <chrono>
#include <cstdint>
#include <unordered_map>
#include <vector>

class QObject;

// The timers of one event dispatcher: a binary min-heap ordered by (deadline, insertion
// sequence), indexed by timer id and by object, so starting, stopping and finding the next
// timer cost O(log n) with thousands armed (Qt 6.4 keeps a sorted list: O(n) per start/stop).
//
// Semantics follow Qt's UNIX dispatcher, in nanoseconds of CLOCK_MONOTONIC:
// - PreciseTimer fires at start + interval (never early; the dispatcher rounds waits up).
// - CoarseTimer of 20 ms or less is precise; of 20 s or more very coarse; in between it may
//   move by up to 5% of its interval to land on a round fraction of a second (0, 500, 250,
//   200, 100, 50, 25 ms preferred in that order) so that timers of a process wake together.
// - VeryCoarseTimer keeps whole seconds: the interval is rounded to the nearest second (at
//   least one) and it fires on a second boundary of the monotonic clock.
// - A repeating timer's next deadline is previous + interval, or now + interval when that is
//   already past (no catch-up bursts after a stall).
// - One pass (takeExpired) fires the timers that had expired when the pass began, in deadline
//   order, equal deadlines in the order they were armed; timers armed during the pass wait for
//   the next one. A timer is rescheduled before its event is sent (remainingTime() inside its
//   own slot is the next interval) but joins the heap only when its slot has returned, so a
//   nested event loop in the slot neither fires it again nor spins on it.
namespace coderoom::eventloop {

using Clock = std::chrono::steady_clock; // CLOCK_MONOTONIC on Linux, like Qt
using Nanos = std::chrono::nanoseconds;

class TimerQueue final
{
public:
    TimerQueue() = default;
    TimerQueue(const TimerQueue &) = delete;
    TimerQueue &operator=(const TimerQueue &) = delete;

    void add(int id, qint64 intervalMs, Qt::TimerType type, QObject *object, Clock::time_point now);
    bool remove(int id);
    bool removeAll(QObject *object);
    QList<QAbstractEventDispatcher::TimerInfo> timersOf(QObject *object) const;
    // Milliseconds until the timer fires, rounded up; 0 when overdue, -1 when unknown.
    int remainingMs(int id, Clock::time_point now) const;

    // Time to the first deadline (zero when overdue); nullopt-like Nanos::max() when no timer
    // is armed in the heap.
    Nanos timeToNext(Clock::time_point now) const;
    bool isEmpty() const { return m_byId.empty(); }
    int size() const { return int(m_byId.size()); }

    // One firing: which timer, and the serial of the registration that was due (timer ids are
    // reused by Qt; a timer stopped and started again inside the pass is a new registration).
    struct Due
    {
        int id = 0;
        quint64 serial = 0;
    };
    // Removes every timer whose deadline is <= now from the heap, in firing order.
    std::vector<Due> takeExpired(Clock::time_point now);
    // Before sending the event of a Due: false if that registration is gone. Otherwise it is
    // rescheduled (it rejoins the heap in endActivation); *object receives the target.
    bool beginActivation(const Due &due, Clock::time_point now, QObject **object);
    // After the event: the timer (if still registered) rejoins the heap at its new deadline.
    void endActivation(const Due &due);

private:
    struct Timer
    {
        int id = 0;
        qint64 intervalMs = 0; // after very-coarse rounding
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        Clock::time_point deadline;
        quint64 serial = 0;   // registration, see Due
        quint64 sequence = 0; // insertion order, tie-break for equal deadlines
        int heapIndex = -1;   // -1: not in the heap (being fired)
    };

    bool before(const Timer *a, const Timer *b) const;
    void heapPush(Timer *t);
    void heapErase(Timer *t);
    void siftUp(int i);
    void siftDown(int i);
    void place(int i, Timer *t);
    void scheduleNext(Timer &t, Clock::time_point now) const;
    void eraseTimer(std::unordered_map<int, Timer>::iterator it);

    std::unordered_map<int, Timer> m_byId; // node-based: Timer addresses are stable
    std::unordered_multimap<QObject *, int> m_byObject;
    std::vector<Timer *> m_heap;
    quint64 m_nextSerial = 1;
    quint64 m_nextSequence = 1;
};

// Qt's coarse rounding of a first or next deadline, exposed for tests: the deadline moved by
// at most 5% of the interval onto the roundest fraction of a second within reach.
Clock::time_point coarseDeadline(Clock::time_point wanted, qint64 intervalMs);

} // namespace coderoom::eventloop
