#include "scheduler.h"
#include "schedulertestsupport.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QPointer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <random>

using namespace coderoom::scheduler;
using namespace coderoom::scheduler::testing;
using namespace Qt::StringLiterals;

Q_DECLARE_METATYPE(coderoom::scheduler::Admission)

namespace {

// Records what the scheduler says, in order.
struct Recorder
{
    explicit Recorder(Scheduler &scheduler)
    {
        QObject::connect(&scheduler, &Scheduler::dispatch, &scheduler,
                         [this](const Ticket &t) { dispatched.append(t.request); });
        QObject::connect(&scheduler, &Scheduler::expired, &scheduler,
                         [this](const Ticket &t) { expired.append(t.request); });
    }
    QStringList dispatched;
    QStringList expired;
};

// Finishes every dispatched job at once, from inside the dispatch slot (the re-entrant case
// the pump has to survive), so the dispatch order is the scheduler's choice alone.
void finishImmediately(Scheduler &scheduler)
{
    QObject::connect(&scheduler, &Scheduler::dispatch, &scheduler,
                     [&scheduler](const Ticket &t) { scheduler.finish(t.request); });
}

} // namespace

class TestScheduler : public QObject
{
    Q_OBJECT

private slots:
    void admission_data();
    void admission();
    void runningJobsCountTowardTheUserLimit();
    void overloadedSaysWhenToRetry();
    void nothingIsDispatchedInsideSubmit();
    void dispatchOrder_data();
    void dispatchOrder();
    void floodDoesNotDelayAClassmate_data();
    void floodDoesNotDelayAClassmate();
    void readyCellsStartRoundRobinAcrossUsers_data();
    void readyCellsStartRoundRobinAcrossUsers();
    void laneRunsOneAtATimeInOrder();
    void othersPassABlockedLane();
    void laneKeepsFifoAcrossUsers();
    void ttlExpiresExactlyOnceAndNeverARunningTicket();
    void ttlFollowsTheOldestTicket();
    void ttlChangeAppliesToWaitingTickets();
    void cancel_data();
    void cancel();
    void dropOwner();
    void shutdown();
    void queuePosition_data();
    void queuePosition();
    void moreWorkersDispatchMore();
    void aJobWaitingForItsUserLendsItsSlot();
    void reentrantCallsFromDispatch();
    void aSlotMayDeleteTheScheduler();
};

void TestScheduler::admission_data()
{
    QTest::addColumn<int>("workers");
    QTest::addColumn<int>("maxQueued");
    QTest::addColumn<int>("maxPerUser");
    QTest::addColumn<QStringList>("tickets");
    QTest::addColumn<QList<Admission>>("expected");

    constexpr auto A = Admission::Accepted;
    constexpr auto O = Admission::Overloaded;
    constexpr auto U = Admission::UserLimit;
    constexpr auto D = Admission::DuplicateRequest;

    QTest::addRow("jobs past maxQueued waiting (free workers aside) are overloaded")
        << 2 << 3 << 100
        << QStringList{u"r0:a"_s, u"r1:b"_s, u"r2:c"_s, u"r3:d"_s, u"r4:e"_s, u"r5:f"_s, u"r6:g"_s}
        << QList<Admission>{A, A, A, A, A, O, O};
    QTest::addRow("a zero-length queue still feeds free workers")
        << 2 << 0 << 100 << QStringList{u"r0:a"_s, u"r1:b"_s, u"r2:c"_s}
        << QList<Admission>{A, A, O};
    QTest::addRow("a user past maxPerUser is refused while others get in")
        << 1 << 10 << 2 << QStringList{u"r0:a"_s, u"r1:a"_s, u"r2:a"_s, u"r3:b"_s}
        << QList<Admission>{A, A, U, A};
    QTest::addRow("the user limit is reported before a full queue")
        << 1 << 1 << 2 << QStringList{u"r0:a"_s, u"r1:a"_s, u"r2:a"_s, u"r3:b"_s}
        << QList<Admission>{A, A, U, O};
    QTest::addRow("a duplicate request id is refused and does not count")
        << 1 << 10 << 2 << QStringList{u"r0:a"_s, u"r0:b"_s, u"r1:b"_s, u"r2:b"_s}
        << QList<Admission>{A, D, A, A};
}

