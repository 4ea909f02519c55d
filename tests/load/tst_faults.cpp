// Faults through the real coderoomd: interpreters killed at random moments, the server killed
// under load and restarted on its data dir, the disk under the database full, and a client
// that stops reading while its program floods output. Each test states its invariant.
#include "loadkit.h"
#include "serverfixture.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QProcess>
#include <QRandomGenerator>
#include <QTest>
#include <QTimer>

#include <csignal>
#include <memory>
#include <unistd.h>

using namespace coderoom::tests;

namespace {

// A session driven cell after cell from the event loop: `n = 0` (plus a marker that renames the
// interpreter so the test can find it), then `count` increments, each sent when the previous
// one's result arrived. Every increment carries its number in a comment, so the history can be
// matched to what the client was told.
class Counter final : public QObject
{
    Q_OBJECT
public:
    Counter(WsClient *client, QString session, int count, const QString &marker)
        : m_client(client)
        , m_session(std::move(session))
        , m_count(count)
    {
        connect(&client->socket(), &QWebSocket::textMessageReceived, this,
                [this](const QString &) { onFrames(); });
        QString first = QStringLiteral("n = 0");
        if (!marker.isEmpty())
            first += QStringLiteral("\nopen('/proc/self/comm', 'w').write('%1')").arg(marker);
        send(first);
    }

    bool done() const { return m_sent == m_count + 1 && m_pending.isEmpty(); }
    bool setupOk() const { return m_setupStatus == QLatin1String("ok"); }
    QString session() const { return m_session; }
    const QHash<QString, QString> &statuses() const { return m_statuses; } // code -> status
    int okIncrements() const
    {
        int n = 0;
        for (auto it = m_statuses.cbegin(); it != m_statuses.cend(); ++it)
            n += it.value() == QLatin1String("ok") ? 1 : 0;
        return n;
    }
    QStringList problems() const { return m_problems; }
    void halt() { m_halted = true; }

private:
    void send(const QString &code)
    {
        m_pending = QStringLiteral("%1-%2").arg(m_session.left(8)).arg(m_sent++);
        m_pendingCode = code;
        m_client->send(
            {{"type", "eval"}, {"id", m_pending}, {"session", m_session}, {"code", code}});
    }
    void onFrames()
    {
        const QList<QJsonObject> all = m_client->received();
        for (; m_seen < all.size(); ++m_seen) {
            const QJsonObject &m = all[m_seen];
            if (m.value("id").toString() != m_pending || m_pending.isEmpty())
                continue;
            const QString type = m.value("type").toString();
            if (type == "accepted")
                continue;
            if (type != "result") {
                m_problems << QStringLiteral("%1: %2 %3")
                                  .arg(m_pending, type, m.value("message").toString());
                m_pending.clear();
                continue;
            }
            const QString status = m.value("status").toString();
            if (m_sent == 1) {
                m_setupStatus = status;
            } else {
                if (status != "ok" &&
                    !(status == "error" && m.value("message").toString().contains("crash")))
                    m_problems << QStringLiteral("%1: %2 %3")
                                      .arg(m_pending, status, m.value("message").toString());
                m_statuses.insert(m_pendingCode, status);
            }
            m_pending.clear();
            if (!m_halted && m_sent <= m_count)
                send(QStringLiteral("n += 1  # %1").arg(m_sent - 1));
        }
    }

