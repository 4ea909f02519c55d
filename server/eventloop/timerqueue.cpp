#include "timerqueue.h"

#include <QObject>

#include <algorithm>

namespace coderoom::eventloop {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr qint64 kPreciseUpToMs = 20;
constexpr qint64 kVeryCoarseFromMs = 20000;

Clock::time_point wholeSecondFloor(Clock::time_point t)
{
    return Clock::time_point(duration_cast<seconds>(t.time_since_epoch()));
}

} // namespace

Clock::time_point coarseDeadline(Clock::time_point wanted, qint64 intervalMs)
{
    // Qt's promise for a coarse timer is "within 5% of the interval"; landing on round
    // fractions of a second lets many timers share one wake-up.
    const Nanos slack = milliseconds(intervalMs / 20);
    if (slack <= Nanos::zero())
        return wanted;
    const qint64 at = wanted.time_since_epoch().count();
    const qint64 lo = at - slack.count();
    const qint64 hi = at + slack.count();
    static constexpr qint64 kGrains[] = {1000, 500, 250, 200, 100, 50, 25};
    for (const qint64 grainMs : kGrains) {
        const qint64 grain = grainMs * 1000 * 1000;
        const qint64 down = at / grain * grain;
        const qint64 up = down + grain;
        const bool downFits = down >= lo;
        const bool upFits = up <= hi;
        if (!downFits && !upFits)
            continue;
        qint64 chosen = 0;
        if (downFits && upFits)
            chosen = (at - down) <= (up - at) ? down : up;
        else
            chosen = downFits ? down : up;
        return Clock::time_point(Nanos(chosen));
    }
    return wanted;
}

void TimerQueue::add(int id, qint64 intervalMs, Qt::TimerType type, QObject *object,
                     Clock::time_point now)
{
    remove(id); // Qt never re-registers a live id; be safe if it did
    Timer t;
    t.id = id;
    t.object = object;
    t.serial = m_nextSerial++;
    t.intervalMs = std::max<qint64>(0, intervalMs);
    t.type = type;
    if (type == Qt::CoarseTimer) {
        if (t.intervalMs <= kPreciseUpToMs)
            t.type = Qt::PreciseTimer;
        else if (t.intervalMs >= kVeryCoarseFromMs)
            t.type = Qt::VeryCoarseTimer;
    }
    switch (t.type) {
    case Qt::PreciseTimer:
        t.deadline = now + milliseconds(t.intervalMs);
        break;
    case Qt::CoarseTimer:
        t.deadline = coarseDeadline(now + milliseconds(t.intervalMs), t.intervalMs);
        break;
    case Qt::VeryCoarseTimer: {
        const qint64 secs = std::max<qint64>(1, (t.intervalMs + 500) / 1000);
        t.intervalMs = secs * 1000;
        t.deadline = wholeSecondFloor(now) + seconds(secs);
        if (now - wholeSecondFloor(now) > milliseconds(500))
            t.deadline += seconds(1);
        break;
    }
    }
    auto [it, inserted] = m_byId.emplace(id, t);
    Q_UNUSED(inserted);
    m_byObject.emplace(object, id);
    heapPush(&it->second);
}

bool TimerQueue::remove(int id)
{
    const auto it = m_byId.find(id);
    if (it == m_byId.end())
        return false;
    eraseTimer(it);
    return true;
}

void TimerQueue::eraseTimer(std::unordered_map<int, Timer>::iterator it)
{
    Timer &t = it->second;
    if (t.heapIndex >= 0)
        heapErase(&t);
    auto range = m_byObject.equal_range(t.object);
    for (auto o = range.first; o != range.second; ++o) {
        if (o->second == t.id) {
            m_byObject.erase(o);
            break;
        }
    }
    m_byId.erase(it);
}