void TestScheduler::admission()
{
    QFETCH(int, workers);
    QFETCH(int, maxQueued);
    QFETCH(int, maxPerUser);
    QFETCH(QStringList, tickets);
    QFETCH(QList<Admission>, expected);

    Scheduler scheduler(config(workers, maxQueued, maxPerUser));
    QList<Admission> got;
    int accepted = 0;
    for (const QString &spec : std::as_const(tickets)) {
        const SubmitResult r = scheduler.submit(ticketFrom(spec));
        got.append(r.admission);
        if (r.admission == Admission::Accepted)
            ++accepted;
        if (r.admission == Admission::Overloaded || r.admission == Admission::UserLimit)
            QVERIFY2(r.retryAfterMs >= 1000, qPrintable(QString::number(r.retryAfterMs)));
    }
    QCOMPARE(got, expected);
    QCOMPARE(scheduler.queuedCount(), accepted);
    QCOMPARE(scheduler.runningCount(), 0);
}

void TestScheduler::runningJobsCountTowardTheUserLimit()
{
    Scheduler scheduler(config(2, 10, 2));
    Recorder rec(scheduler);
    QCOMPARE(scheduler.submit(ticket(u"r0"_s, u"a"_s)).admission, Admission::Accepted);
    QCOMPARE(scheduler.submit(ticket(u"r1"_s, u"a"_s)).admission, Admission::Accepted);
    QTRY_COMPARE(rec.dispatched.size(), 2);
    QCOMPARE(scheduler.queuedCount(), 0);
    QCOMPARE(scheduler.submit(ticket(u"r2"_s, u"a"_s)).admission, Admission::UserLimit);
    scheduler.finish(u"r0"_s);
    QCOMPARE(scheduler.submit(ticket(u"r2"_s, u"a"_s)).admission, Admission::Accepted);
    QTRY_COMPARE(rec.dispatched, (QStringList{u"r0"_s, u"r1"_s, u"r2"_s}));
}

void TestScheduler::overloadedSaysWhenToRetry()
{
    Scheduler scheduler(config(1, 4));
    for (int i = 0; i < 5; ++i)
        QCOMPARE(scheduler.submit(ticket(u"r%1"_s.arg(i), u"u%1"_s.arg(i))).admission,
                 Admission::Accepted);
    const SubmitResult r = scheduler.submit(ticket(u"late"_s, u"late"_s));
    QCOMPARE(r.admission, Admission::Overloaded);
    // 5 jobs ahead on one worker, one mean run time (1 s until measured) each, plus the newcomer.
    QCOMPARE(scheduler.meanRunMs(), 1000);
    QCOMPARE(r.retryAfterMs, 6 * 1000);
}

void TestScheduler::nothingIsDispatchedInsideSubmit()
{
    Scheduler scheduler(config(2));
    QSignalSpy spy(&scheduler, &Scheduler::dispatch);
    scheduler.submit(ticket(u"r0"_s, u"a"_s));
    QCOMPARE(spy.size(), 0);
    QCOMPARE(scheduler.runningCount(), 0);
    QTRY_COMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).value<Ticket>().request, u"r0"_s);
    QVERIFY(scheduler.isRunning(u"r0"_s));
}