    WsClient *m_client;
    QString m_session;
    int m_count;
    int m_sent = 0;
    qsizetype m_seen = 0;
    bool m_halted = false;
    QString m_pending;
    QString m_pendingCode;
    QString m_setupStatus;
    QHash<QString, QString> m_statuses;
    QStringList m_problems;
};

QString openPython(WsClient &client)
{
    const QJsonObject opened = client.openSession({{"language", "python"}}, 60000);
    return opened.value("type").toString() == "session.opened" ? opened.value("session").toString()
                                                               : QString();
}

QJsonArray historyOf(WsClient &client, const QString &session)
{
    client.send({{"type", "history"}, {"id", QString("h-" + session)}, {"session", session}});
    return client.waitFor("history", {}, 15000).value("entries").toArray();
}

// A tmpfs mounted for the length of a test (needs root), unmounted lazily on the way out.
class TmpfsMount
{
public:
    explicit TmpfsMount(const QString &sizeOption)
    {
        m_ok = QProcess::execute("mount", {"-t", "tmpfs", "-o", QString("size=" + sizeOption),
                                           "tmpfs", m_dir.path()}) == 0;
    }
    ~TmpfsMount()
    {
        if (m_ok)
            QProcess::execute("umount", {"-l", m_dir.path()});
    }
    bool ok() const { return m_ok; }
    QString path() const { return m_dir.path(); }

private:
    QTemporaryDir m_dir;
    bool m_ok = false;
};

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT
private slots:
    void interpretersKilledAtRandomKeepEveryAcknowledgedCell();
    void aKillDuringReplayKeepsTheAcknowledgedCells();
    void serverKilledUnderLoadLosesNoAcknowledgedCell();
    void aFullDiskFailsEvalsClearlyAndRunsGoOn();
    void aClientThatStopsReadingCostsBoundedMemory();
};

void TestFaults::interpretersKilledAtRandomKeepEveryAcknowledgedCell()
{
    // Invariant: for each session, the final n equals the number of increments whose result
    // was ok. An increment in flight when its interpreter is killed gets exactly one result,
    // error ("crashed"), and is not replayed (even if Python had already added 1 before the
    // kill, that interpreter is gone and the rebuilt one never ran it). The history says ok for
    // exactly the increments the client was told ok.
    constexpr int kSessions = 6;
    constexpr int kIncrements = 60;
    constexpr int kMaxKills = 12;
    ServerProcess server;
    QVERIFY(server.start({"--workers", "3", "--warm-pool", "2", "--max-interpreters", "16"}));
    const quint32 seed = QRandomGenerator::global()->generate();
    qInfo("crash: seed %u", seed);
    QRandomGenerator random(seed);
    const QByteArray base = "lf" + QByteArray::number(QCoreApplication::applicationPid() % 10000);

    std::vector<std::unique_ptr<WsClient>> clients;
    std::vector<std::unique_ptr<Counter>> counters;
    for (int i = 0; i < kSessions; ++i) {
        auto client = std::make_unique<WsClient>();
        QVERIFY(client->open(server.url()));
        QVERIFY(client->hello(server.token(), QStringLiteral("crash%1").arg(i)));
        const QString session = openPython(*client);
        QVERIFY(!session.isEmpty());
        counters.push_back(
            std::make_unique<Counter>(client.get(), session, kIncrements,
                                      QString::fromLatin1(base + 's' + QByteArray::number(i))));
        clients.push_back(std::move(client));
    }
    int kills = 0;
    QList<int> killedSessions;
    QList<qint64> killedPids;
    QTimer killer;
    killer.setSingleShot(true);
    connect(&killer, &QTimer::timeout, this, [&] {
        const int i = int(random.bounded(kSessions));
        const QList<qint64> pids = processesNamed(base + 's' + QByteArray::number(i));
        for (qint64 pid : pids)
            ::kill(pid_t(pid), SIGKILL);
        killedPids << pids;
        if (!pids.isEmpty()) {
            ++kills;
            killedSessions << i;
        }
        if (kills < kMaxKills)
            killer.start(int(random.bounded(20, 150)));
    });
    killer.start(int(random.bounded(20, 150)));
    const auto allDone = [&counters] {
        return std::all_of(counters.cbegin(), counters.cend(),
                           [](const auto &c) { return c->done(); });
    };
    QTRY_VERIFY_WITH_TIMEOUT(allDone(), 100000);
    killer.stop();
    qInfo("crash: %d kills (sessions %s)", kills, qPrintable([&killedSessions] {
              QStringList s;
              for (int i : killedSessions)
                  s << QString::number(i);
              return s.join(',');
          }()));
    QVERIFY2(kills >= 3, "the killer found too few interpreters to test anything");
    // The read-back below must not race the last kill: a cell written while a killed process
    // still exits may land in its pipe and be told "crashed", rightly. Wait until all are gone.
    const auto killedGone = [&killedPids] {
        return std::none_of(killedPids.cbegin(), killedPids.cend(), [](qint64 pid) {
            return QFileInfo::exists(QStringLiteral("/proc/%1").arg(pid));
        });
    };
    QTRY_VERIFY_WITH_TIMEOUT(killedGone(), 10000);

    for (int i = 0; i < kSessions; ++i) {
        Counter &c = *counters[size_t(i)];
        WsClient &client = *clients[size_t(i)];
        QVERIFY2(c.setupOk(), qPrintable(c.session()));
        QVERIFY2(c.problems().isEmpty(), qPrintable(c.problems().join('\n')));
        QCOMPARE(c.statuses().size(), kIncrements);
        const QJsonObject n = client.evalToResult(c.session(), "n", 60000);
        int diverged = 0;
        int crashEvents = 0;
        for (const QJsonObject &m : client.received()) {
            if (m.value("type") == "session.restored") {
                crashEvents += m.value("reason") == "crash" ? 1 : 0;
                diverged += m.contains("diverged_at") ? 1 : 0;
            }
        }
        qInfo("crash: session %d: %d of %d increments ok, n = %s, %d restores, %d diverged", i,
              c.okIncrements(), kIncrements, qPrintable(n.value("value").toString()), crashEvents,
              diverged);
        // Known bug (docs/faults.md, F1): a kill that lands while the interpreter is replaying
        // is blamed on the cell being replayed, and the cells from there on are dropped
        // (the server says so with diverged_at). Only then is the loss expected.
        const bool consistent = n.value("status").toString() == "ok" &&
                                n.value("value").toString() == QString::number(c.okIncrements());
        // A divergence is announced (diverged_at) and lasts until the next rebuild, which
        // replays the full history again: so a diverged session may or may not be short now.
        // When it is, that is F1, staged deterministically in the next test; otherwise the
        // invariant must hold.
        if (diverged > 0 && !consistent) {
            qInfo("crash: session %d shows F1 (n short after an announced divergence)", i);
        } else {
            QVERIFY2(consistent,
                     qPrintable(QStringLiteral("n = %1 (%2), %3 increments told ok")
                                    .arg(n.value("value").toString(), n.value("message").toString())
                                    .arg(c.okIncrements())));
        }
        if (killedSessions.contains(i))
            QVERIFY2(crashEvents >= 1, "a killed interpreter was rebuilt without a word");
        // The history agrees with what the client was told, cell by cell.
        const QJsonArray entries = historyOf(client, c.session());
        int matched = 0;
        for (const QJsonValue &v : entries) {
            const QJsonObject e = v.toObject();
            const QString code = e.value("code").toString();
            if (!c.statuses().contains(code))
                continue;
            ++matched;
            const bool toldOk = c.statuses().value(code) == "ok";
            QVERIFY2(toldOk == (e.value("status").toString() == "ok"),
                     qPrintable(code + ": told " + c.statuses().value(code) + ", history says " +
                                e.value("status").toString()));
        }
        QCOMPARE(matched, kIncrements);
    }
    server.terminate();
    QVERIFY(server.waitForExit(20000));
}

