// The lesson shared by `class` and `scale` (lesson.h).
#include "lesson.h"

#include "procinfo.h"
#include "scenarios.h"
#include "serverhandle.h"

#include <QEventLoop>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTimer>

#include <cstdio>
#include <utility>

namespace coderoom::bench {

namespace {

QString typeOf(const QJsonObject &m)
{
    return m.value(QStringLiteral("type")).toString();
}

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

void seatClass(const ServerHandle &server, int idleCount, int typistCount, int parallelOpens,
               Classroom &room)
{
    QElapsedTimer clock;
    clock.start();
    room.idleAsked = idleCount;
    room.idle.resize(static_cast<std::size_t>(idleCount));
    room.idleConnected = connectAll(
        server, idleCount, 64, QStringLiteral("idle"),
        [&room](int i) {
            room.idle[std::size_t(i)] = std::make_unique<BenchClient>();
            return room.idle[std::size_t(i)].get();
        },
        [](int, BenchClient *, const std::function<void(bool)> &done) { done(true); });
    room.idleS = double(clock.nsecsElapsed()) / 1e9;
    std::fprintf(stderr, "coderoom-bench: %d idle students connected in %.1f s\n",
                 room.idleConnected, room.idleS);

    std::vector<Typist> &typists = room.typists;
    typists.resize(static_cast<std::size_t>(typistCount));
    room.typistsReady = connectAll(
        server, typistCount, std::max(parallelOpens, 8), QStringLiteral("typist"),
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
    std::fprintf(stderr, "coderoom-bench: %d typists ready\n", room.typistsReady);
}

Lesson runLesson(const ServerHandle &server, Classroom &room, int durationS,
                 const QElapsedTimer &clock)
{
    Lesson l;
    int outstanding = 0;
    const int thinkMs = 1000;
    UsageWindow usage(server.pid());
    QEventLoop loop;
    const qint64 endNs = clock.nsecsElapsed() + qint64(durationS) * 1000000000;
    for (Typist &t : room.typists) {
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
    QTimer::singleShot(durationS * 1000 + 30000, &loop, &QEventLoop::quit);
    if (room.typistsReady > 0)
        loop.exec();
    l.cpu = usage.serverCpuPercent();
    l.wallS = usage.wallSeconds();
    l.lost = outstanding;
    for (Typist &t : room.typists) {
        if (t.client)
            t.client->onMessage = nullptr;
    }
    return l;
}

QString statusCounts(const QMap<QString, int> &m)
{
    QStringList parts;
    for (auto it = m.cbegin(); it != m.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
    return parts.isEmpty() ? QStringLiteral("none") : parts.join(QStringLiteral(", "));
}

bool allOk(const Lesson &l)
{
    return l.statuses.value(QStringLiteral("ok")) == l.sent && l.lost == 0;
}

} // namespace coderoom::bench