void TestScheduler::dispatchOrder_data()
{
    QTest::addColumn<QStringList>("tickets");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("one user runs in submission order")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"a3:a"_s, u"a4:a"_s}
        << QStringList{u"a1"_s, u"a2"_s, u"a3"_s, u"a4"_s};
    QTest::addRow("users take turns in the order they arrived")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"a3:a"_s, u"b1:b"_s, u"b2:b"_s, u"c1:c"_s}
        << QStringList{u"a1"_s, u"b1"_s, u"c1"_s, u"a2"_s, u"b2"_s, u"a3"_s};
    QTest::addRow("interleaved submissions keep each user's FIFO")
        << QStringList{u"b1:b"_s, u"a1:a"_s, u"b2:b"_s, u"a2:a"_s, u"b3:b"_s}
        << QStringList{u"b1"_s, u"a1"_s, u"b2"_s, u"a2"_s, u"b3"_s};
    QTest::addRow("a user's lane-free job passes its own lane backlog")
        << QStringList{u"a1:a:L"_s, u"a2:a:L"_s, u"b1:b"_s}
        << QStringList{u"a1"_s, u"b1"_s, u"a2"_s};
}

void TestScheduler::dispatchOrder()
{
    QFETCH(QStringList, tickets);
    QFETCH(QStringList, expected);

    Scheduler scheduler(config(1));
    Recorder rec(scheduler);
    finishImmediately(scheduler);
    for (const QString &spec : std::as_const(tickets))
        QCOMPARE(scheduler.submit(ticketFrom(spec)).admission, Admission::Accepted);
    QTRY_COMPARE(rec.dispatched.size(), expected.size());
    QCOMPARE(rec.dispatched, expected);
    QCOMPARE(scheduler.queuedCount(), 0);
    QCOMPARE(scheduler.runningCount(), 0);
}

void TestScheduler::floodDoesNotDelayAClassmate_data()
{
    QTest::addColumn<int>("workers");
    QTest::addColumn<bool>("flooderRunsFirst");

    QTest::addRow("classmate arrives before the first dispatch, one worker") << 1 << false;
    QTest::addRow("classmate arrives before the first dispatch, two workers") << 2 << false;
    QTest::addRow("classmate arrives while the flooder holds the only worker") << 1 << true;
    QTest::addRow("classmate arrives while the flooder holds both workers") << 2 << true;
}

void TestScheduler::floodDoesNotDelayAClassmate()
{
    QFETCH(int, workers);
    QFETCH(bool, flooderRunsFirst);

    Scheduler scheduler(config(workers, 64, 64));
    Recorder rec(scheduler);
    for (int i = 0; i < 50; ++i)
        QCOMPARE(scheduler.submit(ticket(u"f%1"_s.arg(i), u"flooder"_s)).admission,
                 Admission::Accepted);
    if (flooderRunsFirst)
        QTRY_COMPARE(rec.dispatched.size(), workers);
    const SubmitResult r = scheduler.submit(ticket(u"mine"_s, u"classmate"_s));
    QCOMPARE(r.admission, Admission::Accepted);
    QVERIFY2(r.queuePosition <= 1, qPrintable(QString::number(r.queuePosition)));

    // Free one worker at a time (oldest job first) until the classmate's job starts.
    const qsizetype before = rec.dispatched.size();
    qsizetype finished = 0;
    if (!flooderRunsFirst)
        QTRY_COMPARE(rec.dispatched.size(), workers);
    while (!rec.dispatched.contains(u"mine"_s) && finished < 3) {
        scheduler.finish(rec.dispatched.at(finished++));
        QTRY_VERIFY(rec.dispatched.size() > workers + finished - 1);
    }
    QVERIFY2(rec.dispatched.contains(u"mine"_s), qPrintable(rec.dispatched.join(u' ')));
    // Within one turn: at most one more of the flooder's jobs went first.
    const qsizetype flooderFirst = rec.dispatched.indexOf(u"mine"_s) - before;
    QVERIFY2(flooderFirst <= 1, qPrintable(rec.dispatched.join(u' ')));
    // With two workers the flooder already has work running when a worker frees up: fewer
    // running jobs win, so the classmate goes next.
    if (flooderRunsFirst && workers > 1)
        QCOMPARE(flooderFirst, 0);
}