void TestFaults::aKillDuringReplayKeepsTheAcknowledgedCells()
{
    // Invariant: a replay that is itself killed from outside (a second crash, the OOM killer,
    // an operator) still ends with every acknowledged cell in the rebuilt state. Staged
    // deterministically: ten slow cells, the interpreter killed, and its replacement killed
    // again as soon as it has replayed the first cell (the one that renames it).
    ServerProcess server;
    QVERIFY(server.start({"--warm-pool", "1"}));
    WsClient client;
    QVERIFY(client.open(server.url()));
    QVERIFY(client.hello(server.token(), "replaykill"));
    const QString session = openPython(client);
    QVERIFY(!session.isEmpty());
    const QByteArray tag = "lfr" + QByteArray::number(QCoreApplication::applicationPid() % 10000);
    QCOMPARE(client
                 .evalToResult(session, QStringLiteral("n = 0\nopen('/proc/self/comm', "
                                                       "'w').write('%1')")
                                            .arg(QString::fromLatin1(tag)))
                 .value("status")
                 .toString(),
             QString("ok"));
    for (int i = 0; i < 10; ++i) {
        QCOMPARE(client
                     .evalToResult(session, QStringLiteral("import time\ntime.sleep(0.2)\n"
                                                           "n += 1  # %1")
                                                .arg(i))
                     .value("status")
                     .toString(),
                 QString("ok"));
    }
    const QList<qint64> first = processesNamed(tag);
    QCOMPARE(first.size(), 1);
    ::kill(pid_t(first.first()), SIGKILL);
    // The replacement renames itself when it replays the first cell; nine slow cells follow.
    QList<qint64> second;
    QTRY_VERIFY_WITH_TIMEOUT(
        !(second = processesNamed(tag)).isEmpty() && second.first() != first.first(), 30000);
    ::kill(pid_t(second.first()), SIGKILL);
    const QJsonObject restored = client.waitFor("session.restored", {}, 60000);
    qInfo("replay kill: session.restored reason %s replayed %d diverged_at %s: %s",
          qPrintable(restored.value("reason").toString()), restored.value("replayed").toInt(),
          qPrintable(restored.value("diverged_at").toVariant().toString()),
          qPrintable(restored.value("message").toString()));
    const QJsonObject n = client.evalToResult(session, "n", 60000);
    qInfo("replay kill: n = %s (%s) after 10 acknowledged increments",
          qPrintable(n.value("value").toString()), qPrintable(n.value("message").toString()));
    QCOMPARE(n.value("value").toString(), QString("10"));
    server.terminate();
    QVERIFY(server.waitForExit(20000));
}

