// Load through the real coderoomd: a burst of many users at once, sustained overload past the
// queue TTL, and hostile programs next to a well-behaved one. Real WebSocket, real sandbox,
// real python3. Figures are printed with qInfo for the project's notes.
#include "loadkit.h"
#include "serverfixture.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QMap>
#include <QSet>
#include <QTest>

#include <algorithm>
#include <memory>

using namespace coderoom::tests;

namespace {

QJsonObject runMessage(const QString &id, const QString &code)
{
    return {{"type", "run"},
            {"id", id},
            {"language", "python"},
            {"files", QJsonArray{QJsonObject{{"name", "main.py"}, {"content", code}}}}};
}

struct Crowd
{
    std::vector<std::unique_ptr<WsClient>> clients;
    std::vector<std::unique_ptr<FrameRecorder>> recorders;
};

// One connection per user, each said hello; every frame recorded on `clock`.
bool connectCrowd(Crowd &crowd, const ServerProcess &server, int users, const QString &prefix,
                  const QElapsedTimer &clock)
{
    for (int u = 0; u < users; ++u) {
        auto client = std::make_unique<WsClient>();
        if (!client->open(server.url()) ||
            !client->hello(server.token(),
                           QStringLiteral("%1%2").arg(prefix).arg(u, 2, 10, QLatin1Char('0'))))
            return false;
        crowd.recorders.push_back(std::make_unique<FrameRecorder>(&client->socket(), &clock));
        crowd.clients.push_back(std::move(client));
    }
    return true;
}

int resultCount(const Crowd &crowd)
{
    int n = 0;
    for (const auto &r : crowd.recorders)
        n += r->count(QStringLiteral("result"));
    return n;
}

// What one user saw of their own requests.
struct UserFigures
{
    int accepted = 0;
    // The most of the user's jobs queued or running at one moment, in the server's own order:
    // one connection delivers frames in the order they were sent, and the server sends a job's
    // result before it frees the job's place, so +1 at `accepted`, -1 at its `result`.
    int mostAtOnce = 0;
    QMap<QString, int> statuses;
    qint64 firstStartMs = -1;   // clock time of the user's first `started`
    QList<qint64> startTimes;   // all `started` times, in order
    QList<qint64> refusedAfter; // overloaded: ms between sending and the result
};

// Checks the per-request contract for one user and returns their figures: every id sent got
// exactly one result, ids nobody sent got none, an overloaded request was never accepted.
UserFigures tally(const FrameRecorder &recorder, const QStringList &ids, qint64 sentAtMs,
                  const QSet<QString> &allowed, QStringList &problems)
{
    UserFigures f;
    QHash<QString, QString> requestToId;
    QHash<QString, int> results;
    int atOnce = 0;
    for (const FrameRecorder::Frame &frame : recorder.frames()) {
        const QJsonObject &m = frame.message;
        const QString type = m.value("type").toString();
        if (type == "accepted") {
            requestToId.insert(m.value("request").toString(), m.value("id").toString());
            ++f.accepted;
            f.mostAtOnce = std::max(f.mostAtOnce, ++atOnce);
        } else if (type == "started") {
            if (!requestToId.contains(m.value("request").toString()))
                problems << QStringLiteral("started before accepted: %1")
                                .arg(m.value("request").toString());
            f.startTimes << frame.atMs;
            if (f.firstStartMs < 0)
                f.firstStartMs = frame.atMs;
        } else if (type == "result") {
            const QString id = m.value("id").toString();
            const QString status = m.value("status").toString();
            ++results[id];
            ++f.statuses[status];
            if (!allowed.contains(status))
                problems << QStringLiteral("%1: status %2 (%3)")
                                .arg(id, status, m.value("message").toString());
            const bool wasAccepted = std::any_of(requestToId.cbegin(), requestToId.cend(),
                                                 [&id](const QString &v) { return v == id; });
            if (wasAccepted)
                --atOnce;
            if (status == "overloaded") {
                if (wasAccepted)
                    problems << QStringLiteral("%1: overloaded after being accepted").arg(id);
                f.refusedAfter << frame.atMs - sentAtMs;
            } else if (!wasAccepted) {
                problems << QStringLiteral("%1: %2 without accepted").arg(id, status);
            }
        } else if (type == "error") {
            problems << QStringLiteral("error frame: %1").arg(m.value("message").toString());
        }
    }
    for (const QString &id : ids) {
        if (results.value(id) != 1)
            problems << QStringLiteral("%1: %2 results").arg(id).arg(results.value(id));
    }
    for (auto it = results.cbegin(); it != results.cend(); ++it) {
        if (!ids.contains(it.key()))
            problems << QStringLiteral("result for an id never sent: %1").arg(it.key());
    }
    return f;
}

} // namespace