void TestScheduler::readyCellsStartRoundRobinAcrossUsers_data()
{
    // The interactive lane's shape: more slots than cells (core gives it no real limit), a lane
    // per session. Nothing finishes, so the order is the order in which ready cells start in
    // one pump. The last row keeps the same rotation when slots do run out.
    QTest::addColumn<int>("capacity");
    QTest::addColumn<QStringList>("tickets");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("a user with three sessions takes one turn per round")
        << 100 << QStringList{u"a1:a:sa1"_s, u"a2:a:sa2"_s, u"a3:a:sa3"_s,
                              u"b1:b:sb1"_s, u"c1:c:sc1"_s, u"c2:c:sc2"_s}
        << QStringList{u"a1"_s, u"b1"_s, u"c1"_s, u"a2"_s, u"c2"_s, u"a3"_s};
    QTest::addRow("a session's second cell waits for its first, the others go on")
        << 100 << QStringList{u"a1:a:sa"_s, u"a2:a:sa"_s, u"b1:b:sb"_s, u"c1:c:sc"_s}
        << QStringList{u"a1"_s, u"b1"_s, u"c1"_s};
    QTest::addRow("past the slots the rest wait, first served first")
        << 3
        << QStringList{u"a1:a:sa1"_s, u"a2:a:sa2"_s, u"b1:b:sb1"_s, u"b2:b:sb2"_s, u"c1:c:sc1"_s}
        << QStringList{u"a1"_s, u"b1"_s, u"c1"_s};
}

void TestScheduler::readyCellsStartRoundRobinAcrossUsers()
{
    QFETCH(int, capacity);
    QFETCH(QStringList, tickets);
    QFETCH(QStringList, expected);

    Scheduler scheduler(config(capacity, 1000, 32));
    Recorder rec(scheduler);
    for (const QString &spec : std::as_const(tickets))
        QCOMPARE(scheduler.submit(ticketFrom(spec)).admission, Admission::Accepted);
    QTRY_COMPARE(rec.dispatched.size(), expected.size());
    QCoreApplication::processEvents(); // a pump that would start more has had its chance
    QCOMPARE(rec.dispatched, expected);
    QCOMPARE(scheduler.runningCount(), int(expected.size()));
}

void TestScheduler::laneRunsOneAtATimeInOrder()
{
    Scheduler scheduler(config(3));
    Recorder rec(scheduler);
    for (int i = 0; i < 4; ++i)
        scheduler.submit(ticket(u"e%1"_s.arg(i), u"a"_s, u"repl-1"_s));
    QTRY_COMPARE(rec.dispatched.size(), 1);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(rec.dispatched.size(), i + 1);
        QCOMPARE(rec.dispatched.last(), u"e%1"_s.arg(i));
        QCOMPARE(scheduler.runningCount(), 1); // three workers, yet one at a time
        scheduler.finish(u"e%1"_s.arg(i));
        if (i < 3)
            QTRY_COMPARE(rec.dispatched.size(), i + 2);
    }
    QTRY_COMPARE(scheduler.runningCount(), 0);
    QCOMPARE(scheduler.queuedCount(), 0);
}

void TestScheduler::othersPassABlockedLane()
{
    Scheduler scheduler(config(2));
    Recorder rec(scheduler);
    scheduler.submit(ticket(u"l1"_s, u"a"_s, u"L"_s));
    scheduler.submit(ticket(u"l2"_s, u"a"_s, u"L"_s));
    scheduler.submit(ticket(u"l3"_s, u"b"_s, u"L"_s));
    scheduler.submit(ticket(u"free"_s, u"b"_s));
    QTRY_COMPARE(rec.dispatched, (QStringList{u"l1"_s, u"free"_s}));
    QCOMPARE(scheduler.queuedCount(), 2);
    // A worker frees up, but the lane is still busy: nothing may start.
    scheduler.finish(u"free"_s);
    scheduler.submit(ticket(u"probe"_s, u"c"_s));
    QTRY_COMPARE(rec.dispatched.size(), 3);
    QCOMPARE(rec.dispatched.last(), u"probe"_s);
    scheduler.finish(u"probe"_s);
    QCOMPARE(scheduler.runningCount(), 1);
    scheduler.finish(u"l1"_s);
    QTRY_COMPARE(rec.dispatched.size(), 4);
    QCOMPARE(rec.dispatched.last(), u"l2"_s);
}