void TestFaults::serverKilledUnderLoadLosesNoAcknowledgedCell()
{
    // Invariant: every increment whose ok result reached the client is in the history with
    // status ok after a kill -9 and a restart on the same data dir, and each session resumes
    // with n equal to the number of ok increments in its history (an increment that finished
    // but whose result was still on the wire may be there too: stored first, then told).
    constexpr int kSessions = 4;
    QTemporaryDir dataDir;
    QList<QString> sessions;
    QList<QHash<QString, QString>> told;
    {
        ServerProcess first(dataDir.path());
        QVERIFY(first.start({"--workers", "3", "--warm-pool", "2"}));
        std::vector<std::unique_ptr<WsClient>> clients;
        std::vector<std::unique_ptr<Counter>> counters;
        for (int i = 0; i < kSessions; ++i) {
            auto client = std::make_unique<WsClient>();
            QVERIFY(client->open(first.url()));
            QVERIFY(client->hello(first.token(), QStringLiteral("restart%1").arg(i)));
            const QString session = openPython(*client);
            QVERIFY(!session.isEmpty());
            sessions << session;
            counters.push_back(std::make_unique<Counter>(client.get(), session, 400, QString()));
            clients.push_back(std::move(client));
        }
        // Load beside the sessions: a user running short programs back to back.
        WsClient runner;
        QVERIFY(runner.open(first.url()));
        QVERIFY(runner.hello(first.token(), "runner"));
        for (int j = 0; j < 4; ++j)
            runner.send(
                {{"type", "run"},
                 {"id", QStringLiteral("r%1").arg(j)},
                 {"language", "python"},
                 {"files", QJsonArray{QJsonObject{{"name", "main.py"},
                                                  {"content", "import time\ntime.sleep(0.3)"}}}}});
        const auto acknowledged = [&counters] {
            int n = 0;
            for (const auto &c : counters)
                n += c->okIncrements();
            return n;
        };
        // Every session has state worth keeping before the kill (a session whose interpreter
        // was still starting had nothing acknowledged yet: seen in CI).
        const auto everySessionCounting = [&counters] {
            return std::all_of(counters.cbegin(), counters.cend(),
                               [](const auto &c) { return c->okIncrements() >= 5; });
        };
        QTRY_VERIFY_WITH_TIMEOUT(everySessionCounting() && acknowledged() >= 40, 60000);
        first.kill();
        QVERIFY(first.waitForExit(10000));
        for (const auto &c : counters) {
            c->halt();
            told << c->statuses();
            QVERIFY2(c->setupOk(), qPrintable(c->session()));
        }
        qInfo("restart: killed with %d increments acknowledged ok", acknowledged());
    }
    ServerProcess second(dataDir.path());
    QVERIFY(second.start({"--warm-pool", "0"}));
    for (int i = 0; i < kSessions; ++i) {
        WsClient client;
        QVERIFY(client.open(second.url()));
        QVERIFY(client.hello(second.token(), QStringLiteral("restart%1").arg(i)));
        const QJsonObject opened = client.openSession({{"session", sessions[i]}}, 60000);
        QCOMPARE(opened.value("type").toString(), QString("session.opened"));
        QCOMPARE(opened.value("restored").toBool(), true);
        const QJsonArray entries = historyOf(client, sessions[i]);
        QHash<QString, QString> stored;
        int storedOk = 0;
        for (const QJsonValue &v : entries) {
            const QJsonObject e = v.toObject();
            stored.insert(e.value("code").toString(), e.value("status").toString());
            if (e.value("code").toString().startsWith("n += 1") && e.value("status") == "ok")
                ++storedOk;
        }
        int toldOk = 0;
        for (auto it = told[i].cbegin(); it != told[i].cend(); ++it) {
            if (it.value() != "ok")
                continue;
            ++toldOk;
            QVERIFY2(stored.value(it.key()) == "ok",
                     qPrintable(it.key() + " was acknowledged ok, history says \"" +
                                stored.value(it.key()) + '"'));
        }
        const QJsonObject n = client.evalToResult(sessions[i], "n", 60000);
        qInfo("restart: session %d: %d acknowledged ok, %d ok in history, n = %s", i, toldOk,
              storedOk, qPrintable(n.value("value").toString()));
        QCOMPARE(n.value("status").toString(), QString("ok"));
        QCOMPARE(n.value("value").toString(), QString::number(storedOk));
        QVERIFY(storedOk >= toldOk);
    }
    second.terminate();
    QVERIFY(second.waitForExit(20000));
}

