#include "scenarios.h"

#include "benchclient.h"
#include "floors.h"
#include "serverhandle.h"
#include "stats.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QHash>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimer>

#include <cstdio>
#include <memory>
#include <optional>
#include <vector>

namespace coderoom::bench {

namespace {

const QStringList resultType{QStringLiteral("result")};
const QStringList openedType{QStringLiteral("session.opened")};
const QStringList closedType{QStringLiteral("session.closed")};

QString str(const QJsonObject &m, const char *key)
{
    return m.value(QLatin1String(key)).toString();
}

bool isOk(const QJsonObject &result)
{
    return str(result, "type") == QLatin1String("result") &&
           str(result, "status") == QLatin1String("ok");
}

void complain(const QString &text)
{
    std::fprintf(stderr, "coderoom-bench: %s\n", qPrintable(text));
}

// A pause between samples that must not overlap (e.g. the warm pool refilling): an event loop
// runs meanwhile, so the clients stay serviced.
void pause(int ms)
{
    QEventLoop loop;
    QTimer::singleShot(ms, &loop, &QEventLoop::quit);
    loop.exec();
}

QJsonObject openMessage(const QString &language)
{
    return {{QStringLiteral("type"), QStringLiteral("session.open")},
            {QStringLiteral("language"), language}};
}

QJsonObject resumeMessage(const QString &session)
{
    return {{QStringLiteral("type"), QStringLiteral("session.open")},
            {QStringLiteral("session"), session}};
}

QJsonObject closeMessage(const QString &session)
{
    return {{QStringLiteral("type"), QStringLiteral("session.close")},
            {QStringLiteral("session"), session}};
}

QStringList latencyRow(const QString &what, const Samples &s, int errors, double wallS,
                       const QString &vsFloor)
{
    const double perS = wallS > 0.0 ? static_cast<double>(s.count()) / wallS : 0.0;
    return {what,
            QString::number(s.count()),
            ms(s.medianMs()),
            ms(s.p99Ms()),
            ms(s.maxMs()),
            number(perS, 0),
            QString::number(errors),
            vsFloor};
}

const QStringList latencyHeader{QStringLiteral("What"),      QStringLiteral("n"),
                                QStringLiteral("median ms"), QStringLiteral("p99 ms"),
                                QStringLiteral("max ms"),    QStringLiteral("per s"),
                                QStringLiteral("errors"),    QStringLiteral("vs floor")};

} // namespace

bool bringUp(const Options &o, ServerHandle &server, const QStringList &extra)
{
    if (!o.url.isEmpty()) {
        server.attach(o.url, o.token);
        return true;
    }
    QString error;
    if (!server.start(o.serverPath, extra, &error)) {
        std::fprintf(stderr, "coderoom-bench: %s\n", qPrintable(error));
        return false;
    }
    return true;
}

int runRepl(const Options &o)
{
    ServerHandle server;
    if (!bringUp(o, server, {}))
        return 1;
    BenchClient client;
    if (!client.openAndWait(server.url(), server.token(), QStringLiteral("bench"))) {
        complain(QStringLiteral("cannot connect to %1").arg(server.url().toString()));
        return 1;
    }
    const QString session =
        str(client.request(openMessage(QStringLiteral("python")), openedType, 30000), "session");
    if (session.isEmpty()) {
        complain(QStringLiteral("session.open failed"));
        return 1;
    }
    client.request(evalMessage(session, QStringLiteral("x = 0")), resultType, 30000);

    const int warmup = 50;
    Samples samples;
    int errors = 0;
    UsageWindow usage(server.pid());
    QElapsedTimer timer;
    for (int i = 0; i < warmup + o.iterations; ++i) {
        if (i == warmup)
            usage.restart();
        timer.start();
        const QJsonObject r =
            client.request(evalMessage(session, QStringLiteral("x += 1")), resultType, 10000);
        const qint64 ns = timer.nsecsElapsed();
        if (!isOk(r))
            ++errors;
        else if (i >= warmup)
            samples.add(ns);
    }
    const double wall = usage.wallSeconds();
    const double serverCpu = usage.serverCpuSeconds();
    const QString usageLine = usageText(usage);
    // The state must show every increment: a benchmark of evals that did not run means nothing.
    const QJsonObject check =
        client.request(evalMessage(session, QStringLiteral("x")), resultType, 10000);
    if (str(check, "value") != QString::number(warmup + o.iterations - errors)) {
        complain(QStringLiteral("x is %1 after the run, expected %2")
                     .arg(str(check, "value"))
                     .arg(warmup + o.iterations - errors));
        ++errors;
    }

    QString error;
    const QString driver = QStringLiteral(CODEROOM_RESOURCES_PATH "/drivers/python_driver.py");
    QElapsedTimer floorClock;
    floorClock.start();
    const Samples floor = pipeDriverRoundTrips(o.python, driver, o.iterations, warmup, &error);
    const double floorWall = static_cast<double>(floorClock.nsecsElapsed()) / 1e9;
    if (!error.isEmpty())
        complain(error);

    Table table(QStringLiteral("REPL round trip, warm session, `x += 1`"), latencyHeader);
    table.addRow(latencyRow(QStringLiteral("coderoomd: WebSocket eval -> result"), samples, errors,
                            wall, ratio(samples.medianMs(), floor.medianMs())));
    table.addRow(latencyRow(QStringLiteral("floor: python_driver.py over bare fd 3/4 pipes"), floor,
                            error.isEmpty() ? 0 : 1, floorWall, QStringLiteral("1.0x")));
    if (o.jupyter) {
        const QJsonObject j = jupyterBaseline(o.python, 200, &error);
        if (j.isEmpty()) {
            complain(error);
        } else {
            const auto v = [&j](const char *key) {
                return j.value(QLatin1String(key)).toDouble();
            };
            const QString n = QString::number(j.value(QStringLiteral("iterations")).toInt());
            table.addRow({QStringLiteral("Jupyter ipykernel: execute -> execute_reply"), n,
                          ms(v("execute_reply_ms_median")), ms(v("execute_reply_ms_p99")),
                          ms(v("execute_reply_ms_max")),
                          number(1000.0 / v("execute_reply_ms_median"), 0), QStringLiteral("0"),
                          ratio(v("execute_reply_ms_median"), floor.medianMs())});
            table.addRow({QStringLiteral("Jupyter ipykernel: execute -> iopub idle"), n,
                          ms(v("execute_idle_ms_median")), ms(v("execute_idle_ms_p99")),
                          QStringLiteral("-"), number(1000.0 / v("execute_idle_ms_median"), 0),
                          QStringLiteral("0"),
                          ratio(v("execute_idle_ms_median"), floor.medianMs())});
            Table jt(QStringLiteral("Jupyter kernel (stock, unsandboxed)"),
                     {QStringLiteral("What"), QStringLiteral("value")});
            jt.addRow({QStringLiteral("kernel start to first execute_reply, median of %1")
                           .arg(j.value(QStringLiteral("starts")).toInt()),
                       ms(v("kernel_start_ms_median")) + QStringLiteral(" ms")});
            jt.addRow({QStringLiteral("kernel PSS"),
                       number(v("kernel_pss_kb") / 1024.0) + QStringLiteral(" MB")});
            table.print();
            jt.print();
            std::printf("Server during the coderoomd rows: %s; %.1f us of coderoomd CPU per "
                        "eval.\n\n",
                        qPrintable(usageLine),
                        samples.isEmpty() ? 0.0 : 1e6 * serverCpu / double(samples.count()));
            return 0;
        }
    }
    table.print();
    std::printf("Server during the coderoomd rows: %s; %.1f us of coderoomd CPU per eval.\n\n",
                qPrintable(usageLine),
                samples.isEmpty() ? 0.0 : 1e6 * serverCpu / double(samples.count()));
    return 0;
}

namespace {

// One-at-a-time hello worlds against one server; the figures of a coderoomd row.
struct BatchRows
{
    Samples samples;
    Samples serverTime; // the server's own time_ms of each run, for the breakdown
    int errors = 0;
    double wall = 0;
    QString usageLine;
    double perRunCpuMs = 0;
    QByteArray prestartMetrics; // the coderoom_run_starts_total lines after the runs
};

// The lines of /metrics that start with `prefix`, joined with "; ".
QByteArray metricLines(const QUrl &wsUrl, const QByteArray &prefix)
{
    QNetworkAccessManager nam;
    QUrl url = wsUrl;
    url.setScheme(wsUrl.scheme() == QLatin1String("wss") ? QStringLiteral("https")
                                                         : QStringLiteral("http"));
    url.setPath(QStringLiteral("/metrics"));
    QNetworkReply *reply = nam.get(QNetworkRequest(url));
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(10000, &loop, &QEventLoop::quit);
    loop.exec();
    QByteArrayList lines;
    for (const QByteArray &line : reply->readAll().split('\n')) {
        if (line.startsWith(prefix))
            lines << line;
    }
    reply->deleteLater();
    return lines.join("; ");
}

} // namespace

double metricValue(const QUrl &wsUrl, const QByteArray &name)
{
    const QByteArray line = metricLines(wsUrl, name + ' ');
    if (line.isEmpty())
        return -1;
    bool ok = false;
    const double v = line.mid(name.size() + 1).trimmed().toDouble(&ok);
    return ok ? v : -1;
}

namespace {

std::optional<BatchRows> measureBatch(const Options &o, const QStringList &serverArgs)
{
    ServerHandle server;
    if (!bringUp(o, server, serverArgs))
        return std::nullopt;
    BenchClient client;
    if (!client.openAndWait(server.url(), server.token(), QStringLiteral("bench"))) {
        complain(QStringLiteral("cannot connect to %1").arg(server.url().toString()));
        return std::nullopt;
    }
    const QString hello = QStringLiteral("print(\"hello\")\n");
    const int warmup = 5;
    BatchRows rows;
    UsageWindow usage(server.pid());
    QElapsedTimer timer;
    for (int i = 0; i < warmup + o.batchIterations; ++i) {
        if (i == warmup)
            usage.restart();
        timer.start();
        const QJsonObject r =
            client.request(runMessage(QStringLiteral("python"), QStringLiteral("main.py"), hello),
                           resultType, 30000);
        const qint64 ns = timer.nsecsElapsed();
        if (!isOk(r)) {
            ++rows.errors;
        } else if (i >= warmup) {
            rows.samples.add(ns);
            rows.serverTime.add(r.value(QStringLiteral("time_ms")).toInteger() * 1000000);
        }
    }
    rows.wall = usage.wallSeconds();
    rows.usageLine = usageText(usage);
    rows.perRunCpuMs = rows.samples.isEmpty()
                           ? 0.0
                           : 1000.0 * (usage.serverCpuSeconds() + usage.childrenCpuSeconds()) /
                                 double(rows.samples.count());
    rows.prestartMetrics = metricLines(server.url(), "coderoom_run_starts_total");
    return rows;
}

} // namespace

int runBatch(const Options &o)
{
    // The server as configured (pre-start on: one sandbox per worker), then with --prestart 0
    // (every run spawns its own sandbox). An outside server (--url) is measured once, as is.
    const std::optional<BatchRows> on = measureBatch(o, {});
    if (!on)
        return 1;
    std::optional<BatchRows> off;
    if (o.url.isEmpty())
        off = measureBatch(o, {QStringLiteral("--prestart"), QStringLiteral("0")});

    QString error;
    const QStringList pythonCmd{o.python, QStringLiteral("-I"), QStringLiteral("-S"),
                                QStringLiteral("-c"), QStringLiteral("print(1)")};
    QElapsedTimer clock;
    clock.start();
    const Samples floor = spawnToExit(sandboxArguments(pythonCmd), o.batchIterations, &error);
    const double floorWall = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    if (!error.isEmpty())
        complain(error);
    const int floorErrors = error.isEmpty() ? 0 : 1;
    error.clear();
    clock.start();
    const Samples bare = spawnToExit(pythonCmd, o.batchIterations, &error);
    const double bareWall = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    if (!error.isEmpty())
        complain(error);
    const int bareErrors = error.isEmpty() ? 0 : 1;
    error.clear();
    clock.start();
    const Samples pre =
        prestartedSandbox(o.python, QStringLiteral("print(1)\n"), o.batchIterations, &error);
    const double preWall = static_cast<double>(clock.nsecsElapsed()) / 1e9;
    if (!error.isEmpty())
        complain(error);

    Table table(QStringLiteral("Batch run, Python hello world, one at a time"), latencyHeader);
    const double f = floor.medianMs();
    table.addRow(latencyRow(QStringLiteral("coderoomd: WebSocket run -> result"), on->samples,
                            on->errors, on->wall, ratio(on->samples.medianMs(), f)));
    table.addRow(latencyRow(QStringLiteral("coderoomd: its own time_ms of those runs"),
                            on->serverTime, 0, on->wall, ratio(on->serverTime.medianMs(), f)));
    if (off) {
        table.addRow(latencyRow(QStringLiteral("coderoomd --prestart 0: WebSocket run -> result"),
                                off->samples, off->errors, off->wall,
                                ratio(off->samples.medianMs(), f)));
        table.addRow(latencyRow(QStringLiteral("coderoomd --prestart 0: its own time_ms"),
                                off->serverTime, 0, off->wall,
                                ratio(off->serverTime.medianMs(), f)));
    }
    table.addRow(latencyRow(QStringLiteral("floor: spawn bwrap (same flags) + python3 -I -S -c"),
                            floor, floorErrors, floorWall, QStringLiteral("1.0x")));
    table.addRow(latencyRow(QStringLiteral("reference: python3 -I -S -c, no sandbox"), bare,
                            bareErrors, bareWall, ratio(bare.medianMs(), f)));
    table.addRow(latencyRow(QStringLiteral("pre-started sandboxed python3: program in -> exit"),
                            pre, error.isEmpty() ? 0 : 1, preWall, ratio(pre.medianMs(), f)));
    table.print();
    std::printf("Server during the coderoomd rows: %s; %.1f ms CPU per run (server + "
                "sandboxes); %s.\n",
                qPrintable(on->usageLine), on->perRunCpuMs, on->prestartMetrics.constData());
    if (off)
        std::printf("With --prestart 0: %s; %.1f ms CPU per run.\n", qPrintable(off->usageLine),
                    off->perRunCpuMs);
    std::printf("\n");
    return 0;
}

int runOpen(const Options &o)
{
    ServerHandle server;
    if (!bringUp(o, server, {}))
        return 1;
    BenchClient client;
    if (!client.openAndWait(server.url(), server.token(), QStringLiteral("bench"))) {
        complain(QStringLiteral("cannot connect to %1").arg(server.url().toString()));
        return 1;
    }
    const int n = 30;
    const int refillMs = 400; // longer than a driver start: the pool is full again
    Table table(QStringLiteral("Opening a Python session"), latencyHeader);
    for (const bool paced : {true, false}) {
        Samples samples;
        int errors = 0;
        QElapsedTimer timer;
        QElapsedTimer wallClock;
        double wall = 0.0;
        pause(refillMs);
        for (int i = 0; i < n; ++i) {
            if (paced)
                pause(refillMs);
            wallClock.start();
            timer.start();
            const QJsonObject r =
                client.request(openMessage(QStringLiteral("python")), openedType, 30000);
            const qint64 ns = timer.nsecsElapsed();
            wall += static_cast<double>(wallClock.nsecsElapsed()) / 1e9;
            if (str(r, "type") != QLatin1String("session.opened")) {
                ++errors;
                continue;
            }
            samples.add(ns);
            client.request(closeMessage(str(r, "session")), closedType, 10000);
        }
        table.addRow(latencyRow(paced ? QStringLiteral("session.open, warm pool refilled "
                                                       "between opens (%1 ms pause)")
                                            .arg(refillMs)
                                      : QStringLiteral("session.open back to back (pool "
                                                       "drained: cold driver start)"),
                                samples, errors, wall, QStringLiteral("-")));
    }
    table.print();
    return 0;
}

namespace {

// Jobs from many connections at once, each connection keeping `depth` in flight, until
// `total` results came or the deadline passed.
struct LoadResult
{
    Samples latency;
    int done = 0;
    int errors = 0;
    QHash<QString, int> statuses;
    double wallS = 0.0;
    double serverCpuPercent = 0.0;
    double childrenCpuS = 0.0;
    qint64 rssKb = 0;
    int unfinished = 0; // in flight when the deadline passed
};

LoadResult saturate(ServerHandle &server, int connections, int depth, int total, int deadlineS,
                    const std::function<QJsonObject(int)> &makeJob)
{
    LoadResult out;
    std::vector<std::unique_ptr<BenchClient>> clients;
    for (int c = 0; c < connections; ++c) {
        auto client = std::make_unique<BenchClient>();
        if (!client->openAndWait(server.url(), server.token(), QStringLiteral("load%1").arg(c)))
            complain(QStringLiteral("connection %1 failed").arg(c));
        clients.push_back(std::move(client));
    }
    QEventLoop loop;
    int sent = 0;
    QHash<QString, QElapsedTimer> started;
    bool measuring = true;
    const int drainS = 120;
    UsageWindow usage(server.pid());
    const auto sendOne = [&](BenchClient *client) {
        if (sent >= total || !measuring)
            return;
        // Ids unique across all connections: results are matched in one table.
        const QString id = QStringLiteral("job%1").arg(sent);
        QJsonObject job = makeJob(sent++);
        job.insert(QStringLiteral("id"), id);
        started[id].start();
        client->send(job);
    };
    for (auto &client : clients) {
        BenchClient *raw = client.get();
        raw->onMessage = [&, raw](const QJsonObject &m) {
            if (str(m, "type") != QLatin1String("result"))
                return;
            const QString id = str(m, "id");
            const auto it = started.constFind(id);
            if (it == started.constEnd())
                return;
            const QString status = str(m, "status");
            ++out.statuses[status];
            if (status == QLatin1String("ok"))
                out.latency.add(it->nsecsElapsed());
            else
                ++out.errors;
            started.remove(id);
            if (measuring)
                ++out.done;
            if ((measuring && out.done >= total) || (!measuring && started.isEmpty()))
                loop.quit();
            else if (measuring)
                sendOne(raw);
        };
    }
    for (int d = 0; d < depth; ++d) {
        for (auto &client : clients)
            sendOne(client.get());
    }
    const auto snapshot = [&] {
        measuring = false;
        out.wallS = usage.wallSeconds();
        out.serverCpuPercent = usage.serverCpuPercent();
        out.childrenCpuS = usage.childrenCpuSeconds();
        out.rssKb = usage.rssKb();
    };
    QTimer::singleShot(deadlineS * 1000, &loop, [&] {
        snapshot();
        if (started.isEmpty())
            loop.quit();
    });
    loop.exec();
    if (measuring)
        snapshot();
    // Jobs still in flight at the deadline are waited for (not counted), so that the next case
    // starts with an empty queue.
    out.unfinished = int(started.size());
    if (!started.isEmpty()) {
        QTimer::singleShot(drainS * 1000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    for (auto &client : clients)
        client->onMessage = nullptr;
    return out;
}

QString statusText(const QHash<QString, int> &statuses)
{
    QStringList parts;
    for (auto it = statuses.cbegin(); it != statuses.cend(); ++it)
        parts << QStringLiteral("%1 %2").arg(it.key()).arg(it.value());
    parts.sort();
    return parts.join(QStringLiteral(", "));
}

} // namespace

int runThroughput(const Options &o)
{
    ServerHandle server;
    // Enough queue for the offered load: the server's own admission limits are not what this
    // measures (8 connections x depth 4 = 32 in flight, under the default queue of 64).
    if (!bringUp(o, server, {}))
        return 1;
    const QString pyHello = QStringLiteral("print(\"hello\")\n");
    const QString cppHello =
        QStringLiteral("#include <cstdio>\nint main() { std::puts(\"hello\"); return 0; }\n");
    struct Case
    {
        QString name;
        int total;
        int deadlineS;
        std::function<QJsonObject(int)> job;
    };
    const std::vector<Case> cases{
        {QStringLiteral("Python hello world"), o.throughputJobs, 60,
         [&](int) {
             return runMessage(QStringLiteral("python"), QStringLiteral("main.py"), pyHello);
         }},
        {QStringLiteral("C++ hello world, compile cache hit"), std::max(40, o.throughputJobs / 3),
         60,
         [&](int) {
             return runMessage(QStringLiteral("cpp"), QStringLiteral("main.cpp"), cppHello);
         }},
        // A distinct comment per job makes every source new to the cache: a full g++ -O2 run.
        {QStringLiteral("C++ hello world, every job compiles (cache miss)"), 8, 90,
         [&](int i) {
             return runMessage(QStringLiteral("cpp"), QStringLiteral("main.cpp"),
                               cppHello + QStringLiteral("// job %1 %2\n")
                                              .arg(i)
                                              .arg(QDateTime::currentMSecsSinceEpoch()));
         }},
    };
    // Warm the cache for the cache-hit case (one compile, not measured).
    {
        BenchClient warm;
        if (warm.openAndWait(server.url(), server.token(), QStringLiteral("warm")))
            warm.request(runMessage(QStringLiteral("cpp"), QStringLiteral("main.cpp"), cppHello),
                         resultType, 60000);
    }
    Table table(QStringLiteral("Throughput at saturation (8 connections x 4 jobs in flight)"),
                {QStringLiteral("Jobs"), QStringLiteral("done"), QStringLiteral("jobs/s"),
                 QStringLiteral("median ms"), QStringLiteral("p99 ms"), QStringLiteral("max ms"),
                 QStringLiteral("errors"), QStringLiteral("statuses"),
                 QStringLiteral("coderoomd CPU"), QStringLiteral("sandbox CPU s"),
                 QStringLiteral("RSS MB")});
    const auto addRow = [&table](const QString &name, const LoadResult &r) {
        table.addRow({name, QString::number(r.done),
                      number(r.wallS > 0 ? double(r.done) / r.wallS : 0.0, 1),
                      ms(r.latency.medianMs()), ms(r.latency.p99Ms()), ms(r.latency.maxMs()),
                      QString::number(r.errors),
                      statusText(r.statuses) +
                          (r.unfinished > 0
                               ? QStringLiteral("; %1 unfinished at the deadline").arg(r.unfinished)
                               : QString()),
                      number(r.serverCpuPercent) + QLatin1Char('%'), number(r.childrenCpuS, 1),
                      number(double(r.rssKb) / 1024.0)});
    };
    for (const Case &c : cases)
        addRow(c.name, saturate(server, 8, 4, c.total, c.deadlineS, c.job));
    // The Python case again on a server without pre-started sandboxes (own server only).
    ServerHandle cold;
    if (o.url.isEmpty() && bringUp(o, cold, {QStringLiteral("--prestart"), QStringLiteral("0")}))
        addRow(
            cases.front().name + QStringLiteral(", --prestart 0"),
            saturate(cold, 8, 4, cases.front().total, cases.front().deadlineS, cases.front().job));
    table.print();
    return 0;
}

int runReplay(const Options &o)
{
    ServerHandle server;
    if (!bringUp(o, server, {}))
        return 1;
    BenchClient client;
    if (!client.openAndWait(server.url(), server.token(), QStringLiteral("bench"))) {
        complain(QStringLiteral("cannot connect to %1").arg(server.url().toString()));
        return 1;
    }
    const int reps = 5;
    const int refillMs = 400;
    Table table(QStringLiteral("Restoring a closed session by replay (resume with session.open)"),
                {QStringLiteral("History entries"), QStringLiteral("n"),
                 QStringLiteral("median ms"), QStringLiteral("p99 ms"), QStringLiteral("max ms"),
                 QStringLiteral("per entry ms"), QStringLiteral("errors"),
                 QStringLiteral("state checked")});
    for (const int size : {10, 100, 1000}) {
        const QString session = str(
            client.request(openMessage(QStringLiteral("python")), openedType, 30000), "session");
        int errors = 0;
        client.request(evalMessage(session, QStringLiteral("x = 0")), resultType, 10000);
        for (int i = 1; i < size; ++i) {
            if (!isOk(client.request(evalMessage(session, QStringLiteral("x += 1")), resultType,
                                     10000)))
                ++errors;
        }
        Samples samples;
        bool stateOk = true;
        for (int rep = 0; rep < reps; ++rep) {
            client.request(closeMessage(session), closedType, 10000);
            pause(refillMs); // a warm interpreter waits in the pool, as in normal operation
            QElapsedTimer timer;
            timer.start();
            const QJsonObject r = client.request(resumeMessage(session), openedType, 120000);
            const qint64 ns = timer.nsecsElapsed();
            if (str(r, "type") != QLatin1String("session.opened") ||
                r.value(QStringLiteral("history")).toInt() != size) {
                ++errors;
                continue;
            }
            samples.add(ns);
        }
        // Checked once, after the last restore: the check itself becomes a history entry.
        const QJsonObject x =
            client.request(evalMessage(session, QStringLiteral("x")), resultType, 10000);
        stateOk = str(x, "value") == QString::number(size - 1);
        table.addRow({QString::number(size), QString::number(samples.count()),
                      ms(samples.medianMs()), ms(samples.p99Ms()), ms(samples.maxMs()),
                      QString::number(samples.medianMs() / size, 'f', 3), QString::number(errors),
                      stateOk ? QStringLiteral("x == %1").arg(size - 1) : QStringLiteral("NO")});
    }
    table.print();
    return 0;
}

} // namespace coderoom::bench
