#include "epolldispatcher.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QThread>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcEventLoop, "coderoom.server.eventloop")

namespace coderoom::eventloop {

namespace {

constexpr int kEventsPerWait = 256; // more ready descriptors are reported by the next wait
constexpr quint64 kWakeTag = ~quint64(0);

// Qt's mapping (QEventDispatcherUNIX): a hang-up or an error wakes every kind of notifier,
// so a reader sees EOF and a writer sees EPIPE instead of waiting forever.
constexpr quint32 kReadReady = EPOLLIN | EPOLLHUP | EPOLLERR;
constexpr quint32 kWriteReady = EPOLLOUT | EPOLLHUP | EPOLLERR;
constexpr quint32 kExceptionReady = EPOLLPRI | EPOLLHUP | EPOLLERR;

quint64 tag(int fd, quint32 generation)
{
    return (quint64(generation) << 32) | quint32(fd);
}

const char *kindName(QSocketNotifier::Type type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return "Read";
    case QSocketNotifier::Write:
        return "Write";
    case QSocketNotifier::Exception:
        return "Exception";
    }
    return "?";
}

} // namespace

quint32 EpollEventDispatcher::Descriptor::wantedEvents() const
{
    quint32 events = 0;
    if (notifiers[Read])
        events |= EPOLLIN;
    if (notifiers[Write])
        events |= EPOLLOUT;
    if (notifiers[Exception])
        events |= EPOLLPRI;
    return events;
}

EpollEventDispatcher::EpollEventDispatcher(QObject *parent)
    : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeOnlyEpoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = ::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (!isValid()) {
        qCCritical(lcEventLoop) << "epoll dispatcher unavailable:" << qt_error_string(errno);
        return;
    }
    for (const int set : {m_epoll, m_wakeOnlyEpoll}) {
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = kWakeTag;
        if (::epoll_ctl(set, EPOLL_CTL_ADD, m_wakeFd, &ev) != 0) {
            qCCritical(lcEventLoop)
                << "epoll dispatcher: cannot watch its eventfd:" << qt_error_string(errno);
            ::close(m_wakeFd);
            m_wakeFd = -1;
            return;
        }
    }
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    for (const int fd : {m_epoll, m_wakeOnlyEpoll, m_wakeFd}) {
        if (fd >= 0)
            ::close(fd);
    }
}

EpollEventDispatcher *EpollEventDispatcher::current()
{
    return qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
}

DispatcherCounters EpollEventDispatcher::counters() const
{
    DispatcherCounters c = m_counters;
    c.wakeUps = m_wakeUpCount.load(std::memory_order_relaxed);
    return c;
}

// --- socket notifiers -------------------------------------------------------------------

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    if (fd < 0) {
        qCWarning(lcEventLoop) << "socket notifier on an invalid descriptor" << fd;
        return;
    }
    if (notifier->thread() != thread() || thread() != QThread::currentThread()) {
        qCWarning(lcEventLoop) << "socket notifiers cannot be enabled from another thread";
        return;
    }
    const int kind = int(notifier->type());
    Descriptor &d = m_fds[fd];
    if (d.notifiers[kind] && d.notifiers[kind] != notifier) {
        qCWarning(lcEventLoop, "multiple socket notifiers for descriptor %d and type %s", fd,
                  kindName(notifier->type()));
        return;
    }
    if (d.empty())
        d.generation = m_nextGeneration++; // a new life for this number: old events are stale
    d.notifiers[kind] = notifier;
    if (!d.dirty) {
        d.dirty = true;
        m_dirty.push_back(fd);
    }
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    Q_ASSERT(notifier);
    const int fd = int(notifier->socket());
    const auto it = m_fds.find(fd);
    if (it == m_fds.end())
        return;
    Descriptor &d = it->second;
    const int kind = int(notifier->type());
    if (d.notifiers[kind] != notifier)
        return;
    d.notifiers[kind] = nullptr;
    if (d.pending & (1u << kind)) {
        d.pending &= quint8(~(1u << kind));
        m_pending.erase(
            std::remove_if(m_pending.begin(), m_pending.end(),
                           [notifier](const Activation &a) { return a.notifier == notifier; }),
            m_pending.end());
    }
    if (!d.empty()) {
        // Usually a write notifier switched off after its data went out: the kernel hears of
        // it before the next wait, and not at all if it is switched on again before then.
        if (!d.dirty) {
            d.dirty = true;
            m_dirty.push_back(fd);
        }
        return;
    }
    // The last notifier goes: remove the descriptor from the kernel now, while it is surely
    // still open. Qt closes it right after; if a child process still held a duplicate, a late
    // EPOLL_CTL_DEL could not find it and the dead entry would wake the loop forever.
    if (d.inKernel) {
        ++m_counters.epollChanges;
        if (::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, nullptr) != 0 && errno != ENOENT &&
            errno != EBADF)
            qCWarning(lcEventLoop) << "epoll_ctl DEL" << fd << qt_error_string(errno);
    }
    if (d.alwaysReady)
        --m_alwaysReadyCount;
    // m_dirty may still name fd; applyChanges skips numbers it no longer knows.
    m_fds.erase(it);
}

