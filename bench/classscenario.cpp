// Class: a school's lesson on one node. Many students connected and idle, a few hundred typing
// `x += 1` about once a second in their REPLs, while two students spin in their REPLs and a
// third keeps a fork bomb running as a batch program. What it checks: every cell of the typists
// is answered `ok` (none refused, none lost: each typist's `x` at the end equals its ok cells).
#include "scenarios.h"

#include "benchclient.h"
#include "lesson.h"
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

} // namespace

int runClass(const Options &o)
{
    ServerHandle server;
    if (!bringUp(o, server,
                 {QStringLiteral("--max-interpreters"), QString::number(o.maxInterpreters)}))
        return 1;
    QElapsedTimer clock;
    clock.start();

    // 1. The idle part of the class, then 2. the typists: a session each, `x = 0`.
    Classroom room;
    seatClass(server, std::max(0, o.sessions - o.active), o.active, o.parallelOpens, room);
    const int idleCount = room.idleAsked;
    const int idleConnected = room.idleConnected;
    const double idleS = room.idleS;
    const int typistsReady = room.typistsReady;
    std::vector<Typist> &typists = room.typists;

    // 3. The floor: the same lesson on a quiet server.
    const Lesson quiet = runLesson(server, room, o.durationS, clock);

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
    const Lesson disturbed = runLesson(server, room, o.durationS, clock);
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
    t.addRow({QStringLiteral("typists' cells by status"), statusCounts(quiet.statuses),
              statusCounts(disturbed.statuses)});
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
    t.addRow(
        {QStringLiteral("spinning cells ended (status)"), QString(), statusCounts(spinResults)});
    t.addRow(
        {QStringLiteral("fork-bomb runs ended (status)"), QString(), statusCounts(bombResults)});
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