void TestFaults::aFullDiskFailsEvalsClearlyAndRunsGoOn()
{
    // The database cannot be made read-only under root (chmod does not stop root, and a
    // read-only remount is refused while the file is open for writing), so the data dir lives
    // on a small tmpfs that the test fills up: SQLite's writes then fail with "disk full".
    // Invariant: an eval that cannot be recorded is answered with a clear message and has no
    // effect (it goes to the interpreter while its entry is written; when the write fails the
    // interpreter is rebuilt from the history without it); the server stays up and keeps
    // serving runs and /health; freeing the space heals it.
    if (::geteuid() != 0)
        QSKIP("mounting a tmpfs needs root; this fault cannot be staged otherwise");
    TmpfsMount disk("24m");
    QVERIFY2(disk.ok(), "mount -t tmpfs failed");
    ServerProcess server(disk.path());
    QVERIFY(server.start({"--warm-pool", "1"}));
    WsClient client;
    QVERIFY(client.open(server.url()));
    QVERIFY(client.hello(server.token(), "diskfull"));
    const QString session = openPython(client);
    QVERIFY(!session.isEmpty());
    QCOMPARE(client.evalToResult(session, "x = 1").value("status").toString(), QString("ok"));

    {
        QFile filler(QDir(disk.path()).filePath("filler"));
        QVERIFY(filler.open(QIODevice::WriteOnly));
        const QByteArray chunk(64 * 1024, 'f');
        for (int i = 0; i < 1024; ++i) { // bounded: 64 MiB > the tmpfs
            if (filler.write(chunk) != chunk.size() || !filler.flush())
                break;
        }
    }
    const QJsonObject refused = client.evalToResult(session, "x += 1", 30000);
    qInfo("diskfull: eval answered %s: %s", qPrintable(refused.value("status").toString()),
          qPrintable(refused.value("message").toString()));
    QVERIFY2(!refused.isEmpty(), "no result for an eval on a full disk");
    QVERIFY(refused.value("status").toString() != "ok");
    QVERIFY2(refused.value("message").toString().contains("full", Qt::CaseInsensitive) ||
                 refused.value("message").toString().contains("saved", Qt::CaseInsensitive),
             qPrintable(refused.value("message").toString()));

    const QJsonObject run = client.runToResult("print('still serving')", {}, 30000);
    QCOMPARE(run.value("status").toString(), QString("ok"));
    HealthProbe health(server.port(), 100, 1000);
    health.start();
    QTRY_VERIFY_WITH_TIMEOUT(health.answered() + health.failed() >= 3, 10000);
    health.stop();
    QCOMPARE(health.failed(), 0);
    const QJsonObject opened = client.openSession({{"language", "python"}}, 30000);
    qInfo("diskfull: session.open answered %s %s", qPrintable(opened.value("type").toString()),
          qPrintable(opened.value("message").toString()));
    QVERIFY(!opened.isEmpty());

    QVERIFY(QFile::remove(QDir(disk.path()).filePath("filler")));
    // The refused cell had no effect: x is still 1, and new cells are recorded again.
    const QJsonObject x = client.evalToResult(session, "x", 30000);
    QCOMPARE(x.value("value").toString(), QString("1"));
    QCOMPARE(client.evalToResult(session, "x += 1").value("status").toString(), QString("ok"));
    server.terminate();
    QVERIFY(server.waitForExit(20000));
}

