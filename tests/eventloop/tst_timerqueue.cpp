// TimerQueue with a made-up clock: order, ties, removal, Qt's coarse and very coarse rounding,
// rescheduling without catch-up bursts, and timers whose slot is still running.
#include "timerqueue.h"

#include <QObject>
#include <QTest>

using namespace coderoom::eventloop;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

// A clock reading that is not on a round fraction of a second, so rounding shows.
const Clock::time_point kT0 = Clock::time_point(seconds(1000) + milliseconds(137));

QList<int> ids(const std::vector<TimerQueue::Due> &due)
{
    QList<int> out;
    for (const auto &d : due)
        out.append(d.id);
    return out;
}

// Fires everything due at `now` the way the dispatcher does, returning the ids in order.
QList<int> firePass(TimerQueue &q, Clock::time_point now)
{
    QList<int> fired;
    for (const auto &d : q.takeExpired(now)) {
        QObject *target = nullptr;
        if (!q.beginActivation(d, now, &target))
            continue;
        fired.append(d.id);
        q.endActivation(d);
    }
    return fired;
}

qint64 msFrom(Clock::time_point from, Clock::time_point to)
{
    return std::chrono::duration_cast<milliseconds>(to - from).count();
}

} // namespace

class TstTimerQueue : public QObject
{
    Q_OBJECT
private slots:
    void timersFireInDeadlineOrder();
    void equalDeadlinesFireInStartOrder();
    void nothingFiresBeforeItsDeadline_data();
    void nothingFiresBeforeItsDeadline();
    void coarseRoundingStaysWithinFivePercent_data();
    void coarseRoundingStaysWithinFivePercent();
    void coarsePrefersRoundFractionsOfASecond();
    void veryCoarseKeepsWholeSeconds();
    void repeatingTimerDoesNotCatchUpAfterAStall();
    void removedTimerNeverFires();
    void removeAllStopsOnlyThatObjectsTimers();
    void timerStartedAgainInsidePassIsANewRegistration();
    void remainingTime();
    void runningTimerIsNotFiredAgainByANestedPass();
    void zeroIntervalFiresOncePerPass();
    void thousandsOfTimersStayOrdered();
};

void TstTimerQueue::timersFireInDeadlineOrder()
{
    TimerQueue q;
    QObject o;
    q.add(1, 50, Qt::PreciseTimer, &o, kT0);
    q.add(2, 10, Qt::PreciseTimer, &o, kT0);
    q.add(3, 30, Qt::PreciseTimer, &o, kT0);
    q.add(4, 20, Qt::PreciseTimer, &o, kT0);
    QCOMPARE(ids(q.takeExpired(kT0 + milliseconds(60))), QList<int>({2, 4, 3, 1}));
}

void TstTimerQueue::equalDeadlinesFireInStartOrder()
{
    TimerQueue q;
    QObject o;
    for (int id : {7, 3, 9, 1, 5})
        q.add(id, 10, Qt::PreciseTimer, &o, kT0);
    QCOMPARE(ids(q.takeExpired(kT0 + milliseconds(10))), QList<int>({7, 3, 9, 1, 5}));
}

void TstTimerQueue::nothingFiresBeforeItsDeadline_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<qint64>("interval");
    QTest::addColumn<qint64>("earliestMs");
    QTest::addRow("precise 1 ms at 1 ms") << int(Qt::PreciseTimer) << qint64(1) << qint64(1);
    QTest::addRow("precise 250 ms at 250 ms")
        << int(Qt::PreciseTimer) << qint64(250) << qint64(250);
    QTest::addRow("coarse 15 ms is precise") << int(Qt::CoarseTimer) << qint64(15) << qint64(15);
    QTest::addRow("coarse 1000 ms no earlier than 950")
        << int(Qt::CoarseTimer) << qint64(1000) << qint64(950);
    QTest::addRow("very coarse 3 s no earlier than 2.5 s")
        << int(Qt::VeryCoarseTimer) << qint64(3000) << qint64(2500);
}

void TstTimerQueue::nothingFiresBeforeItsDeadline()
{
    QFETCH(int, type);
    QFETCH(qint64, interval);
    QFETCH(qint64, earliestMs);
    TimerQueue q;
    QObject o;
    q.add(1, interval, Qt::TimerType(type), &o, kT0);
    const Clock::time_point justBefore = kT0 + milliseconds(earliestMs) - Nanos(1);
    QVERIFY(q.takeExpired(justBefore).empty());
    QVERIFY(q.timeToNext(kT0) > Nanos::zero());
}