void TestScheduler::laneKeepsFifoAcrossUsers()
{
    // b is ahead of a in the rotation once a has been served, yet a's older lane ticket goes
    // first: a lane is one REPL session, its evals run in the order they were typed.
    Scheduler scheduler(config(1));
    Recorder rec(scheduler);
    finishImmediately(scheduler);
    scheduler.submit(ticket(u"a1"_s, u"a"_s));
    scheduler.submit(ticket(u"a2"_s, u"a"_s, u"L"_s));
    scheduler.submit(ticket(u"b1"_s, u"b"_s, u"L"_s));
    scheduler.submit(ticket(u"b2"_s, u"b"_s));
    QTRY_COMPARE(rec.dispatched.size(), 4);
    QCOMPARE(rec.dispatched, (QStringList{u"a1"_s, u"b2"_s, u"a2"_s, u"b1"_s}));
}

void TestScheduler::ttlExpiresExactlyOnceAndNeverARunningTicket()
{
    Scheduler scheduler(config(1, 64, 64, 80));
    Recorder rec(scheduler);
    QElapsedTimer clock;
    clock.start();
    scheduler.submit(ticket(u"held"_s, u"a"_s)); // runs and is never finished
    scheduler.submit(ticket(u"waits"_s, u"b"_s));
    QTRY_COMPARE(rec.dispatched, QStringList{u"held"_s});
    QTRY_COMPARE(rec.expired, QStringList{u"waits"_s});
    QVERIFY2(clock.elapsed() >= 80, qPrintable(QString::number(clock.elapsed())));
    QCOMPARE(scheduler.queuedCount(), 0);
    QCOMPARE(scheduler.queuePosition(u"waits"_s), -1);
    QCOMPARE(scheduler.cancel(u"waits"_s), CancelResult::NotFound);

    // A second ticket expiring later proves time went on past the first deadline: by then
    // "waits" would have shown up twice, or "held" once, if either could happen.
    scheduler.submit(ticket(u"later"_s, u"c"_s));
    QTRY_COMPARE(rec.expired, (QStringList{u"waits"_s, u"later"_s}));
    QVERIFY(scheduler.isRunning(u"held"_s));
    QCOMPARE(rec.dispatched, QStringList{u"held"_s});
}

void TestScheduler::ttlFollowsTheOldestTicket()
{
    Scheduler scheduler(config(0, 64, 64, 120));
    Recorder rec(scheduler);
    QElapsedTimer clock;
    clock.start();
    scheduler.submit(ticket(u"first"_s, u"a"_s));
    scheduler.submit(ticket(u"second"_s, u"b"_s));
    scheduler.submit(ticket(u"third"_s, u"a"_s));
    // Cancelling the oldest re-arms the timer for the next one instead of firing for nothing.
    QCOMPARE(scheduler.cancel(u"first"_s), CancelResult::RemovedFromQueue);
    QTRY_COMPARE(rec.expired, (QStringList{u"second"_s, u"third"_s}));
    QVERIFY(clock.elapsed() >= 120);
    QVERIFY(rec.dispatched.isEmpty());
}

void TestScheduler::ttlChangeAppliesToWaitingTickets()
{
    Scheduler scheduler(config(0, 64, 64, 600000));
    Recorder rec(scheduler);
    scheduler.submit(ticket(u"r0"_s, u"a"_s));
    Config c = scheduler.config();
    c.queueTtlMs = 30;
    scheduler.setConfig(c);
    QTRY_COMPARE(rec.expired, QStringList{u"r0"_s});
}

