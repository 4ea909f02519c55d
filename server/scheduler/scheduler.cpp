#include "scheduler.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QPointer>

#include <algorithm>
#include <iterator>
#include <limits>

Q_LOGGING_CATEGORY(lcScheduler, "coderoom.server.scheduler", QtInfoMsg)

namespace coderoom::scheduler {

namespace {
constexpr qint64 kMinRetryMs = 1000;
// Weight of the newest run time in the running mean: recent enough to follow a class that
// switches from quick prints to heavy loops, smooth enough that one outlier does not swing it.
constexpr double kRunMeanWeight = 0.2;
} // namespace

Scheduler::Scheduler(const Config &config, QObject *parent)
    : QObject(parent)
    , m_config(config)
{
    qRegisterMetaType<Ticket>();
    m_ttlTimer.setSingleShot(true);
    // Precise: a coarse timer may fire up to 5% late, which for a 10 s TTL is half a second of
    // a student staring at a queue that should have told them it is busy.
    m_ttlTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_ttlTimer, &QTimer::timeout, this, [this] {
        // A slot connected to expired() may delete the scheduler (e.g. the core on shutdown).
        if (expireOverdue())
            schedulePump(); // cheap, and keeps "every queue change is followed by a pump" true
    });
}

Scheduler::~Scheduler() = default;

qint64 Scheduler::nowMs()
{
    return QDeadlineTimer::current(Qt::PreciseTimer).deadline();
}

SubmitResult Scheduler::submit(Ticket ticket)
{
    SubmitResult result;
    if (m_shuttingDown) {
        result.admission = Admission::ShuttingDown;
        return result;
    }
    if (m_queued.contains(ticket.request) || m_running.contains(ticket.request)) {
        qCWarning(lcScheduler) << "duplicate request id refused:" << ticket.request;
        result.admission = Admission::DuplicateRequest;
        return result;
    }
    const int load = m_userLoad.value(ticket.user);
    if (load >= m_config.maxPerUser) {
        qCDebug(lcScheduler) << "user limit for" << ticket.user << "at" << load << "jobs";
        result.admission = Admission::UserLimit;
        // One of the user's jobs has to end before a new one fits; the time to work through
        // the queue bounds that.
        result.retryAfterMs = retryEstimateMs(m_queued.size());
        return result;
    }
    // Jobs a free worker takes on the next pump are not "waiting": maxQueued bounds only the
    // ones that will actually sit in the queue.
    const int freeSlots = std::max(0, m_config.workers - busySlots());
    if (m_queued.size() >= qsizetype(m_config.maxQueued) + freeSlots) {
        result.admission = Admission::Overloaded;
        result.retryAfterMs = retryEstimateMs(m_queued.size());
        qCInfo(lcScheduler) << "overloaded:" << m_queued.size() << "queued, retry in"
                            << result.retryAfterMs << "ms";
        return result;
    }

    ticket.enqueuedAtMs = nowMs();
    const quint64 seq = m_nextSeq++;
    const QString request = ticket.request;
    const QString user = ticket.user;
    const QString lane = ticket.lane;
    m_queued.insert(request, Queued{std::move(ticket), seq});
    m_byAge.emplace(seq, request);
    auto &userQueue = m_userQueues[user];
    if (userQueue.empty())
        m_rotation.append(user);
    userQueue.emplace(seq, request);
    if (!lane.isEmpty())
        m_laneQueues[lane].insert(seq);
    ++m_userLoad[user];

    result.admission = Admission::Accepted;
    result.queuePosition = queuePosition(request);
    if (!m_ttlTimer.isActive())
        armTtlTimer();
    schedulePump();
    return result;
}

int Scheduler::busySlots() const
{
    return int(m_running.size()) - m_waitingForUser;
}

void Scheduler::setWaitingForUser(const QString &request, bool waiting)
{
    const auto it = m_running.find(request);
    if (it == m_running.end() || waiting == (it->waitingSinceMs >= 0))
        return;
    if (waiting) {
        it->waitingSinceMs = nowMs();
        ++m_waitingForUser;
        schedulePump(); // its slot is free for the next job meanwhile
    } else {
        // Back to running at once, even above `workers`: it cannot be paused. The excess is
        // bounded by the jobs that were waiting, and goes as jobs finish (nothing new starts
        // until the count is under `workers` again).
        it->waitedMs += nowMs() - it->waitingSinceMs;
        it->waitingSinceMs = -1;
        --m_waitingForUser;
    }
}

void Scheduler::finish(const QString &request)
{
    const auto it = m_running.constFind(request);
    if (it == m_running.cend()) {
        qCDebug(lcScheduler) << "finish for a request that is not running ignored:" << request;
        return;
    }
    Running running = *it;
    m_running.erase(it);
    if (running.waitingSinceMs >= 0) {
        --m_waitingForUser;
        running.waitedMs += nowMs() - running.waitingSinceMs;
    }
    if (!running.ticket.lane.isEmpty())
        m_busyLanes.remove(running.ticket.lane);
    releaseUser(running.ticket.user);
    if (auto userIt = m_userRunning.find(running.ticket.user); userIt != m_userRunning.end()) {
        if (--*userIt <= 0)
            m_userRunning.erase(userIt);
    }

    const qint64 ranMs = std::max<qint64>(0, nowMs() - running.dispatchedAtMs - running.waitedMs);
    if (!m_haveRunSample) {
        m_meanRunMs = ranMs;
        m_haveRunSample = true;
    } else {
        m_meanRunMs =
            qint64(kRunMeanWeight * double(ranMs) + (1.0 - kRunMeanWeight) * double(m_meanRunMs));
    }
    schedulePump();
}