void TstTimerQueue::coarseRoundingStaysWithinFivePercent_data()
{
    QTest::addColumn<qint64>("interval");
    for (qint64 ms : {21, 33, 60, 99, 100, 137, 250, 999, 1000, 4321, 5000, 19999})
        QTest::addRow("%lld ms", static_cast<long long>(ms)) << ms;
}

void TstTimerQueue::coarseRoundingStaysWithinFivePercent()
{
    QFETCH(qint64, interval);
    // Many start times, so every rounding branch is met.
    for (int offset = 0; offset < 1000; offset += 7) {
        const Clock::time_point start = kT0 + milliseconds(offset);
        TimerQueue q;
        QObject o;
        q.add(1, interval, Qt::CoarseTimer, &o, start);
        const Nanos wait = q.timeToNext(start);
        const Nanos exact = milliseconds(interval);
        const Nanos slack = milliseconds(interval / 20);
        QVERIFY2(
            wait >= exact - slack && wait <= exact + slack,
            qPrintable(QStringLiteral("start +%1 ms: waits %2 ns").arg(offset).arg(wait.count())));
    }
}

void TstTimerQueue::coarsePrefersRoundFractionsOfASecond()
{
    // 1000 ms started at x.137 s may move by 50 ms: x+1.100 s (a multiple of 100 ms) is the
    // roundest point in reach; 2000 ms may move by 100 ms: x+2.200 s (a multiple of 200 ms).
    TimerQueue q;
    QObject o;
    q.add(1, 1000, Qt::CoarseTimer, &o, kT0);
    q.add(2, 2000, Qt::CoarseTimer, &o, kT0);
    QCOMPARE(msFrom(kT0, kT0 + q.timeToNext(kT0)), qint64(1000 - 37));
    QCOMPARE(ids(q.takeExpired(kT0 + milliseconds(963))), QList<int>({1}));
    QCOMPARE(q.timeToNext(kT0), milliseconds(2063));
}

void TstTimerQueue::veryCoarseKeepsWholeSeconds()
{
    TimerQueue q;
    QObject o;
    q.add(1, 1400, Qt::VeryCoarseTimer, &o, kT0); // rounds to 1 s
    q.add(2, 25000, Qt::CoarseTimer, &o, kT0);    // 20 s or more: very coarse
    const auto timers = q.timersOf(&o);
    QCOMPARE(timers.size(), 2);
    QCOMPARE(timers.at(0).interval, 1000);
    QCOMPARE(timers.at(1).timerType, Qt::VeryCoarseTimer);
    // Fires on the next whole second after one second: 1001.000
    QCOMPARE(q.timeToNext(kT0), milliseconds(863));
    const Clock::time_point fire = kT0 + milliseconds(863);
    QCOMPARE(firePass(q, fire), QList<int>({1}));
    QCOMPARE(q.timeToNext(fire), seconds(1));
}

void TstTimerQueue::repeatingTimerDoesNotCatchUpAfterAStall()
{
    TimerQueue q;
    QObject o;
    q.add(1, 10, Qt::PreciseTimer, &o, kT0);
    // The loop was stuck for a second: one firing, then 10 ms from now, not 99 more.
    const Clock::time_point late = kT0 + seconds(1);
    QCOMPARE(firePass(q, late), QList<int>({1}));
    QCOMPARE(q.timeToNext(late), milliseconds(10));
    QVERIFY(firePass(q, late).isEmpty());
}

void TstTimerQueue::removedTimerNeverFires()
{
    TimerQueue q;
    QObject o;
    q.add(1, 10, Qt::PreciseTimer, &o, kT0);
    q.add(2, 10, Qt::PreciseTimer, &o, kT0);
    QVERIFY(q.remove(1));
    QVERIFY(!q.remove(1));
    QCOMPARE(firePass(q, kT0 + milliseconds(10)), QList<int>({2}));
    // Removed between being taken and being fired (by an earlier slot of the same pass).
    const auto due = q.takeExpired(kT0 + milliseconds(20));
    QCOMPARE(ids(due), QList<int>({2}));
    QVERIFY(q.remove(2));
    QObject *target = nullptr;
    QVERIFY(!q.beginActivation(due.front(), kT0 + milliseconds(20), &target));
    QVERIFY(q.isEmpty());
}

void TstTimerQueue::removeAllStopsOnlyThatObjectsTimers()
{
    TimerQueue q;
    QObject a;
    QObject b;
    q.add(1, 10, Qt::PreciseTimer, &a, kT0);
    q.add(2, 10, Qt::PreciseTimer, &b, kT0);
    q.add(3, 20, Qt::PreciseTimer, &a, kT0);
    QVERIFY(q.removeAll(&a));
    QVERIFY(!q.removeAll(&a));
    QVERIFY(q.timersOf(&a).isEmpty());
    QCOMPARE(q.timersOf(&b).size(), 1);
    QCOMPARE(firePass(q, kT0 + seconds(1)), QList<int>({2}));
}