void TestScheduler::cancel_data()
{
    QTest::addColumn<QString>("target");
    QTest::addColumn<CancelResult>("expected");
    QTest::addColumn<QStringList>("dispatchedInTheEnd");

    QTest::addRow("a queued ticket is removed and never runs")
        << u"queued"_s << CancelResult::RemovedFromQueue << QStringList{u"running"_s, u"next"_s};
    QTest::addRow("a running ticket is reported running and keeps its slot")
        << u"running"_s << CancelResult::Running
        << QStringList{u"running"_s, u"queued"_s, u"next"_s};
    QTest::addRow("an unknown request is not found")
        << u"nobody"_s << CancelResult::NotFound
        << QStringList{u"running"_s, u"queued"_s, u"next"_s};
}

void TestScheduler::cancel()
{
    QFETCH(QString, target);
    QFETCH(CancelResult, expected);
    QFETCH(QStringList, dispatchedInTheEnd);

    Scheduler scheduler(config(1));
    Recorder rec(scheduler);
    scheduler.submit(ticket(u"running"_s, u"a"_s));
    QTRY_COMPARE(rec.dispatched.size(), 1);
    scheduler.submit(ticket(u"queued"_s, u"b"_s));
    scheduler.submit(ticket(u"next"_s, u"c"_s));

    QCOMPARE(scheduler.cancel(target), expected);
    QCOMPARE(scheduler.runningCount(), 1); // cancel never frees a slot; finish() does
    QTRY_COMPARE(rec.dispatched.size(), 1);
    connect(&scheduler, &Scheduler::dispatch, &scheduler,
            [&scheduler](const Ticket &t) { scheduler.finish(t.request); });
    scheduler.finish(u"running"_s);
    QTRY_COMPARE(rec.dispatched.size(), dispatchedInTheEnd.size());
    QCOMPARE(rec.dispatched, dispatchedInTheEnd);
    QTRY_COMPARE(scheduler.runningCount(), 0);
    QCOMPARE(scheduler.cancel(u"running"_s), CancelResult::NotFound); // finished
    QVERIFY(rec.expired.isEmpty());
}

void TestScheduler::dropOwner()
{
    Scheduler scheduler(config(1, 64, 64));
    Recorder rec(scheduler);
    Ticket t0 = ticket(u"r0"_s, u"a"_s);
    scheduler.submit(t0);
    QTRY_COMPARE(rec.dispatched.size(), 1);
    scheduler.submit(ticket(u"r1"_s, u"a"_s));
    scheduler.submit(ticket(u"r2"_s, u"b"_s));
    scheduler.submit(ticket(u"r3"_s, u"a"_s));

    const Scheduler::Dropped dropped = scheduler.dropOwner(u"conn-a"_s);
    QCOMPARE(dropped.running.size(), 1);
    QCOMPARE(dropped.running.first().request, u"r0"_s);
    QStringList queued;
    for (const Ticket &t : dropped.queued)
        queued.append(t.request);
    QCOMPARE(queued, (QStringList{u"r1"_s, u"r3"_s}));
    QCOMPARE(scheduler.queuedCount(), 1);
    QCOMPARE(scheduler.runningCount(), 1); // r0 holds its slot until the caller has stopped it
    QCOMPARE(scheduler.dropOwner(u"conn-a"_s).queued.size(), 0);

    scheduler.finish(u"r0"_s);
    QTRY_COMPARE(rec.dispatched, (QStringList{u"r0"_s, u"r2"_s}));
    QCOMPARE(scheduler.queuedCount(), 0);
    // Dropped tickets no longer count toward the user's limit.
    QCOMPARE(scheduler.cancel(u"r1"_s), CancelResult::NotFound);
}