class TestLoad : public QObject
{
    Q_OBJECT
private slots:
    void burstOfThirtyUsersIsFairAndComplete();
    void overloadPastTheTtlLosesNothingAndStaysHealthy();
    void hostileProgramsDoNotStopAClassmatesPrint();
};

void TestLoad::burstOfThirtyUsersIsFairAndComplete()
{
    constexpr int kUsers = 30;
    constexpr int kJobs = 10;
    constexpr int kWorkers = 2;
    constexpr int kPerUser = 8;
    ServerProcess server;
    QVERIFY(
        server.start({"--workers", QString::number(kWorkers), "--max-queue", "64", "--max-per-user",
                      QString::number(kPerUser), "--queue-ttl-ms", "10000", "--warm-pool", "0"}));
    QElapsedTimer clock;
    clock.start();
    Crowd crowd;
    QVERIFY(connectCrowd(crowd, server, kUsers, "burst", clock));

    // All 300 at once, interleaved across users (job 0 of every user, then job 1, ...), each
    // frame pushed to the kernel at once so the server sees the users side by side.
    QList<QStringList> ids(kUsers);
    const qint64 sentAt = clock.elapsed();
    for (int j = 0; j < kJobs; ++j) {
        for (int u = 0; u < kUsers; ++u) {
            const QString id = QStringLiteral("u%1-j%2").arg(u).arg(j);
            ids[u] << id;
            crowd.clients[size_t(u)]->send(
                runMessage(id, QStringLiteral("print('user %1 job %2')").arg(u).arg(j)));
            crowd.clients[size_t(u)]->socket().flush();
        }
    }
    const qint64 sendMs = clock.elapsed() - sentAt;
    QTRY_VERIFY_WITH_TIMEOUT(resultCount(crowd) >= kUsers * kJobs, 100000);
    const qint64 drainedMs = clock.elapsed() - sentAt;

    const QSet<QString> allowed{"ok", "queue_timeout", "overloaded"};
    QStringList problems;
    QList<UserFigures> users;
    QMap<QString, int> distribution;
    for (int u = 0; u < kUsers; ++u) {
        users << tally(*crowd.recorders[size_t(u)], ids[u], sentAt, allowed, problems);
        for (auto it = users.last().statuses.cbegin(); it != users.last().statuses.cend(); ++it)
            distribution[it.key()] += it.value();
    }
    qInfo("burst: %d users x %d jobs sent in %lld ms, all results in %lld ms", kUsers, kJobs,
          sendMs, drainedMs);
    for (auto it = distribution.cbegin(); it != distribution.cend(); ++it)
        qInfo("burst: %-14s %d", qPrintable(it.key()), it.value());
    int minOk = kJobs;
    int maxOk = 0;
    qint64 worstRefusalMs = 0;
    qint64 firstFirstStart = std::numeric_limits<qint64>::max();
    qint64 lastFirstStart = 0;
    for (int u = 0; u < kUsers; ++u) {
        const UserFigures &f = users[u];
        const int ok = f.statuses.value("ok");
        minOk = std::min(minOk, ok);
        maxOk = std::max(maxOk, ok);
        for (qint64 ms : f.refusedAfter)
            worstRefusalMs = std::max(worstRefusalMs, ms);
        if (f.firstStartMs >= 0) {
            firstFirstStart = std::min(firstFirstStart, f.firstStartMs - sentAt);
            lastFirstStart = std::max(lastFirstStart, f.firstStartMs - sentAt);
        }
        qInfo("burst: user %2d accepted %d (%d at once) ok %d queue_timeout %d overloaded %d "
              "first start %lld ms",
              u, f.accepted, f.mostAtOnce, ok, f.statuses.value("queue_timeout"),
              f.statuses.value("overloaded"), f.firstStartMs < 0 ? -1 : f.firstStartMs - sentAt);
    }
    qInfo("burst: ok per user %d..%d; first jobs started %lld..%lld ms after the burst; "
          "slowest refusal %lld ms",
          minOk, maxOk, firstFirstStart, lastFirstStart, worstRefusalMs);
    QVERIFY2(problems.isEmpty(), qPrintable(problems.mid(0, 20).join('\n')));

    // The per-user cap is on jobs queued or running at once (not on jobs accepted in all: a
    // first job may end before the ninth is read, and then the ninth is rightly accepted).
    for (const UserFigures &f : users) {
        QVERIFY2(f.mostAtOnce <= kPerUser, qPrintable(QString::number(f.mostAtOnce)));
        QVERIFY(f.accepted == 0 || f.mostAtOnce > 0);
    }
    // Overloaded is said at once (at the door), not after a wait in the queue.
    QVERIFY2(worstRefusalMs < 3000, qPrintable(QString::number(worstRefusalMs)));
    QVERIFY(distribution.value("ok") > 0);
    QVERIFY(distribution.value("overloaded") > 0);

    // Round robin with "fewest running first": a user's (k+2)-th job never starts before every
    // user who had k+1 jobs admitted got their (k+1)-th started... checked for k = 0: nobody's
    // third job starts before every admitted user's first (2, not 1: before the others' frames
    // are read, the first user can hold both workers).
    qint64 firstThirdStart = std::numeric_limits<qint64>::max();
    for (const UserFigures &f : users) {
        if (f.startTimes.size() >= 3)
            firstThirdStart = std::min(firstThirdStart, f.startTimes[2]);
    }
    for (int u = 0; u < kUsers; ++u) {
        const UserFigures &f = users[u];
        if (f.accepted == 0 || f.startTimes.isEmpty())
            continue;
        QVERIFY2(f.firstStartMs <= firstThirdStart,
                 qPrintable(QStringLiteral("user %1's first job started at %2 ms, after another "
                                           "user's third (%3 ms)")
                                .arg(u)
                                .arg(f.firstStartMs - sentAt)
                                .arg(firstThirdStart - sentAt)));
    }
    // Fairness of the outcome: among users who got work admitted, ok counts differ by at most
    // the admitted spread plus 2 (round robin serves one job per user per turn; TTL expiry
    // can cut the last turn between two users).
    int minAccepted = kJobs;
    int maxAccepted = 0;
    int minOkAdmitted = kJobs;
    int maxOkAdmitted = 0;
    for (const UserFigures &f : users) {
        if (f.accepted == 0)
            continue;
        minAccepted = std::min(minAccepted, f.accepted);
        maxAccepted = std::max(maxAccepted, f.accepted);
        minOkAdmitted = std::min(minOkAdmitted, f.statuses.value("ok"));
        maxOkAdmitted = std::max(maxOkAdmitted, f.statuses.value("ok"));
    }
    qInfo("burst: admitted per user %d..%d, ok per admitted user %d..%d", minAccepted, maxAccepted,
          minOkAdmitted, maxOkAdmitted);
    QVERIFY2(
        maxOkAdmitted - minOkAdmitted <= (maxAccepted - minAccepted) + 2,
        qPrintable(QStringLiteral("ok per user %1..%2").arg(minOkAdmitted).arg(maxOkAdmitted)));

    server.terminate();
    QVERIFY(server.waitForExit(20000));
}

