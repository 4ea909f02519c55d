// Scale: thousands of connected sessions, most hibernated, a few hundred active.
#include "scenarios.h"

#include "benchclient.h"
#include "lesson.h"
#include "procinfo.h"
#include "serverhandle.h"
#include "stats.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <utility>
#include <vector>

namespace coderoom::bench {

namespace {

struct Member
{
    std::unique_ptr<BenchClient> client;
    QString session;
    bool ready = false;
};

struct Checkpoint
{
    int sessions = 0;
    double seconds = 0.0;
    qint64 serverRssKb = 0;
    int interpreters = 0;
    qint64 interpretersPssKb = 0;
};

Checkpoint measure(qint64 pid, int sessions, double seconds)
{
    Checkpoint c;
    c.sessions = sessions;
    c.seconds = seconds;
    c.serverRssKb = rssKb(pid);
    // comm is the resolved binary's name: python3.11 on Debian 12.
    const QList<qint64> interps = descendantsNamed(pid, "python3");
    c.interpreters = int(interps.size());
    for (qint64 p : interps)
        c.interpretersPssKb += pssKb(p);
    return c;
}

QString mb(qint64 kb)
{
    return QString::number(double(kb) / 1024.0, 'f', 1);
}

} // namespace

int runScaleOpenAll(const Options &o)
{
    ServerHandle server;
    // Per-user limits are per connection here (one user each), so they do not bind.
    if (!bringUp(o, server,
                 {QStringLiteral("--max-interpreters"), QString::number(o.maxInterpreters)}))
        return 1;
    const qint64 pid = server.pid();
    std::vector<Member> members(static_cast<std::size_t>(o.sessions));
    QList<Checkpoint> checkpoints;
    checkpoints.append(measure(pid, 0, 0.0));
    const int step = std::max(1, o.sessions / 10);

    // Phase 1: connect, open a session, define x; `parallelOpens` members at a time.
    QElapsedTimer clock;
    clock.start();
    QEventLoop loop;
    int next = 0;
    int inFlight = 0;
    int opened = 0;
    int failures = 0;
    Samples openLatency;
    const qint64 budgetNs = qint64(o.budgetS) * 1000000000;
    std::function<void()> startNext = [&] {
        while (inFlight < o.parallelOpens && next < o.sessions && clock.nsecsElapsed() < budgetNs) {
            Member &m = members[std::size_t(next)];
            const int index = next++;
            ++inFlight;
            m.client = std::make_unique<BenchClient>();
            BenchClient *c = m.client.get();
            auto timer = std::make_shared<QElapsedTimer>();
            auto once = std::make_shared<bool>(false); // a late disconnect must not count
            const auto finished = [&, index, once](bool ok) {
                if (std::exchange(*once, true))
                    return;
                --inFlight;
                if (ok) {
                    members[std::size_t(index)].ready = true;
                    ++opened;
                    if (opened % step == 0) {
                        checkpoints.append(
                            measure(pid, opened, double(clock.nsecsElapsed()) / 1e9));
                        std::fprintf(stderr, "coderoom-bench: %d sessions open\n", opened);
                    }
                } else {
                    ++failures;
                }
                if ((next >= o.sessions || clock.nsecsElapsed() >= budgetNs) && inFlight == 0)
                    loop.quit();
                else
                    QTimer::singleShot(0, &loop, startNext);
            };
            QObject::connect(c, &BenchClient::failed, c,
                             [finished](const QString &) { finished(false); });
            QObject::connect(c, &BenchClient::ready, c, [c, timer] {
                timer->start();
                c->send({{QStringLiteral("type"), QStringLiteral("session.open")},
                         {QStringLiteral("id"), QStringLiteral("open")},
                         {QStringLiteral("language"), QStringLiteral("python")}});
            });
            c->onMessage = [&, c, index, finished, timer](const QJsonObject &msg) {
                const QString type = msg.value(QStringLiteral("type")).toString();
                const QString id = msg.value(QStringLiteral("id")).toString();
                if (type == QLatin1String("session.opened")) {
                    openLatency.add(timer->nsecsElapsed());
                    members[std::size_t(index)].session =
                        msg.value(QStringLiteral("session")).toString();
                    QJsonObject e = evalMessage(members[std::size_t(index)].session,
                                                QStringLiteral("x = %1").arg(index));
                    e.insert(QStringLiteral("id"), QStringLiteral("define"));
                    c->send(e);
                } else if (type == QLatin1String("result") && id == QLatin1String("define")) {
                    c->onMessage = nullptr;
                    finished(msg.value(QStringLiteral("status")).toString() == QLatin1String("ok"));
                } else if (type == QLatin1String("error")) {
                    c->onMessage = nullptr;
                    finished(false);
                }
            };
            c->open(server.url(), server.token(), QStringLiteral("scale%1").arg(index));
        }
    };
    startNext();
    loop.exec();
    const double openPhaseS = double(clock.nsecsElapsed()) / 1e9;
    if (checkpoints.constLast().sessions != opened)
        checkpoints.append(measure(pid, opened, openPhaseS));

    // Phase 2: the most recently opened `active` sessions (the live ones) each send `x += 1`
    // about once a second, like students typing; everyone else stays connected and idle.
    QList<int> activeSet;
    for (int i = int(members.size()) - 1; i >= 0 && activeSet.size() < o.active; --i) {
        if (members[std::size_t(i)].ready)
            activeSet.append(i);
    }
    Samples rt;
    int rtErrors = 0;
    const int thinkMs = 1000;
    UsageWindow usage(pid);
    QEventLoop activeLoop;
    const qint64 endNs = clock.nsecsElapsed() + qint64(o.durationS) * 1000000000;
    int outstanding = 0;
    for (int index : activeSet) {
        Member &m = members[std::size_t(index)];
        BenchClient *c = m.client.get();
        const QString session = m.session;
        auto timer = std::make_shared<QElapsedTimer>();
        auto sendEval = [c, session, timer, &outstanding] {
            QJsonObject e = evalMessage(session, QStringLiteral("x += 1"));
            e.insert(QStringLiteral("id"), QStringLiteral("tick"));
            ++outstanding;
            timer->start();
            c->send(e);
        };
        c->onMessage = [&, c, sendEval, timer](const QJsonObject &msg) {
            if (msg.value(QStringLiteral("type")).toString() != QLatin1String("result"))
                return;
            --outstanding;
            if (msg.value(QStringLiteral("status")).toString() == QLatin1String("ok"))
                rt.add(timer->nsecsElapsed());
            else
                ++rtErrors;
            if (clock.nsecsElapsed() < endNs)
                QTimer::singleShot(thinkMs, c, sendEval);
            else if (outstanding == 0)
                activeLoop.quit();
        };
        // Spread the first evals over one think time so they do not arrive as one burst.
        QTimer::singleShot(int(QRandomGenerator::global()->bounded(thinkMs)), c, sendEval);
    }
    QTimer::singleShot(o.durationS * 1000 + 30000, &activeLoop, &QEventLoop::quit);
    if (!activeSet.isEmpty())
        activeLoop.exec();
    const double activeCpu = usage.serverCpuPercent();
    const Checkpoint loaded = measure(pid, opened, double(clock.nsecsElapsed()) / 1e9);

    // Phase 3: wake hibernated sessions (the oldest ones), one at a time: restore + eval.
    Samples wake;
    int wakeErrors = 0;
    for (int i = 0, woken = 0; i < int(members.size()) && woken < 20; ++i) {
        Member &m = members[std::size_t(i)];
        if (!m.ready || activeSet.contains(i))
            continue;
        ++woken;
        QElapsedTimer t;
        t.start();
        const QJsonObject r = m.client->request(evalMessage(m.session, QStringLiteral("x")),
                                                {QStringLiteral("result")}, 60000);
        if (r.value(QStringLiteral("value")).toString() == QString::number(i))
            wake.add(t.nsecsElapsed());
        else
            ++wakeErrors;
    }

    Table growth(QStringLiteral("Scale: sessions opened (each: connect, session.open, `x = i`)"),
                 {QStringLiteral("Sessions"), QStringLiteral("elapsed s"),
                  QStringLiteral("coderoomd RSS MB"), QStringLiteral("live interpreters"),
                  QStringLiteral("interpreters PSS MB")});
    for (const Checkpoint &c : checkpoints) {
        growth.addRow({QString::number(c.sessions), number(c.seconds), mb(c.serverRssKb),
                       QString::number(c.interpreters), mb(c.interpretersPssKb)});
    }
    growth.print();

    const Checkpoint &first = checkpoints.constFirst();
    const Checkpoint &last = checkpoints.constLast();
    const int hibernated = std::max(0, opened - last.interpreters);
    const double perSessionKb =
        opened > 0 ? double(last.serverRssKb - first.serverRssKb) / double(opened) : 0.0;
    const double perInterpreterKb =
        last.interpreters > 0 ? double(last.interpretersPssKb) / double(last.interpreters) : 0.0;
    Table summary(QStringLiteral("Scale: summary (--max-interpreters %1)").arg(o.maxInterpreters),
                  {QStringLiteral("What"), QStringLiteral("value")});
    summary.addRow({QStringLiteral("sessions connected and opened / asked"),
                    QStringLiteral("%1 / %2 (%3 failed) in %4 s")
                        .arg(opened)
                        .arg(o.sessions)
                        .arg(failures)
                        .arg(number(openPhaseS))});
    summary.addRow({QStringLiteral("session.open under this load: median / p99 ms"),
                    ms(openLatency.medianMs()) + QStringLiteral(" / ") + ms(openLatency.p99Ms())});
    summary.addRow({QStringLiteral("live interpreters / hibernated sessions"),
                    QStringLiteral("%1 / %2").arg(last.interpreters).arg(hibernated)});
    summary.addRow({QStringLiteral("coderoomd RSS growth per session (all connected)"),
                    number(perSessionKb) + QStringLiteral(" KB")});
    summary.addRow({QStringLiteral("PSS per live interpreter"),
                    number(perInterpreterKb) + QStringLiteral(" KB")});
    summary.addRow({QStringLiteral("active sessions, one `x += 1` each ~%1 ms").arg(thinkMs),
                    QString::number(activeSet.size())});
    summary.addRow({QStringLiteral("round trip under load: n / median / p99 / max ms"),
                    QStringLiteral("%1 / %2 / %3 / %4")
                        .arg(rt.count())
                        .arg(ms(rt.medianMs()), ms(rt.p99Ms()), ms(rt.maxMs()))});
    summary.addRow({QStringLiteral("round trip errors"), QString::number(rtErrors)});
    summary.addRow({QStringLiteral("coderoomd CPU while active (of one core)"),
                    number(activeCpu) + QLatin1Char('%')});
    summary.addRow({QStringLiteral("coderoomd RSS after the active phase"),
                    mb(loaded.serverRssKb) + QStringLiteral(" MB")});
    summary.addRow({QStringLiteral("waking a hibernated session (restore + eval): "
                                   "n / median / p99 ms"),
                    QStringLiteral("%1 / %2 / %3 (%4 errors)")
                        .arg(wake.count())
                        .arg(ms(wake.medianMs()), ms(wake.p99Ms()))
                        .arg(wakeErrors)});
    summary.print();
    return 0;
}

namespace {

struct DispatcherRun
{
    QString dispatcher;
    bool started = false;
    int idleAsked = 0;
    int idleConnected = 0;
    double idleS = 0;
    int typistsAsked = 0;
    int typistsReady = 0;
    Lesson lesson;
    qint64 rssKb = 0;
    double waits = -1;          // event-loop passes that could block, over the lesson
    double notifierEvents = -1; // socket and pipe notifications delivered, over the lesson
};

double delta(double before, double after)
{
    return before < 0 || after < 0 ? -1 : after - before;
}

QString perEval(double value, int evals)
{
    return value < 0 || evals == 0 ? QStringLiteral("n/a") : number(value / evals, 2);
}

} // namespace

// A school on one node: `--sessions` students connected, `--active` of them typing `x += 1`
// about once a second; the same lesson once per event dispatcher, each on a fresh server.
int runScale(const Options &o)
{
    if (o.openAll)
        return runScaleOpenAll(o);
    const QStringList dispatchers =
        o.url.isEmpty() ? o.dispatchers : QStringList{QStringLiteral("(outside server)")};
    std::vector<DispatcherRun> runs;
    for (const QString &dispatcher : dispatchers) {
        DispatcherRun run;
        run.dispatcher = dispatcher;
        ServerHandle server;
        if (!bringUp(o, server,
                     {QStringLiteral("--max-interpreters"), QString::number(o.maxInterpreters),
                      QStringLiteral("--event-dispatcher"), dispatcher})) {
            runs.push_back(run);
            continue;
        }
        run.started = true;
        std::fprintf(stderr, "coderoom-bench: scale with the %s event dispatcher\n",
                     qPrintable(dispatcher));
        QElapsedTimer clock;
        clock.start();
        {
            Classroom room;
            seatClass(server, std::max(0, o.sessions - o.active), o.active, o.parallelOpens, room);
            run.idleAsked = room.idleAsked;
            run.idleConnected = room.idleConnected;
            run.idleS = room.idleS;
            run.typistsAsked = o.active;
            run.typistsReady = room.typistsReady;
            const QByteArray waits("coderoom_event_loop_waits_total");
            const QByteArray notes("coderoom_event_loop_notifier_events_total");
            const double waitsBefore = metricValue(server.url(), waits);
            const double notesBefore = metricValue(server.url(), notes);
            run.lesson = runLesson(server, room, o.durationS, clock);
            run.waits = delta(waitsBefore, metricValue(server.url(), waits));
            run.notifierEvents = delta(notesBefore, metricValue(server.url(), notes));
            run.rssKb = rssKb(server.pid());
        } // every client closes before its server stops
        runs.push_back(run);
    }

    QStringList header{QStringLiteral("What")};
    for (const DispatcherRun &r : runs)
        header << r.dispatcher;
    Table t(QStringLiteral("Scale: %1 connected, %2 typing `x += 1` ~1/s for %3 s "
                           "(--max-interpreters %4), one fresh server per event dispatcher")
                .arg(o.sessions)
                .arg(o.active)
                .arg(o.durationS)
                .arg(o.maxInterpreters),
            header);
    const auto row = [&](const QString &what,
                         const std::function<QString(const DispatcherRun &)> &f) {
        QStringList cells{what};
        for (const DispatcherRun &r : runs)
            cells << (r.started ? f(r) : QStringLiteral("did not start"));
        t.addRow(cells);
    };
    row(QStringLiteral("idle students connected / asked"), [](const DispatcherRun &r) {
        return QStringLiteral("%1 / %2 in %3 s")
            .arg(r.idleConnected)
            .arg(r.idleAsked)
            .arg(number(r.idleS));
    });
    row(QStringLiteral("typists with a session / asked"), [](const DispatcherRun &r) {
        return QStringLiteral("%1 / %2").arg(r.typistsReady).arg(r.typistsAsked);
    });
    row(QStringLiteral("cells sent"),
        [](const DispatcherRun &r) { return QString::number(r.lesson.sent); });
    row(QStringLiteral("cells by status"),
        [](const DispatcherRun &r) { return statusCounts(r.lesson.statuses); });
    row(QStringLiteral("cells without a result (lost)"),
        [](const DispatcherRun &r) { return QString::number(r.lesson.lost); });
    row(QStringLiteral("round trip of an ok cell: median / p99 / max ms"),
        [](const DispatcherRun &r) {
            return QStringLiteral("%1 / %2 / %3")
                .arg(ms(r.lesson.rt.medianMs()), ms(r.lesson.rt.p99Ms()), ms(r.lesson.rt.maxMs()));
        });
    row(QStringLiteral("coderoomd CPU over the lesson (of one core)"),
        [](const DispatcherRun &r) { return QString(number(r.lesson.cpu) + QLatin1Char('%')); });
    row(QStringLiteral("coderoomd RSS after the lesson"),
        [](const DispatcherRun &r) { return QString(mb(r.rssKb) + QStringLiteral(" MB")); });
    row(QStringLiteral("event-loop wake-ups per cell (epoll only)"),
        [](const DispatcherRun &r) { return perEval(r.waits, r.lesson.sent); });
    row(QStringLiteral("socket/pipe notifications per cell (epoll only)"),
        [](const DispatcherRun &r) { return perEval(r.notifierEvents, r.lesson.sent); });
    row(QStringLiteral("every cell ok, p99 <= 50 ms, median <= 5 ms, CPU < 50%"),
        [&o](const DispatcherRun &r) {
            const bool met = allOk(r.lesson) && r.typistsReady == o.active &&
                             r.idleConnected == r.idleAsked && r.lesson.rt.p99Ms() <= 50.0 &&
                             r.lesson.rt.medianMs() <= 5.0 && r.lesson.cpu < 50.0;
            return met ? QStringLiteral("yes") : QStringLiteral("NO");
        });
    t.print();
    return 0;
}

} // namespace coderoom::bench