void TestScheduler::shutdown()
{
    Scheduler scheduler(config(1, 64, 64, 60));
    Recorder rec(scheduler);
    scheduler.submit(ticket(u"running"_s, u"a"_s));
    QTRY_COMPARE(rec.dispatched.size(), 1);
    scheduler.submit(ticket(u"q1"_s, u"b"_s));
    scheduler.submit(ticket(u"q2"_s, u"a"_s));

    const QList<Ticket> removed = scheduler.shutdown();
    QVERIFY(scheduler.isShuttingDown());
    QCOMPARE(removed.size(), 2);
    QCOMPARE(removed.at(0).request, u"q1"_s);
    QCOMPARE(removed.at(1).request, u"q2"_s);
    QCOMPARE(scheduler.queuedCount(), 0);
    QCOMPARE(scheduler.submit(ticket(u"new"_s, u"c"_s)).admission, Admission::ShuttingDown);

    // The running job ends normally; nothing removed ever starts or expires. A ticket in a
    // second scheduler with the same TTL marks that the deadline has passed.
    Scheduler witness(config(0, 64, 64, 60));
    QSignalSpy witnessExpired(&witness, &Scheduler::expired);
    witness.submit(ticket(u"w"_s, u"w"_s));
    scheduler.finish(u"running"_s);
    QTRY_COMPARE(witnessExpired.size(), 1);
    QCOMPARE(rec.dispatched, QStringList{u"running"_s});
    QVERIFY(rec.expired.isEmpty());
    QCOMPARE(scheduler.runningCount(), 0);
}

void TestScheduler::queuePosition_data()
{
    QTest::addColumn<QStringList>("tickets");
    QTest::addColumn<QList<int>>("positions");

    QTest::addRow("one user: positions follow submission")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"a3:a"_s} << QList<int>{0, 1, 2};
    QTest::addRow("a second user's first job comes second")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"a3:a"_s, u"b1:b"_s} << QList<int>{0, 2, 3, 1};
    QTest::addRow("three users go round")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"b1:b"_s, u"b2:b"_s, u"c1:c"_s}
        << QList<int>{0, 3, 1, 4, 2};
}

void TestScheduler::queuePosition()
{
    QFETCH(QStringList, tickets);
    QFETCH(QList<int>, positions);

    Scheduler scheduler(config(0)); // no workers yet: the queue stands still
    QStringList requests;
    for (const QString &spec : std::as_const(tickets)) {
        const Ticket t = ticketFrom(spec);
        requests.append(t.request);
        scheduler.submit(t);
    }
    QList<int> got;
    for (const QString &request : std::as_const(requests))
        got.append(scheduler.queuePosition(request));
    QCOMPARE(got, positions);
    QCOMPARE(scheduler.queuePosition(u"unknown"_s), -1);

    // The prediction is what then happens.
    Recorder rec(scheduler);
    finishImmediately(scheduler);
    Config c = scheduler.config();
    c.workers = 1;
    scheduler.setConfig(c);
    QTRY_COMPARE(rec.dispatched.size(), requests.size());
    for (qsizetype i = 0; i < requests.size(); ++i)
        QCOMPARE(rec.dispatched.indexOf(requests.at(i)), positions.at(i));
}

void TestScheduler::moreWorkersDispatchMore()
{
    Scheduler scheduler(config(1));
    Recorder rec(scheduler);
    for (int i = 0; i < 4; ++i)
        scheduler.submit(ticket(u"r%1"_s.arg(i), u"u%1"_s.arg(i)));
    QTRY_COMPARE(rec.dispatched.size(), 1);
    Config c = scheduler.config();
    c.workers = 3;
    scheduler.setConfig(c);
    QTRY_COMPARE(rec.dispatched.size(), 3);
    QCOMPARE(scheduler.runningCount(), 3);
    QCOMPARE(scheduler.queuedCount(), 1);
}

