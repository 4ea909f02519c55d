#include "scheduler.h"
#include "schedulertestsupport.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QRandomGenerator>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <limits>
#include <random>

// The scheduler's rules all at once under load; tst_scheduler tests each rule on its own.

using namespace coderoom::scheduler;
using namespace coderoom::scheduler::testing;
using namespace Qt::StringLiterals;

class TestSchedulerBurst : public QObject
{
    Q_OBJECT

private slots:
    void burstOfThreeHundredEndsEveryTicketOnceAndFairly();
};

// 300 tickets from 30 users on 2 workers; a fake worker finishes each job after 1-5 ms (seeded).
// Tickets arrive in ten waves of 30 (seeded order). Along the way: random cancels, one
// connection drops, a TTL that some tickets outlive, and a shutdown near the end. Every ticket
// must end exactly once, lanes must stay serial, and the round robin must hold.
void TestSchedulerBurst::burstOfThreeHundredEndsEveryTicketOnceAndFairly()
{
    constexpr int kUsers = 30;
    constexpr int kPerUser = 10;
    constexpr int kTotal = kUsers * kPerUser;
    constexpr int kWaves = 10;
    constexpr int kWorkers = 2;
    constexpr int kLaneUsers = 3; // users u0..u2 send everything through one REPL lane each
    const quint32 seed = 20261125;
    QRandomGenerator rng(seed);

    Scheduler scheduler(config(kWorkers, kTotal, kPerUser, 200));
    enum Ending
    {
        Finished,
        Expired,
        Cancelled,
        Dropped,
        ShutDown,
        Refused,
        EndingCount
    };
    QHash<QString, int> endings; // request -> how many times it ended
    QList<int> byEnding(EndingCount, 0);
    QHash<QString, Ticket> tickets;
    QSet<QString> queued; // the test's own view of what is waiting
    QHash<QString, int> queuedPerUser;
    QHash<QString, qint64> dispatchedAt;
    QHash<QString, int> runningPerUser;
    QSet<QString> busyLanes;
    int running = 0;
    int maxRunning = 0;
    QString violation;
    // owed[u]: users who had work waiting when u was last served and have not been served
    // since, nor run out of waiting work. If u is served again while such a user still waits
    // with nothing running (and no lane to wait for), the round robin is broken.
    QHash<QString, QSet<QString>> owed;
    QHash<QString, QList<qint64>> waitsPerUser;
    bool shutDownDone = false;

    auto leaveQueue = [&](const QString &request) {
        if (!queued.remove(request))
            return;
        const QString user = tickets.value(request).user;
        if (--queuedPerUser[user] == 0) {
            for (auto &set : owed)
                set.remove(user);
        }
    };
    // Waiting in a real event loop, not QTRY: QTest::qWait() sleeps in 10 ms steps between
    // event batches, which would stall the fake workers and measure the test, not the queue.
    QEventLoop loop;
    auto totalEnded = [&] {
        int n = 0;
        for (int c : std::as_const(byEnding))
            n += c;
        return n;
    };
    auto end = [&](const QString &request, Ending how) {
        ++endings[request];
        ++byEnding[how];
        leaveQueue(request);
        if (totalEnded() == kTotal)
            loop.quit();
    };
    auto maybeShutdown = [&] {
        if (!shutDownDone && totalEnded() >= kTotal - 30) {
            shutDownDone = true;
            for (const Ticket &t : scheduler.shutdown())
                end(t.request, ShutDown);
        }
    };

    connect(&scheduler, &Scheduler::dispatch, &scheduler, [&](const Ticket &t) {
        if (!queued.contains(t.request))
            violation = u"dispatched a ticket that was not waiting: "_s + t.request;
        const qint64 now = Scheduler::nowMs();
        dispatchedAt.insert(t.request, now);
        waitsPerUser[t.user].append(now - t.enqueuedAtMs);
        maxRunning = std::max(maxRunning, ++running);
        if (!t.lane.isEmpty()) {
            if (busyLanes.contains(t.lane))
                violation = u"lane ran twice at once: "_s + t.lane;
            busyLanes.insert(t.lane);
        }
        for (const QString &v : owed.value(t.user)) {
            const bool laneUser = v.mid(1).toInt() < kLaneUsers;
            if (queuedPerUser.value(v) > 0 && runningPerUser.value(v) == 0 && !laneUser)
                violation = t.user + u" served twice while "_s + v + u" waited"_s;
        }
        ++runningPerUser[t.user];
        leaveQueue(t.request);
        QSet<QString> waiting;
        for (auto it = queuedPerUser.cbegin(); it != queuedPerUser.cend(); ++it) {
            if (it.value() > 0 && it.key() != t.user)
                waiting.insert(it.key());
        }
        owed[t.user] = waiting;
        for (auto it = owed.begin(); it != owed.end(); ++it) {
            if (it.key() != t.user)
                it->remove(t.user);
        }

        // Now and then cancel something still waiting (a student pressing stop early).
        if (rng.bounded(10) == 0 && !queued.isEmpty()) {
            const QList<QString> waitingList = queued.values();
            const QString victim = waitingList.at(int(rng.bounded(int(waitingList.size()))));
            if (scheduler.cancel(victim) != CancelResult::RemovedFromQueue)
                violation = u"cancel of a waiting ticket did not remove it: "_s + victim;
            end(victim, Cancelled);
        }
        // One connection drops midway: the one with the most work waiting.
        if (dispatchedAt.size() == 60) {
            QString busiest;
            for (auto it = queuedPerUser.cbegin(); it != queuedPerUser.cend(); ++it) {
                if (busiest.isEmpty() || it.value() > queuedPerUser.value(busiest) ||
                    (it.value() == queuedPerUser.value(busiest) && it.key() < busiest))
                    busiest = it.key();
            }
            const Scheduler::Dropped d = scheduler.dropOwner(u"conn-"_s + busiest);
            if (d.queued.isEmpty())
                violation = u"dropping "_s + busiest + u" removed nothing"_s;
            for (const Ticket &q : d.queued)
                end(q.request, Dropped);
        }
        auto *timer = new QTimer(&scheduler);
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, &scheduler, [&, t, timer] {
            timer->deleteLater();
            --running;
            --runningPerUser[t.user];
            busyLanes.remove(t.lane);
            scheduler.finish(t.request);
            end(t.request, Finished);
            maybeShutdown();
        });
        timer->start(1 + int(rng.bounded(5)));
    });
    connect(&scheduler, &Scheduler::expired, &scheduler, [&](const Ticket &t) {
        if (dispatchedAt.contains(t.request))
            violation = u"expired after dispatch: "_s + t.request;
        if (!queued.contains(t.request))
            violation = u"expired a ticket that was not waiting: "_s + t.request;
        end(t.request, Expired);
        maybeShutdown();
    });

    // Each user's tickets are numbered in submission order (FIFO per user is checked too).
    QList<QString> order;
    for (int u = 0; u < kUsers; ++u)
        for (int i = 0; i < kPerUser; ++i)
            order.append(u"u%1"_s.arg(u));
    std::shuffle(order.begin(), order.end(), std::mt19937(seed));
    QHash<QString, int> nextIndex;
    qsizetype submitted = 0;
    auto submitWave = [&] {
        for (int i = 0; i < kTotal / kWaves && submitted < order.size(); ++i) {
            const QString user = order.at(submitted++);
            const QString request = user + u'-' + QString::number(nextIndex[user]++);
            const QString lane = user.mid(1).toInt() < kLaneUsers ? u"repl-"_s + user : QString();
            const Ticket t = ticket(request, user, lane);
            tickets.insert(request, t);
            const Admission a = scheduler.submit(t).admission;
            if (a == Admission::Accepted) {
                queued.insert(request);
                ++queuedPerUser[user];
            } else {
                if (a != Admission::ShuttingDown)
                    violation = u"refused for no reason: "_s + request;
                end(request, Refused);
            }
        }
    };
    QElapsedTimer clock;
    clock.start();
    QTimer waves;
    waves.setInterval(25);
    connect(&waves, &QTimer::timeout, &scheduler, [&] {
        submitWave();
        if (submitted >= order.size())
            waves.stop();
    });
    submitWave();
    waves.start();

    QTimer::singleShot(15000, &loop, &QEventLoop::quit); // a bound, not a guess: fails below
    if (totalEnded() < kTotal)
        loop.exec();
    QCOMPARE(totalEnded(), kTotal);
    QCOMPARE(scheduler.runningCount(), 0);
    const qint64 elapsed = clock.elapsed();
    QVERIFY2(violation.isEmpty(), qPrintable(violation));
    QCOMPARE(endings.size(), kTotal);
    for (auto it = endings.cbegin(); it != endings.cend(); ++it)
        QVERIFY2(it.value() == 1, qPrintable(it.key()));
    QCOMPARE(byEnding[Finished], int(dispatchedAt.size()));
    QVERIFY(maxRunning <= kWorkers);
    QCOMPARE(scheduler.queuedCount(), 0);
    QVERIFY(byEnding[Finished] > 0);
    // FIFO per user: a user's dispatches come in the order of their ticket numbers.
    for (int u = 0; u < kUsers; ++u) {
        qint64 last = -1;
        int lastIndex = -1;
        for (int i = 0; i < kPerUser; ++i) {
            const QString request = u"u%1-%2"_s.arg(u).arg(i);
            if (!dispatchedAt.contains(request))
                continue;
            QVERIFY2(dispatchedAt.value(request) >= last, qPrintable(request));
            QVERIFY(i > lastIndex);
            last = dispatchedAt.value(request);
            lastIndex = i;
        }
    }

    QList<qint64> allWaits;
    qint64 worstUserMax = 0;
    qint64 bestUserMax = std::numeric_limits<qint64>::max();
    for (auto it = waitsPerUser.cbegin(); it != waitsPerUser.cend(); ++it) {
        allWaits.append(it.value());
        const qint64 userMax = *std::max_element(it.value().cbegin(), it.value().cend());
        worstUserMax = std::max(worstUserMax, userMax);
        bestUserMax = std::min(bestUserMax, userMax);
    }
    std::sort(allWaits.begin(), allWaits.end());
    qsizetype fewestRuns = kPerUser;
    qsizetype mostRuns = 0;
    for (const QList<qint64> &waits : std::as_const(waitsPerUser)) {
        fewestRuns = std::min(fewestRuns, waits.size());
        mostRuns = std::max(mostRuns, waits.size());
    }
    qInfo("burst: %d tickets, %d users, %d workers, seed %u, %lld ms", kTotal, kUsers, kWorkers,
          seed, elapsed);
    qInfo("endings: finished %d, expired %d, cancelled %d, dropped %d, shut down %d, "
          "refused %d",
          byEnding[Finished], byEnding[Expired], byEnding[Cancelled], byEnding[Dropped],
          byEnding[ShutDown], byEnding[Refused]);
    if (!allWaits.isEmpty()) {
        qInfo("wait before dispatch: median %lld ms, max %lld ms; per-user max wait from %lld "
              "to %lld ms; jobs run per user from %lld to %lld",
              allWaits.at(allWaits.size() / 2), allWaits.last(), bestUserMax, worstUserMax,
              qint64(fewestRuns), qint64(mostRuns));
    }
}

QTEST_GUILESS_MAIN(TestSchedulerBurst)

#include "tst_schedulerburst.moc"