void EpollEventDispatcher::applyChanges()
{
    // Swap out first: syncDescriptor never adds, but keep the loop safe if it ever did.
    std::vector<int> dirty;
    dirty.swap(m_dirty);
    for (const int fd : dirty) {
        const auto it = m_fds.find(fd);
        if (it == m_fds.end() || !it->second.dirty)
            continue;
        it->second.dirty = false;
        syncDescriptor(fd, it->second);
    }
}

void EpollEventDispatcher::syncDescriptor(int fd, Descriptor &d)
{
    if (d.alwaysReady)
        return;
    const quint32 wanted = d.wantedEvents();
    if (d.inKernel && wanted == d.kernelEvents && d.generation == d.kernelGeneration)
        return;
    epoll_event ev{};
    ev.events = wanted; // level-triggered, like poll(): a slot that reads half is called again
    ev.data.u64 = tag(fd, d.generation);
    int op = d.inKernel ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    ++m_counters.epollChanges;
    int rc = ::epoll_ctl(m_epoll, op, fd, &ev);
    if (rc != 0 && op == EPOLL_CTL_MOD && errno == ENOENT) {
        op = EPOLL_CTL_ADD; // closed and reopened under the same number meanwhile
        ++m_counters.epollChanges;
        rc = ::epoll_ctl(m_epoll, op, fd, &ev);
    } else if (rc != 0 && op == EPOLL_CTL_ADD && errno == EEXIST) {
        op = EPOLL_CTL_MOD;
        ++m_counters.epollChanges;
        rc = ::epoll_ctl(m_epoll, op, fd, &ev);
    }
    if (rc == 0) {
        d.inKernel = true;
        d.kernelEvents = wanted;
        d.kernelGeneration = d.generation;
        return;
    }
    if (errno == EPERM) {
        // A regular file or a directory: poll() calls them always ready, so do we.
        d.alwaysReady = true;
        d.inKernel = false;
        ++m_alwaysReadyCount;
        return;
    }
    qCWarning(lcEventLoop) << "epoll_ctl" << (op == EPOLL_CTL_ADD ? "ADD" : "MOD") << fd
                           << qt_error_string(errno);
    d.inKernel = false;
}

void EpollEventDispatcher::queueActivation(int fd, Descriptor &d, Kind kind)
{
    if (!d.notifiers[kind] || (d.pending & (1u << kind)))
        return;
    d.pending |= quint8(1u << kind);
    m_pending.push_back({d.notifiers[kind], fd, kind});
}

void EpollEventDispatcher::queueReady(int fd, Descriptor &d, quint32 events)
{
    if (events & kReadReady)
        queueActivation(fd, d, Read);
    if (events & kWriteReady)
        queueActivation(fd, d, Write);
    if (events & kExceptionReady)
        queueActivation(fd, d, Exception);
}

int EpollEventDispatcher::activateNotifiers()
{
    int sent = 0;
    // Shared by nested loops: an inner loop may take entries an outer pass queued.
    while (!m_pending.empty()) {
        const Activation a = m_pending.front();
        m_pending.pop_front();
        const auto it = m_fds.find(a.fd);
        if (it == m_fds.end() || it->second.notifiers[a.kind] != a.notifier)
            continue; // cannot happen: unregister removes its entries; kept as a guard
        it->second.pending &= quint8(~(1u << a.kind));
        QEvent event(QEvent::SockAct);
        // The notifier, its sibling or the descriptor's record may be gone after this line.
        QCoreApplication::sendEvent(a.notifier, &event);
        ++sent;
    }
    m_counters.notifierEvents += quint64(sent);
    return sent;
}

// --- timers -----------------------------------------------------------------------------

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType,
                                         QObject *object)
{
    if (timerId < 1 || interval < 0 || !object) {
        qCWarning(lcEventLoop) << "registerTimer: invalid arguments";
        return;
    }
    m_timers.add(timerId, interval, timerType, object, Clock::now());
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    return m_timers.remove(timerId);
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    return m_timers.removeAll(object);
}

QList<QAbstractEventDispatcher::TimerInfo>
EpollEventDispatcher::registeredTimers(QObject *object) const
{
    return m_timers.timersOf(object);
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    return m_timers.remainingMs(timerId, Clock::now());
}