CancelResult Scheduler::cancel(const QString &request)
{
    if (m_queued.contains(request)) {
        takeQueued(request);
        armTtlTimer();
        schedulePump(); // it may have been first in a lane that now has a runnable ticket
        return CancelResult::RemovedFromQueue;
    }
    if (m_running.contains(request))
        return CancelResult::Running;
    return CancelResult::NotFound;
}

Scheduler::Dropped Scheduler::dropOwner(const QString &owner)
{
    Dropped dropped;
    QList<QString> toRemove;
    for (const auto &[seq, request] : m_byAge) {
        if (m_queued.value(request).ticket.owner == owner)
            toRemove.append(request);
    }
    for (const QString &request : std::as_const(toRemove))
        dropped.queued.append(takeQueued(request));
    for (const Running &running : std::as_const(m_running)) {
        if (running.ticket.owner == owner)
            dropped.running.append(running.ticket);
    }
    if (!dropped.queued.isEmpty()) {
        armTtlTimer();
        schedulePump();
    }
    qCDebug(lcScheduler) << "owner" << owner << "dropped:" << dropped.queued.size() << "queued,"
                         << dropped.running.size() << "running";
    return dropped;
}

QList<Ticket> Scheduler::shutdown()
{
    m_shuttingDown = true;
    QList<Ticket> removed;
    removed.reserve(m_queued.size());
    while (!m_byAge.empty())
        removed.append(takeQueued(m_byAge.begin()->second));
    m_ttlTimer.stop();
    qCInfo(lcScheduler) << "shutting down:" << removed.size() << "queued removed,"
                        << m_running.size() << "still running";
    return removed;
}

bool Scheduler::isShuttingDown() const
{
    return m_shuttingDown;
}

int Scheduler::queuePosition(const QString &request) const
{
    const auto it = m_queued.constFind(request);
    if (it == m_queued.cend())
        return -1;
    const QString &user = it->ticket.user;
    const auto ownIt = m_userQueues.constFind(user);
    if (ownIt == m_userQueues.cend())
        return -1; // cannot happen: every queued ticket is in its user's queue
    const auto &own = ownIt.value();
    const auto self = own.find(it->seq);
    // k = how many of this user's own tickets go first; the ticket is served in round k.
    const qsizetype k = std::distance(own.begin(), self);
    qsizetype ahead = k;
    bool beforeUser = true;
    for (const QString &other : m_rotation) {
        if (other == user) {
            beforeUser = false;
            continue;
        }
        // Users ahead in the rotation get k + 1 turns before ours, users behind it get k.
        const qsizetype turns = beforeUser ? k + 1 : k;
        const auto otherIt = m_userQueues.constFind(other);
        if (otherIt != m_userQueues.cend())
            ahead += std::min<qsizetype>(qsizetype(otherIt->size()), turns);
    }
    return int(ahead);
}

int Scheduler::queuedCount() const
{
    return int(m_queued.size());
}

int Scheduler::runningCount() const
{
    return int(m_running.size());
}

bool Scheduler::isRunning(const QString &request) const
{
    return m_running.contains(request);
}

Config Scheduler::config() const
{
    return m_config;
}

void Scheduler::setConfig(const Config &config)
{
    m_config = config;
    armTtlTimer();  // the TTL may have changed for everything already waiting
    schedulePump(); // there may be more workers now
}

qint64 Scheduler::meanRunMs() const
{
    return m_meanRunMs;
}

void Scheduler::schedulePump()
{
    if (m_pumpScheduled)
        return;
    m_pumpScheduled = true;
    QMetaObject::invokeMethod(this, &Scheduler::pump, Qt::QueuedConnection);
}

void Scheduler::pump()
{
    m_pumpScheduled = false;
    // A ticket past its TTL is expired, not started, even if a slot freed up just now: the
    // contract is that waiting longer than the TTL ends in queue_timeout.
    if (!expireOverdue())
        return; // a slot deleted us
    const QPointer<Scheduler> self(this);
    // Each dispatch is emitted with the state already consistent, and the loop re-reads the
    // state after it: a slot may finish, cancel, submit or shut down in between.
    while (self && busySlots() < std::max(0, m_config.workers)) {
        const std::optional<QString> next = pickNext();
        if (!next)
            break;
        const QString user = m_queued.value(*next).ticket.user;
        // takeQueued() gives the user's load back; a running ticket keeps counting.
        ++m_userLoad[user];
        ++m_userRunning[user];
        Ticket ticket = takeQueued(*next);
        if (!ticket.lane.isEmpty())
            m_busyLanes.insert(ticket.lane);
        m_running.insert(ticket.request, Running{ticket, nowMs()});
        // Served: to the back of the rotation (takeQueued() removed an emptied user).
        if (m_rotation.removeOne(user))
            m_rotation.append(user);
        armTtlTimer();
        qCDebug(lcScheduler) << "dispatch" << ticket.request << "user" << ticket.user << "waited"
                             << (nowMs() - ticket.enqueuedAtMs) << "ms";
        emit dispatch(ticket);
    }
}

