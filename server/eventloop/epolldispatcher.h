#pragma once

#include "timerqueue.h"

#include <QAbstractEventDispatcher>

#include <atomic>
#include <deque>
#include <unordered_map>

class QSocketNotifier;

// A QAbstractEventDispatcher on Linux epoll, for coderoomd's event loop. Qt 6.4's own
// dispatchers (UNIX and glib) hand every registered descriptor to poll() and scan them all on
// every wake-up: with 5,000 students connected that walk is most of the server's work. Here a
// wake-up costs in proportion to the descriptors that are ready.
//
// One pass of processEvents(), in Qt's order:
//   1. posted events (QCoreApplication::sendPostedEvents), unless interrupted;
//   2. notifier changes made since the last pass go to the kernel (a write notifier switched
//      on and off again within a pass costs no system call), then epoll_wait: not at all when
//      the loop may not block or something is already due, else until the next timer
//      (rounded up to a millisecond: a timer never fires early) or a wake-up;
//   3. QEvent::SockAct to each ready notifier, one at a time (a notifier disabled or deleted
//      by an earlier one is skipped; level-triggered, so nothing is lost if the loop leaves
//      early); hang-ups and errors wake the read, write and exception notifiers as in Qt;
//   4. the timers that were due when the pass began (see TimerQueue).
// wakeUp() and interrupt() are thread-safe (an eventfd); everything else belongs to the thread
// that owns the dispatcher. Nested event loops are fine: all state is re-entrant, each pass
// keeps its own epoll buffer, and notifier activations pending in an outer pass are shared,
// so a notifier handled by an inner loop is not activated again by the outer one.
// ExcludeSocketNotifiers waits on a second epoll set holding only the eventfd, so ready
// sockets are left for later without being switched off and on.
namespace coderoom::eventloop {

// What the loop did, for /metrics and for counting wake-ups per eval.
struct DispatcherCounters
{
    quint64 passes = 0;         // processEvents calls
    quint64 waits = 0;          // epoll_wait calls that could block
    quint64 wakeUps = 0;        // wakeUp() calls that signalled the eventfd
    quint64 notifierEvents = 0; // SockAct sent
    quint64 timerEvents = 0;    // QTimerEvent sent
    quint64 epollChanges = 0;   // epoll_ctl calls
};

class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;

    // False when the kernel refused an epoll set or an eventfd (then do not install it).
    bool isValid() const { return m_epoll >= 0 && m_wakeFd >= 0 && m_wakeOnlyEpoll >= 0; }

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                       QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    DispatcherCounters counters() const;
    int registeredDescriptors() const { return int(m_fds.size()); }

    // The dispatcher of the calling thread if it is one of these, else nullptr.
    static EpollEventDispatcher *current();

private:
    enum Kind
    {
        Read = 0,
        Write = 1,
        Exception = 2
    };
    struct Descriptor
    {
        QSocketNotifier *notifiers[3] = {nullptr, nullptr, nullptr};
        quint32 generation = 0;   // bumped when it (re)starts, stale events are dropped
        quint32 kernelEvents = 0; // what epoll has for it
        quint32 kernelGeneration = 0;
        bool inKernel = false;
        bool dirty = false;       // kernel state differs from notifiers; fixed before waiting
        bool alwaysReady = false; // epoll refused it (a regular file): poll calls it ready
        quint8 pending = 0;       // bit per Kind queued in m_pending
        bool empty() const { return !notifiers[0] && !notifiers[1] && !notifiers[2]; }
        quint32 wantedEvents() const;
    };
    struct Activation
    {
        QSocketNotifier *notifier = nullptr;
        int fd = -1;
        Kind kind = Read;
    };

    void applyChanges();
    void syncDescriptor(int fd, Descriptor &d);
    void queueReady(int fd, Descriptor &d, quint32 events);
    void queueActivation(int fd, Descriptor &d, Kind kind);
    int activateNotifiers();
    int activateTimers();
    void drainWakeUps();
    int waitTimeoutMs(bool canWait, bool excludeNotifiers) const;

    int m_epoll = -1;
    int m_wakeOnlyEpoll = -1;
    int m_wakeFd = -1;
    std::atomic<bool> m_wakePending{false};
    std::atomic<bool> m_interrupted{false};
    std::atomic<quint64> m_wakeUpCount{0};

    std::unordered_map<int, Descriptor> m_fds; // node-based: references stay valid
    std::vector<int> m_dirty;
    int m_alwaysReadyCount = 0;
    quint32 m_nextGeneration = 1;
    std::deque<Activation> m_pending;
    TimerQueue m_timers;
    DispatcherCounters m_counters;
};

} // namespace coderoom::eventloop
