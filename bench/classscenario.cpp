// Class: a school's lesson on one node. Many students connected and idle, a few hundred typing
// `x += 1` about once a second in their REPLs, while two students spin in their REPLs and a
// third keeps a fork bomb running as a batch program. What it checks: every cell of the typists
// is answered `ok` (none refused, none lost: each typist's `x` at the end equals its ok cells).
#include "scenarios.h"

#include "benchclient.h"
#include "serverhandle.h"
#include "stats.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonObject>
#include <QMap>
#include <QRandomGenerator>
#include <QTimer>

#include <cstdio>
#include <functional>
#include <memory>
#include <vector>

namespace coderoom::bench {

namespace {

const QString kSpin = QStringLiteral("while True:\n    pass\n");
const QString kForkBomb = QStringLiteral("import os\n"
                                         "while True:\n"
                                         "    try:\n"
                                         "        os.fork()\n"
                                         "    except OSError:\n"
                                         "        pass\n");

QString typeOf(const QJsonObject &m)
{
    return m.value(QStringLiteral("type")).toString();
}

struct Lesson
{
    int sent = 0;
    int lost = 0; // sent, no result by the end
    QMap<QString, int> statuses;
    Samples rt;
    double cpu = 0.0;
};

struct Typist
{
    std::unique_ptr<BenchClient> client;
    QString session;
    bool ready = false;
    int ok = 0;
};

// Connects `count` clients `parallel` at a time; `setUp` is called once a client is welcomed
// and calls `done(bool)` when the client is ready for the lesson. Returns how many succeeded.
int connectAll(const ServerHandle &server, int count, int parallel, const QString &userPrefix,
               const std::function<BenchClient *(int)> &make,
               const std::function<void(int, BenchClient *, std::function<void(bool)>)> &setUp)
{
    QEventLoop loop;
    int next = 0;
    int inFlight = 0;
    int succeeded = 0;
    int finishedCount = 0;
    std::function<void()> startNext = [&] {
        while (inFlight < parallel && next < count) {
            const int index = next++;
            ++inFlight;
            BenchClient *c = make(index);
            auto once = std::make_shared<bool>(false);
            const auto done = [&, once](bool ok) {
                if (std::exchange(*once, true))
                    return;
                --inFlight;
                ++finishedCount;
                succeeded += ok ? 1 : 0;
                if (finishedCount == count)
                    loop.quit();
                else
                    QTimer::singleShot(0, &loop, startNext);
            };
            QObject::connect(c, &BenchClient::failed, c, [done](const QString &) { done(false); });
            QObject::connect(c, &BenchClient::ready, c,
                             [index, c, done, &setUp] { setUp(index, c, done); });
            c->open(server.url(), server.token(), userPrefix + QString::number(index));
        }
    };
    if (count == 0)
        return 0;
    startNext();
    loop.exec();
    return succeeded;
}

} // namespace

int runClass(const Options &o)
{
    ServerHandle server;
    if (!bringUp(o, server,
                 {QStringLiteral("--max-interpreters"), QString::number(o.maxInterpreters)}))
        return 1;
    QElapsedTimer clock;
    clock.start();

    // 1. The idle part of the class: connected (hello), nothing else.
    const int idleCount = std::max(0, o.sessions - o.active);
    std::vector<std::unique_ptr<BenchClient>> idle(static_cast<std::size_t>(idleCount));
    const int idleConnected = connectAll(
        server, idleCount, 64, QStringLiteral("idle"),
        [&idle](int i) {
            idle[std::size_t(i)] = std::make_unique<BenchClient>();
            return idle[std::size_t(i)].get();
        },
        [](int, BenchClient *, const std::function<void(bool)> &done) { done(true); });
    const double idleS = double(clock.nsecsElapsed()) / 1e9;
    std::fprintf(stderr, "coderoom-bench: %d idle students connected in %.1f s\n", idleConnected,
                 idleS);

    // 2. The typists: a session each, `x = 0`.
    std::vector<Typist> typists(static_cast<std::size_t>(o.active));
    const int typistsReady = connectAll(
        server, o.active, std::max(o.parallelOpens, 8), QStringLiteral("typist"),
        [&typists](int i) {
            typists[std::size_t(i)].client = std::make_unique<BenchClient>();
            return typists[std::size_t(i)].client.get();
        },
        [&typists](int i, BenchClient *c, const std::function<void(bool)> &done) {
            c->onMessage = [&typists, i, c, done](const QJsonObject &m) {
                const QString type = typeOf(m);
                if (type == QLatin1String("session.opened")) {
                    typists[std::size_t(i)].session = m.value(QStringLiteral("session")).toString();
                    QJsonObject e =
                        evalMessage(typists[std::size_t(i)].session, QStringLiteral("x = 0"));
                    e.insert(QStringLiteral("id"), QStringLiteral("define"));
                    c->send(e);
                } else if (type == QLatin1String("result")) {
                    c->onMessage = nullptr;
                    const bool ok =
                        m.value(QStringLiteral("status")).toString() == QLatin1String("ok");
                    typists[std::size_t(i)].ready = ok;
                    done(ok);
                } else if (type == QLatin1String("error")) {
                    c->onMessage = nullptr;
                    done(false);
                }
            };
            c->send({{QStringLiteral("type"), QStringLiteral("session.open")},
                     {QStringLiteral("id"), QStringLiteral("open")},
                     {QStringLiteral("language"), QStringLiteral("python")}});
        });
    std::fprintf(stderr, "coderoom-bench: %d typists ready\n", typistsReady);

    // A lesson: each typist sends `x += 1` about once a second for the duration.
    const auto runLesson = [&]() {
        Lesson l;
        int outstanding = 0;
        const int thinkMs = 1000;
        UsageWindow usage(server.pid());
        QEventLoop loop;
        const qint64 endNs = clock.nsecsElapsed() + qint64(o.durationS) * 1000000000;
        for (Typist &t : typists) {
            if (!t.ready)
                continue;
            BenchClient *c = t.client.get();
            const QString session = t.session;
            auto timer = std::make_shared<QElapsedTimer>();
            auto sendEval = [c, session, timer, &outstanding, &l, &clock, endNs] {
                if (clock.nsecsElapsed() >= endNs)
                    return; // a think time that ended after the lesson: no more typing
                QJsonObject e = evalMessage(session, QStringLiteral("x += 1"));
                e.insert(QStringLiteral("id"), QStringLiteral("tick"));
                ++outstanding;
                ++l.sent;
                timer->start();
                c->send(e);
            };
            Typist *self = &t;
            c->onMessage = [&, self, sendEval, timer, endNs](const QJsonObject &msg) {
                if (typeOf(msg) != QLatin1String("result"))
                    return;
                --outstanding;
                const QString status = msg.value(QStringLiteral("status")).toString();
                ++l.statuses[status];
                if (status == QLatin1String("ok")) {
                    l.rt.add(timer->nsecsElapsed());
                    ++self->ok;
                }
                if (clock.nsecsElapsed() < endNs)
                    QTimer::singleShot(thinkMs, self->client.get(), sendEval);
                else if (outstanding == 0)
                    loop.quit();
            };
            QTimer::singleShot(int(QRandomGenerator::global()->bounded(thinkMs)), c, sendEval);
        }
        QTimer::singleShot(o.durationS * 1000 + 30000, &loop, &QEventLoop::quit);
        if (typistsReady > 0)
            loop.exec();
        l.cpu = usage.serverCpuPercent();
        l.lost = outstanding;
        for (Typist &t : typists) {
            if (t.client)
                t.client->onMessage = nullptr;
        }
        return l;
    };

    // 3. The floor: the same lesson on a quiet server.
    const Lesson quiet = runLesson();

    // 4. The disturbers: two spinning REPL cells and a fork bomb in batch, each sent again as
    // soon as it ends, until the lesson is over.
    bool lessonOver = false;
    QMap<QString, int> spinResults;
    QMap<QString, int> bombResults;
    std::vector<std::unique_ptr<BenchClient>> spinners;
    QStringList spinnerRequests(2);
    int disturbersStarted = 0;
    for (int i = 0; i < 2; ++i) {
        auto c = std::make_unique<BenchClient>();
        if (!c->openAndWait(server.url(), server.token(), QStringLiteral("spinner%1").arg(i))) {
            std::fprintf(stderr, "coderoom-bench: spinner %d could not connect\n", i);
            return 1;
        }
        const QJsonObject opened =
            c->request({{QStringLiteral("type"), QStringLiteral("session.open")},
                        {QStringLiteral("language"), QStringLiteral("python")}},
                       {QStringLiteral("session.opened")}, 30000);
        const QString session = opened.value(QStringLiteral("session")).toString();
        if (session.isEmpty()) {
            std::fprintf(stderr, "coderoom-bench: spinner %d has no session\n", i);
            return 1;
        }
        BenchClient *raw = c.get();
        c->onMessage = [&, raw, session, i](const QJsonObject &m) {
            const QString type = typeOf(m);
            if (type == QLatin1String("accepted")) {
                spinnerRequests[i] = m.value(QStringLiteral("request")).toString();
            } else if (type == QLatin1String("started")) {
                ++disturbersStarted;
            } else if (type == QLatin1String("result")) {
                ++spinResults[m.value(QStringLiteral("status")).toString()];
                if (!lessonOver)
                    raw->send(evalMessage(session, kSpin));
            }
        };
        c->send(evalMessage(session, kSpin));
        spinners.push_back(std::move(c));
    }
    BenchClient bomber;
    QString bombRequest;
    if (!bomber.openAndWait(server.url(), server.token(), QStringLiteral("bomber"))) {
        std::fprintf(stderr, "coderoom-bench: the bomber could not connect\n");
        return 1;
    }
    const QJsonObject bomb =
        runMessage(QStringLiteral("python"), QStringLiteral("main.py"), kForkBomb);
    bomber.onMessage = [&](const QJsonObject &m) {
        const QString type = typeOf(m);
        if (type == QLatin1String("accepted")) {
            bombRequest = m.value(QStringLiteral("request")).toString();
        } else if (type == QLatin1String("started")) {
            ++disturbersStarted;
        } else if (type == QLatin1String("result")) {
            ++bombResults[m.value(QStringLiteral("status")).toString()];
            if (!lessonOver)
                bomber.send(bomb);
        }
    };
    bomber.send(bomb);
    {
        QEventLoop wait;
        QTimer poll;
        QObject::connect(&poll, &QTimer::timeout, &wait, [&] {
            if (disturbersStarted >= 3)
                wait.quit();
        });
        poll.start(20);
        QTimer::singleShot(30000, &wait, &QEventLoop::quit);
        wait.exec();
    }

    // 5. The lesson again, disturbed.
    const Lesson disturbed = runLesson();
    lessonOver = true;

    // 6. Nothing lost: every typist's x equals the cells it was told were ok.
    int mismatches = 0;
    int checked = 0;
    {
        QEventLoop check;
        int waiting = 0;
        for (Typist &t : typists) {
            if (!t.ready)
                continue;
            ++waiting;
            Typist *self = &t;
            t.client->onMessage = [&, self](const QJsonObject &msg) {
                if (typeOf(msg) != QLatin1String("result") ||
                    msg.value(QStringLiteral("id")).toString() != QLatin1String("check"))
                    return;
                self->client->onMessage = nullptr;
                ++checked;
                if (msg.value(QStringLiteral("value")).toString() != QString::number(self->ok))
                    ++mismatches;
                if (--waiting == 0)
                    check.quit();
            };
            QJsonObject e = evalMessage(t.session, QStringLiteral("x"));
            e.insert(QStringLiteral("id"), QStringLiteral("check"));
            t.client->send(e);
        }
        QTimer::singleShot(60000, &check, &QEventLoop::quit);
        if (waiting > 0)
            check.exec();
    }
    for (int i = 0; i < 2; ++i) {
        spinners[std::size_t(i)]->send({{QStringLiteral("type"), QStringLiteral("interrupt")},
                                        {QStringLiteral("request"), spinnerRequests[i]}});
    }
    bomber.send({{QStringLiteral("type"), QStringLiteral("cancel")},
                 {QStringLiteral("request"), bombRequest}});

    const auto counts = [](const QMap<QString, int> &m) {
        QStringList parts;
        for (auto it = m.cbegin(); it != m.cend(); ++it)
            parts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
        return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
    };
    const auto allOk = [&](const Lesson &l) {
        return l.statuses.value(QStringLiteral("ok")) == l.sent && l.lost == 0;
    };
    Table t(QStringLiteral("Class: %1 connected, %2 typing `x += 1` ~1/s for %3 s; disturbed: two "
                           "spinning REPL cells and a fork bomb in batch (--max-interpreters %4)")
                .arg(idleConnected + typistsReady)
                .arg(typistsReady)
                .arg(o.durationS)
                .arg(o.maxInterpreters),
            {QStringLiteral("What"), QStringLiteral("quiet (floor)"), QStringLiteral("disturbed")});
    t.addRow(
        {QStringLiteral("idle students connected / asked"),
         QStringLiteral("%1 / %2 in %3 s").arg(idleConnected).arg(idleCount).arg(number(idleS)),
         QString()});
    t.addRow({QStringLiteral("typists with a session / asked"),
              QStringLiteral("%1 / %2").arg(typistsReady).arg(o.active), QString()});
    t.addRow({QStringLiteral("typists' cells sent"), QString::number(quiet.sent),
              QString::number(disturbed.sent)});
    t.addRow({QStringLiteral("typists' cells by status"), counts(quiet.statuses),
              counts(disturbed.statuses)});
    t.addRow({QStringLiteral("typists' cells without a result (lost)"), QString::number(quiet.lost),
              QString::number(disturbed.lost)});
    const auto latency = [](const Lesson &l) {
        return QStringLiteral("%1 / %2 / %3")
            .arg(ms(l.rt.medianMs()), ms(l.rt.p99Ms()), ms(l.rt.maxMs()));
    };
    t.addRow({QStringLiteral("round trip of an ok cell: median / p99 / max ms"), latency(quiet),
              latency(disturbed)});
    t.addRow({QStringLiteral("p50 / p99 disturbed vs quiet"), QString(),
              ratio(disturbed.rt.medianMs(), quiet.rt.medianMs()) + QStringLiteral(" / ") +
                  ratio(disturbed.rt.p99Ms(), quiet.rt.p99Ms())});
    t.addRow({QStringLiteral("coderoomd CPU (of one core)"), number(quiet.cpu) + QLatin1Char('%'),
              number(disturbed.cpu) + QLatin1Char('%')});
    t.addRow({QStringLiteral("spinning cells ended (status)"), QString(), counts(spinResults)});
    t.addRow({QStringLiteral("fork-bomb runs ended (status)"), QString(), counts(bombResults)});
    t.addRow({QStringLiteral("typists whose x differs from their ok cells / checked"),
              QStringLiteral("%1 / %2").arg(mismatches).arg(checked), QString()});
    t.addRow({QStringLiteral("every typist's cell ok"),
              allOk(quiet) ? QStringLiteral("yes") : QStringLiteral("NO"),
              (allOk(disturbed) && mismatches == 0 && typistsReady == o.active)
                  ? QStringLiteral("yes")
                  : QStringLiteral("NO")});
    t.print();
    return 0;
}

} // namespace coderoom::bench