bool TimerQueue::removeAll(QObject *object)
{
    auto range = m_byObject.equal_range(object);
    if (range.first == range.second)
        return false;
    std::vector<int> ids;
    for (auto o = range.first; o != range.second; ++o)
        ids.push_back(o->second);
    for (const int id : ids)
        remove(id);
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo> TimerQueue::timersOf(QObject *object) const
{
    QList<QAbstractEventDispatcher::TimerInfo> list;
    auto range = m_byObject.equal_range(object);
    for (auto o = range.first; o != range.second; ++o) {
        const Timer &t = m_byId.at(o->second);
        list.append({t.id, int(std::min<qint64>(t.intervalMs, INT_MAX)), t.type});
    }
    // moveToThread re-registers in this order; keep the order they were started in.
    std::sort(list.begin(), list.end(), [this](const auto &a, const auto &b) {
        return m_byId.at(a.timerId).serial < m_byId.at(b.timerId).serial;
    });
    return list;
}

int TimerQueue::remainingMs(int id, Clock::time_point now) const
{
    const auto it = m_byId.find(id);
    if (it == m_byId.end())
        return -1;
    const Nanos left = it->second.deadline - now;
    if (left <= Nanos::zero())
        return 0;
    const qint64 ms = (left.count() + 999999) / 1000000; // up, like the wait itself
    return int(std::min<qint64>(ms, INT_MAX));
}

Nanos TimerQueue::timeToNext(Clock::time_point now) const
{
    if (m_heap.empty())
        return Nanos::max();
    return std::max(Nanos::zero(), m_heap.front()->deadline - now);
}

std::vector<TimerQueue::Due> TimerQueue::takeExpired(Clock::time_point now)
{
    std::vector<Due> due;
    while (!m_heap.empty() && m_heap.front()->deadline <= now) {
        Timer *t = m_heap.front();
        heapErase(t);
        due.push_back({t->id, t->serial});
    }
    return due;
}

bool TimerQueue::beginActivation(const Due &due, Clock::time_point now, QObject **object)
{
    const auto it = m_byId.find(due.id);
    if (it == m_byId.end() || it->second.serial != due.serial)
        return false;
    // A timer whose slot is still running below us (a nested loop) cannot be here: it is out
    // of the heap until endActivation(), so takeExpired() never returned it.
    Timer &t = it->second;
    scheduleNext(t, now);
    *object = t.object;
    return true;
}

void TimerQueue::endActivation(const Due &due)
{
    const auto it = m_byId.find(due.id);
    if (it == m_byId.end() || it->second.serial != due.serial)
        return;
    if (it->second.heapIndex < 0)
        heapPush(&it->second);
}

void TimerQueue::scheduleNext(Timer &t, Clock::time_point now) const
{
    if (t.type == Qt::VeryCoarseTimer) {
        t.deadline += milliseconds(t.intervalMs);
        if (t.deadline <= now)
            t.deadline = wholeSecondFloor(now) + milliseconds(t.intervalMs);
        return;
    }
    t.deadline += milliseconds(t.intervalMs);
    if (t.deadline < now)
        t.deadline = now + milliseconds(t.intervalMs);
    if (t.type == Qt::CoarseTimer) {
        t.deadline = coarseDeadline(t.deadline, t.intervalMs);
        if (t.deadline < now)
            t.deadline += milliseconds(t.intervalMs);
    }
}

// --- the heap ---------------------------------------------------------------------------

bool TimerQueue::before(const Timer *a, const Timer *b) const
{
    if (a->deadline != b->deadline)
        return a->deadline < b->deadline;
    return a->sequence < b->sequence;
}

void TimerQueue::place(int i, Timer *t)
{
    m_heap[size_t(i)] = t;
    t->heapIndex = i;
}

void TimerQueue::heapPush(Timer *t)
{
    t->sequence = m_nextSequence++;
    m_heap.push_back(t);
    t->heapIndex = int(m_heap.size()) - 1;
    siftUp(t->heapIndex);
}

void TimerQueue::heapErase(Timer *t)
{
    const int i = t->heapIndex;
    const int last = int(m_heap.size()) - 1;
    t->heapIndex = -1;
    if (i != last) {
        place(i, m_heap[size_t(last)]);
        m_heap.pop_back();
        siftDown(i);
        siftUp(i);
    } else {
        m_heap.pop_back();
    }
}

void TimerQueue::siftUp(int i)
{
    Timer *t = m_heap[size_t(i)];
    while (i > 0) {
        const int parent = (i - 1) / 2;
        if (!before(t, m_heap[size_t(parent)]))
            break;
        place(i, m_heap[size_t(parent)]);
        i = parent;
    }
    place(i, t);
}

void TimerQueue::siftDown(int i)
{
    const int n = int(m_heap.size());
    if (i >= n)
        return;
    Timer *t = m_heap[size_t(i)];
    while (true) {
        int child = 2 * i + 1;
        if (child >= n)
            break;
        if (child + 1 < n && before(m_heap[size_t(child + 1)], m_heap[size_t(child)]))
            ++child;
        if (!before(m_heap[size_t(child)], t))
            break;
        place(i, m_heap[size_t(child)]);
        i = child;
    }
    place(i, t);
}

} // namespace coderoom::eventloop