void TestLoad::overloadPastTheTtlLosesNothingAndStaysHealthy()
{
    // Two workers, 0.2 s programs, a 2 s TTL: about 10 to 20 jobs fit in a TTL on a quiet
    // machine; 96 are sent per wave, two waves.
    constexpr int kUsers = 12;
    constexpr int kJobs = 8;
    ServerProcess server;
    QVERIFY(server.start({"--workers", "2", "--max-queue", "64", "--max-per-user", "8",
                          "--queue-ttl-ms", "2000", "--warm-pool", "0"}));
    QElapsedTimer clock;
    clock.start();
    Crowd crowd;
    QVERIFY(connectCrowd(crowd, server, kUsers, "over", clock));
    // Warm up once so the baseline RSS includes what any first run allocates.
    QCOMPARE(crowd.clients[0]->runToResult("print(1)").value("status").toString(), QString("ok"));
    const qint64 rssBefore = rssKb(server.pid());
    QVERIFY(rssBefore > 0);

    HealthProbe health(server.port(), 100, 1000);
    health.start();
    const QSet<QString> allowed{"ok", "queue_timeout", "overloaded"};
    QMap<QString, int> distribution;
    QList<qint64> rssAfterWave;
    for (int wave = 0; wave < 2; ++wave) {
        const int before = resultCount(crowd);
        QList<QStringList> ids(kUsers);
        const qint64 sentAt = clock.elapsed();
        for (int j = 0; j < kJobs; ++j) {
            for (int u = 0; u < kUsers; ++u) {
                const QString id = QStringLiteral("w%1-u%2-j%3").arg(wave).arg(u).arg(j);
                ids[u] << id;
                crowd.clients[size_t(u)]->send(runMessage(
                    id, QStringLiteral("import time\ntime.sleep(0.2)\nprint(%1)").arg(j)));
                crowd.clients[size_t(u)]->socket().flush();
            }
        }
        QTRY_VERIFY_WITH_TIMEOUT(resultCount(crowd) >= before + kUsers * kJobs, 60000);
        qInfo("overload: wave %d drained in %lld ms", wave, clock.elapsed() - sentAt);
        rssAfterWave << rssKb(server.pid());
        QStringList problems;
        for (int u = 0; u < kUsers; ++u) {
            // Only this wave's ids: the recorder also holds earlier frames, whose ids tally()
            // reports as "never sent" — filter them out of the problems by prefix.
            const UserFigures f =
                tally(*crowd.recorders[size_t(u)], ids[u], sentAt, allowed, problems);
            Q_UNUSED(f);
        }
        problems.erase(std::remove_if(problems.begin(), problems.end(),
                                      [wave](const QString &p) {
                                          return !p.contains(QStringLiteral("w%1-").arg(wave));
                                      }),
                       problems.end());
        QVERIFY2(problems.isEmpty(), qPrintable(problems.mid(0, 20).join('\n')));
    }
    health.stop();
    for (int u = 0; u < kUsers; ++u) {
        for (const FrameRecorder::Frame &f : crowd.recorders[size_t(u)]->frames()) {
            if (f.message.value("type") == "result" &&
                f.message.value("id").toString().startsWith('w'))
                ++distribution[f.message.value("status").toString()];
        }
    }
    for (auto it = distribution.cbegin(); it != distribution.cend(); ++it)
        qInfo("overload: %-14s %d", qPrintable(it.key()), it.value());
    qInfo("overload: RSS before %lld KiB, after wave 1 %lld KiB, after wave 2 %lld KiB", rssBefore,
          rssAfterWave.value(0), rssAfterWave.value(1));
    qInfo("overload: /health answered %d, failed %d, worst %lld ms", health.answered(),
          health.failed(), health.worstMs());

    // More than the server could run within the TTL really was refused or expired.
    QVERIFY(distribution.value("queue_timeout") + distribution.value("overloaded") > 0);
    QVERIFY(distribution.value("ok") > 0);
    // Bounded memory: generous against the baseline, and a second wave costs no more.
    QVERIFY2(rssAfterWave.value(1) < rssBefore + 64 * 1024,
             qPrintable(QString::number(rssAfterWave.value(1))));
    QVERIFY2(rssAfterWave.value(1) < rssAfterWave.value(0) + 16 * 1024,
             qPrintable(QString::number(rssAfterWave.value(1))));
    // /health answered throughout, every probe within 1 s.
    QVERIFY(health.answered() >= 10);
    QCOMPARE(health.failed(), 0);
    QVERIFY2(health.worstMs() < 1000, qPrintable(QString::number(health.worstMs())));

    server.terminate();
    QVERIFY(server.waitForExit(20000));
}