void TestFaults::aClientThatStopsReadingCostsBoundedMemory()
{
    // Invariant: a client that stops reading while its program prints as fast as it can holds
    // at most the server's client backlog (8 MiB of queued frames, then output is dropped), so
    // the server's RSS stays bounded, and other clients are served meanwhile.
    constexpr int kFloodMs = 8000;
    ServerProcess server;
    QVERIFY(server.start({"--workers", "2", "--warm-pool", "0", "--run-time-ms",
                          QString::number(kFloodMs), "--output-bytes", "1000000000"}));
    WsClient other;
    QVERIFY(other.open(server.url()));
    QVERIFY(other.hello(server.token(), "reader"));
    QCOMPARE(other.runToResult("print(0)").value("status").toString(), QString("ok"));
    const qint64 rssBefore = rssKb(server.pid());

    StalledClient stalled;
    QVERIFY(stalled.open(server.url()));
    stalled.sendText({{"type", "hello"},
                      {"protocol", 1},
                      {"token", server.token()},
                      {"user", "sleeper"},
                      {"client", "coderoom-tests/0.1"}});
    QVERIFY(stalled.waitForText(R"("welcome")", 10000));
    stalled.sendText({{"type", "run"},
                      {"id", "flood"},
                      {"language", "python"},
                      {"files", QJsonArray{QJsonObject{
                                    {"name", "main.py"},
                                    {"content", "import sys\nline = 'y' * 65535 + '\\n'\n"
                                                "while True:\n    sys.stdout.write(line)\n"}}}}});
    QVERIFY(stalled.waitForText(R"("started")", 20000));
    stalled.stall();

    qint64 peak = rssBefore;
    QTimer sampler;
    connect(&sampler, &QTimer::timeout, this, [&] { peak = std::max(peak, rssKb(server.pid())); });
    sampler.start(50);
    QElapsedTimer clock;
    clock.start();
    int served = 0;
    qint64 slowest = 0;
    // Others are served for the whole flood (bounded by count and by time).
    for (int i = 0; i < 40 && clock.elapsed() < kFloodMs + 1500; ++i) {
        QElapsedTimer one;
        one.start();
        const QJsonObject r = other.runToResult(QStringLiteral("print(%1)").arg(i), {}, 15000);
        QCOMPARE(r.value("status").toString(), QString("ok"));
        slowest = std::max(slowest, one.elapsed());
        ++served;
    }
    sampler.stop();
    peak = std::max(peak, rssKb(server.pid()));
    qInfo("stalled: RSS before %lld KiB, peak %lld KiB during the flood; %d runs served for "
          "others, slowest %lld ms",
          rssBefore, peak, served, slowest);
    QVERIFY(served >= 3);
    QVERIFY2(slowest < 8000, qPrintable(QString::number(slowest)));
    QVERIFY2(peak < rssBefore + 96 * 1024, qPrintable(QString::number(peak)));
    server.terminate();
    QVERIFY(server.waitForExit(20000));
}

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