bool Scheduler::expireOverdue()
{
    const qint64 now = nowMs();
    QList<Ticket> overdue;
    while (!m_byAge.empty()) {
        const QString request = m_byAge.begin()->second;
        if (m_queued.value(request).ticket.enqueuedAtMs + m_config.queueTtlMs > now)
            break;
        overdue.append(takeQueued(request));
    }
    armTtlTimer();
    if (!overdue.isEmpty()) {
        qCInfo(lcScheduler) << overdue.size() << "ticket(s) waited past the queue TTL of"
                            << m_config.queueTtlMs << "ms;" << m_running.size() << "running,"
                            << m_byAge.size() << "still queued";
    }
    // Removed from every index before any signal: a slot sees a consistent scheduler.
    const QPointer<Scheduler> self(this);
    for (const Ticket &ticket : std::as_const(overdue)) {
        if (!self)
            return false;
        qCDebug(lcScheduler) << "expired" << ticket.request << "user" << ticket.user << "after"
                             << (now - ticket.enqueuedAtMs) << "ms in the queue";
        emit expired(ticket);
    }
    return !self.isNull();
}

void Scheduler::armTtlTimer()
{
    if (m_byAge.empty()) {
        m_ttlTimer.stop();
        return;
    }
    const Queued &oldest = m_queued[m_byAge.begin()->second];
    const qint64 due = oldest.ticket.enqueuedAtMs + m_config.queueTtlMs - nowMs();
    // +1: the deadline is "waited longer than the TTL"; firing on the exact millisecond would
    // find nothing overdue and re-arm with 0 in a busy loop.
    const qint64 ms = std::clamp<qint64>(due + 1, 0, std::numeric_limits<int>::max());
    m_ttlTimer.start(int(ms));
}

std::optional<QString> Scheduler::pickNext()
{
    // Fewest running jobs first, the rotation breaks ties: a flooder holding both workers does
    // not get the next free slot ahead of a classmate who has none, however the rotation
    // stands. Among users with equally many running jobs it is plain round robin.
    std::optional<QString> best;
    int bestRunning = std::numeric_limits<int>::max();
    for (const QString &user : std::as_const(m_rotation)) {
        const int running = m_userRunning.value(user);
        if (running >= bestRunning)
            continue;
        const auto userIt = m_userQueues.constFind(user);
        if (userIt == m_userQueues.cend())
            continue;
        for (const auto &[seq, request] : *userIt) {
            const auto queued = m_queued.constFind(request);
            if (queued != m_queued.cend() && isRunnable(*queued)) {
                best = request;
                bestRunning = running;
                break;
            }
        }
        if (bestRunning == 0)
            break; // nobody beats a user with nothing running who is first in the rotation
    }
    return best;
}

bool Scheduler::isRunnable(const Queued &queued) const
{
    const QString &lane = queued.ticket.lane;
    if (lane.isEmpty())
        return true;
    if (m_busyLanes.contains(lane))
        return false;
    // First in its lane: a lane keeps FIFO order even across users.
    const auto it = m_laneQueues.constFind(lane);
    return it != m_laneQueues.cend() && !it->empty() && *it->begin() == queued.seq;
}

Ticket Scheduler::takeQueued(const QString &request)
{
    Queued queued = m_queued.take(request);
    m_byAge.erase(queued.seq);
    const QString &user = queued.ticket.user;
    auto userIt = m_userQueues.find(user);
    if (userIt != m_userQueues.end()) {
        userIt->erase(queued.seq);
        if (userIt->empty()) {
            m_userQueues.erase(userIt);
            m_rotation.removeOne(user);
        }
    }
    const QString &lane = queued.ticket.lane;
    if (!lane.isEmpty()) {
        auto laneIt = m_laneQueues.find(lane);
        if (laneIt != m_laneQueues.end()) {
            laneIt->erase(queued.seq);
            if (laneIt->empty())
                m_laneQueues.erase(laneIt);
        }
    }
    releaseUser(user);
    return std::move(queued.ticket);
}

void Scheduler::releaseUser(const QString &user)
{
    auto it = m_userLoad.find(user);
    if (it == m_userLoad.end())
        return;
    if (--*it <= 0)
        m_userLoad.erase(it);
}

qint64 Scheduler::retryEstimateMs(qint64 jobsAhead) const
{
    // Rounds of the whole worker pool needed to work through what is ahead, one mean run time
    // each, plus the round that frees a slot for the newcomer.
    const qint64 workers = std::max(1, m_config.workers);
    const qint64 rounds = jobsAhead / workers + 1;
    return std::max(kMinRetryMs, rounds * m_meanRunMs);
}

} // namespace coderoom::scheduler