int EpollEventDispatcher::activateTimers()
{
    if (m_timers.isEmpty())
        return 0;
    const Clock::time_point passStart = Clock::now();
    const std::vector<TimerQueue::Due> due = m_timers.takeExpired(passStart);
    int sent = 0;
    for (const TimerQueue::Due &d : due) {
        QObject *object = nullptr;
        // Rescheduled from the time the pass began, as Qt does: a slow slot earlier in the
        // pass does not push the others' next deadlines.
        if (!m_timers.beginActivation(d, passStart, &object))
            continue;
        QTimerEvent event(d.id);
        QCoreApplication::sendEvent(object, &event);
        m_timers.endActivation(d);
        ++sent;
    }
    m_counters.timerEvents += quint64(sent);
    return sent;
}

// --- the loop ---------------------------------------------------------------------------

void EpollEventDispatcher::wakeUp()
{
    // Called by any thread (postEvent). One write until the loop has drained it.
    if (m_wakePending.exchange(true, std::memory_order_acq_rel))
        return;
    m_wakeUpCount.fetch_add(1, std::memory_order_relaxed);
    const eventfd_t one = 1;
    while (::write(m_wakeFd, &one, sizeof one) < 0 && errno == EINTR) {
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.store(true, std::memory_order_release);
    wakeUp();
}

void EpollEventDispatcher::drainWakeUps()
{
    // Read before clearing the flag: a wakeUp() between the two then finds the flag still set
    // and skips its write, but its event was posted before it and the pass that follows sends
    // posted events before it can block. The other order could lose a wake-up for good.
    eventfd_t value = 0;
    while (::read(m_wakeFd, &value, sizeof value) < 0 && errno == EINTR) {
    }
    m_wakePending.store(false, std::memory_order_release);
}

int EpollEventDispatcher::waitTimeoutMs(bool canWait, bool excludeNotifiers) const
{
    if (!canWait || m_wakePending.load(std::memory_order_acquire))
        return 0;
    if (!excludeNotifiers && (!m_pending.empty() || m_alwaysReadyCount > 0))
        return 0;
    const Nanos next = m_timers.timeToNext(Clock::now());
    if (next == Nanos::max())
        return -1;
    const qint64 ms = (next.count() + 999999) / 1000000; // up: a timer never fires early
    return int(std::min<qint64>(ms, INT_MAX));
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    ++m_counters.passes;
    // An interrupt() that came before this call still ends it without blocking (Qt wakes the
    // loop for it; the eventfd drained below would otherwise swallow it).
    const bool interruptedBefore = m_interrupted.exchange(false, std::memory_order_acq_rel);
    emit awake();

    // Events were posted since the last pass: send them, and do not block after them in this
    // pass (WaitForMoreEvents waits only when there was nothing to do; a handler that posts
    // again must not put its own event to sleep behind the wait).
    int handled = 0;
    bool postedWork = false;
    if (m_wakePending.load(std::memory_order_acquire)) {
        drainWakeUps();
        postedWork = true;
        ++handled;
    }
    QCoreApplication::sendPostedEvents();
    if (interruptedBefore || m_interrupted.exchange(false, std::memory_order_acq_rel))
        return false;

    const bool excludeNotifiers = flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool canWait = flags.testFlag(QEventLoop::WaitForMoreEvents) && !postedWork;
    if (!excludeNotifiers)
        applyChanges();
    const int timeout = waitTimeoutMs(canWait, excludeNotifiers);
    if (timeout != 0) {
        ++m_counters.waits;
        emit aboutToBlock();
    }

    epoll_event events[kEventsPerWait];
    int n = 0;
    do {
        n = ::epoll_wait(excludeNotifiers ? m_wakeOnlyEpoll : m_epoll, events, kEventsPerWait,
                         timeout);
    } while (n < 0 && errno == EINTR && timeout == 0);
    if (n < 0 && errno != EINTR)
        qCWarning(lcEventLoop) << "epoll_wait:" << qt_error_string(errno);

    for (int i = 0; i < n; ++i) {
        if (events[i].data.u64 == kWakeTag) {
            // Left signalled: the next pass drains it and sends the events posted meanwhile
            // without blocking after them (see processEvents' start).
            ++handled;
            continue;
        }
        const int fd = int(quint32(events[i].data.u64));
        const quint32 generation = quint32(events[i].data.u64 >> 32);
        const auto it = m_fds.find(fd);
        if (it == m_fds.end() || it->second.generation != generation)
            continue; // reported for a descriptor that was closed or reused meanwhile
        queueReady(fd, it->second, events[i].events);
    }
    if (!excludeNotifiers) {
        if (m_alwaysReadyCount > 0) {
            for (auto &[fd, d] : m_fds) {
                if (d.alwaysReady)
                    queueReady(fd, d, EPOLLIN | EPOLLOUT);
            }
        }
        handled += activateNotifiers();
    }
    if (!flags.testFlag(QEventLoop::X11ExcludeTimers))
        handled += activateTimers();
    return handled > 0;
}

} // namespace coderoom::eventloop