void TestScheduler::aJobWaitingForItsUserLendsItsSlot()
{
    Scheduler scheduler(config(1));
    Recorder rec(scheduler);
    scheduler.submit(ticket(u"thinking"_s, u"alice"_s));
    scheduler.submit(ticket(u"quick"_s, u"bob"_s));
    QTRY_COMPARE(rec.dispatched, QStringList{u"thinking"_s});
    QCoreApplication::processEvents(); // a pump that would start more has had its chance
    QCOMPARE(rec.dispatched.size(), 1); // one worker: bob waits

    scheduler.setWaitingForUser(u"thinking"_s, true); // alice is thinking about her answer
    QTRY_COMPARE(rec.dispatched, (QStringList{u"thinking"_s, u"quick"_s}));
    QCOMPARE(scheduler.runningCount(), 2);
    scheduler.setWaitingForUser(u"unknown"_s, true); // not running: ignored

    // Alice answers while bob's job runs: hers goes on (it cannot be paused), and nothing new
    // starts until the running jobs are back under one worker.
    scheduler.setWaitingForUser(u"thinking"_s, false);
    scheduler.submit(ticket(u"third"_s, u"carol"_s));
    scheduler.finish(u"quick"_s);
    QCoreApplication::processEvents(); // a pump that would start more has had its chance
    QCOMPARE(rec.dispatched.size(), 2);
    scheduler.finish(u"thinking"_s);
    QTRY_COMPARE(rec.dispatched.last(), u"third"_s);

    // A job that ends while it waits frees nothing twice.
    scheduler.setWaitingForUser(u"third"_s, true);
    scheduler.finish(u"third"_s);
    scheduler.submit(ticket(u"r1"_s, u"dan"_s));
    scheduler.submit(ticket(u"r2"_s, u"erin"_s));
    QTRY_COMPARE(rec.dispatched.size(), 4);
    QCoreApplication::processEvents(); // a pump that would start more has had its chance
    QCOMPARE(rec.dispatched.size(), 4); // still one at a time
    QCOMPARE(scheduler.runningCount(), 1);
}

void TestScheduler::reentrantCallsFromDispatch()
{
    Scheduler scheduler(config(2));
    Recorder rec(scheduler);
    QList<CancelResult> cancels;
    QList<Admission> admissions;
    QList<Ticket> shutdownRemoved;
    connect(&scheduler, &Scheduler::dispatch, &scheduler, [&](const Ticket &t) {
        if (t.request == u"r0"_s) {
            cancels.append(scheduler.cancel(u"r1"_s)); // still queued: the pump is mid-loop
            admissions.append(scheduler.submit(ticket(u"r3"_s, u"x"_s)).admission);
            scheduler.finish(u"r0"_s);
        } else if (t.request == u"r2"_s) {
            shutdownRemoved = scheduler.shutdown();
        }
    });
    scheduler.submit(ticket(u"r0"_s, u"a"_s));
    scheduler.submit(ticket(u"r1"_s, u"b"_s));
    scheduler.submit(ticket(u"r2"_s, u"c"_s));
    scheduler.submit(ticket(u"r4"_s, u"d"_s));
    QTRY_VERIFY(scheduler.isShuttingDown());
    QCOMPARE(cancels, QList<CancelResult>{CancelResult::RemovedFromQueue});
    QCOMPARE(admissions, QList<Admission>{Admission::Accepted});
    QCOMPARE(rec.dispatched, (QStringList{u"r0"_s, u"r2"_s}));
    QCOMPARE(shutdownRemoved.size(), 2); // r4 and r3
    QCOMPARE(scheduler.queuedCount(), 0);
    QCOMPARE(scheduler.runningCount(), 1);
}

void TestScheduler::aSlotMayDeleteTheScheduler()
{
    // The core may tear the scheduler down from a slot (shutdown on the last expiry): the
    // pump and the TTL loop must not touch it afterwards.
    QPointer<Scheduler> scheduler = new Scheduler(config(0, 64, 64, 20));
    int expiredSeen = 0;
    connect(scheduler, &Scheduler::expired, scheduler, [&](const Ticket &) {
        ++expiredSeen;
        delete scheduler.data();
    });
    scheduler->submit(ticket(u"r0"_s, u"a"_s));
    scheduler->submit(ticket(u"r1"_s, u"b"_s));
    QTRY_VERIFY(scheduler.isNull());
    QCOMPARE(expiredSeen, 1);
}

QTEST_GUILESS_MAIN(TestScheduler)

#include "tst_scheduler.moc"