void TestLoad::hostileProgramsDoNotStopAClassmatesPrint()
{
    ServerProcess server;
    QVERIFY(server.start({"--workers", "4", "--run-time-ms", "8000", "--warm-pool", "0"}));
    struct Hostile
    {
        const char *user;
        const char *code;
        QStringList statuses; // what the sandbox may end it with
    };
    const QList<Hostile> hostile{
        {"forker",
         "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n",
         {"timeout", "error", "memory_limit"}},
        {"hog",
         "blocks = []\nwhile True:\n    blocks.append(bytearray(16 * 1024 * 1024))\n",
         {"memory_limit", "error"}},
        {"flooder", "while True:\n    print('x' * 4096)\n", {"output_limit"}},
    };
    std::vector<std::unique_ptr<WsClient>> clients;
    QStringList requests;
    for (const Hostile &h : hostile) {
        auto client = std::make_unique<WsClient>();
        QVERIFY(client->open(server.url()));
        QVERIFY(client->hello(server.token(), QString::fromLatin1(h.user)));
        const QString request = client->run(QString::fromLatin1(h.code));
        QVERIFY2(!request.isEmpty(), h.user);
        requests << request;
        clients.push_back(std::move(client));
    }
    for (size_t i = 0; i < clients.size(); ++i)
        QVERIFY(!clients[i]->waitFor("started", requests[int(i)], 20000).isEmpty());

    WsClient classmate;
    QVERIFY(classmate.open(server.url()));
    QVERIFY(classmate.hello(server.token(), "classmate"));
    QElapsedTimer clock;
    clock.start();
    const QJsonObject result = classmate.runToResult("print(1)", {}, 20000);
    const qint64 tookMs = clock.elapsed();
    qInfo("hostile: print(1) next to a fork bomb, a memory bomb and a flood took %lld ms", tookMs);
    QCOMPARE(result.value("status").toString(), QString("ok"));
    QVERIFY2(tookMs < 5000, qPrintable(QString::number(tookMs)));

    for (size_t i = 0; i < clients.size(); ++i) {
        const QJsonObject r = clients[i]->waitFor("result", requests[int(i)], 30000);
        qInfo("hostile: %s ended %s (%s)", hostile[int(i)].user,
              qPrintable(r.value("status").toString()), qPrintable(r.value("message").toString()));
        QVERIFY2(hostile[int(i)].statuses.contains(r.value("status").toString()),
                 qPrintable(r.value("status").toString()));
    }
    // And the server is still there for the next student.
    QCOMPARE(classmate.runToResult("print(2)").value("status").toString(), QString("ok"));
    server.terminate();
    QVERIFY(server.waitForExit(20000));
}

QTEST_GUILESS_MAIN(TestLoad)
#include "tst_load.moc"