void TstTimerQueue::timerStartedAgainInsidePassIsANewRegistration()
{
    // QTimer::start() on a running timer is stop + start, and Qt may hand out the same id:
    // the new registration waits for its own deadline.
    TimerQueue q;
    QObject o;
    q.add(1, 10, Qt::PreciseTimer, &o, kT0);
    q.add(2, 10, Qt::PreciseTimer, &o, kT0);
    const Clock::time_point now = kT0 + milliseconds(10);
    const auto due = q.takeExpired(now);
    QCOMPARE(due.size(), size_t(2));
    q.remove(2);
    q.add(2, 10, Qt::PreciseTimer, &o, now);
    QObject *target = nullptr;
    QVERIFY(q.beginActivation(due[0], now, &target));
    QCOMPARE(target, &o);
    q.endActivation(due[0]);
    QVERIFY(!q.beginActivation(due[1], now, &target));
    QCOMPARE(q.timeToNext(now), milliseconds(10));
}

void TstTimerQueue::remainingTime()
{
    TimerQueue q;
    QObject o;
    QCOMPARE(q.remainingMs(1, kT0), -1);
    q.add(1, 100, Qt::PreciseTimer, &o, kT0);
    q.add(2, 0, Qt::PreciseTimer, &o, kT0);
    QCOMPARE(q.remainingMs(1, kT0), 100);
    QCOMPARE(q.remainingMs(1, kT0 + Nanos(99'000'001)), 1); // rounded up
    QCOMPARE(q.remainingMs(1, kT0 + seconds(5)), 0);        // overdue
    QCOMPARE(q.remainingMs(2, kT0), 0);
    // Inside its own slot a repeating timer already counts towards its next firing.
    const Clock::time_point now = kT0 + milliseconds(100);
    const auto due = q.takeExpired(now);
    QObject *target = nullptr;
    QVERIFY(q.beginActivation(due.back(), now, &target));
    QCOMPARE(due.back().id, 1);
    QCOMPARE(q.remainingMs(1, now), 100);
    q.endActivation(due.back());
}

void TstTimerQueue::runningTimerIsNotFiredAgainByANestedPass()
{
    TimerQueue q;
    QObject o;
    q.add(1, 10, Qt::PreciseTimer, &o, kT0);
    Clock::time_point now = kT0 + milliseconds(10);
    const auto outer = q.takeExpired(now);
    QObject *target = nullptr;
    QVERIFY(q.beginActivation(outer.front(), now, &target));
    // Its slot runs a nested loop for a while: the timer is not in the heap, so the nested
    // passes neither fire it nor wait for it.
    now += milliseconds(50);
    QVERIFY(q.takeExpired(now).empty());
    QCOMPARE(q.timeToNext(now), Nanos::max());
    q.endActivation(outer.front());
    QCOMPARE(firePass(q, now), QList<int>({1}));
}

void TstTimerQueue::zeroIntervalFiresOncePerPass()
{
    TimerQueue q;
    QObject o;
    q.add(1, 0, Qt::CoarseTimer, &o, kT0);
    QCOMPARE(q.timeToNext(kT0), Nanos::zero());
    QCOMPARE(firePass(q, kT0), QList<int>({1}));
    QCOMPARE(firePass(q, kT0 + Nanos(1)), QList<int>({1}));
}

void TstTimerQueue::thousandsOfTimersStayOrdered()
{
    TimerQueue q;
    QObject o;
    // Pseudo-random intervals, some removed: what remains fires in deadline order.
    quint32 seed = 12345;
    QMap<int, qint64> intervals;
    for (int id = 1; id <= 5000; ++id) {
        seed = seed * 1103515245u + 12345u;
        const qint64 ms = qint64((seed >> 8) % 10000);
        q.add(id, ms, Qt::PreciseTimer, &o, kT0);
        intervals.insert(id, ms);
    }
    for (int id = 1; id <= 5000; id += 3) {
        QVERIFY(q.remove(id));
        intervals.remove(id);
    }
    QCOMPARE(q.size(), int(intervals.size()));
    const auto due = q.takeExpired(kT0 + seconds(10));
    QCOMPARE(int(due.size()), int(intervals.size()));
    for (size_t i = 1; i < due.size(); ++i) {
        const qint64 a = intervals.value(due[i - 1].id);
        const qint64 b = intervals.value(due[i].id);
        QVERIFY(a < b || (a == b && due[i - 1].id < due[i].id));
    }
}

QTEST_GUILESS_MAIN(TstTimerQueue)
#include "tst_timerqueue.moc"
