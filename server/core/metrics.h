#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

// Counters and histograms for /metrics, rendered in Prometheus text format.
namespace coderoom::core {

class Histogram
{
public:
    void observe(double seconds);
    QByteArray render(const QByteArray &name, const QByteArray &help) const;

private:
    static constexpr double bounds[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                        0.5,   1,    2.5,   5,    10,  30};
    qint64 m_counts[std::size(bounds)] = {};
    qint64 m_total = 0;
    double m_sum = 0;
};

struct Metrics
{
    // Gauges read at render time from the live objects. Batch: runs and their worker slots;
    // interactive: REPL cells (one lane per session, no worker slot).
    struct Gauges
    {
        int queued = 0;
        int running = 0;
        int clients = 0;
        int workers = 0;
        int cellsQueued = 0;
        int cellsRunning = 0;
    };

    // One result sent (refusals included).
    void count(const QString &language, bool eval, const QString &status);

    QHash<QPair<QString, QString>, qint64> results;     // (language, status) -> count
    QHash<QPair<QString, QString>, qint64> laneResults; // (lane, status) -> count
    qint64 overloaded = 0;
    qint64 queueTimeouts = 0;
    qint64 helloFailures = 0;
    qint64 refusedFrames = 0;
    // reason -> count: run_failed_to_start, compile_failed_to_start. The sandbox's own
    // failures, not the program's (a crash or a limit is the program's). Interactive sessions
    // are not counted: the session manager does not tell a sandbox failure from a store one.
    QHash<QString, qint64> sandboxFailures;
    Histogram waitSeconds;
    Histogram runSeconds;

    QByteArray render(const Gauges &gauges) const;

    // What the main thread's event loop did (server/eventloop's counters); `counted` is false on
    // Qt's own dispatcher, which has none: then only the dispatcher's name is shown.
    struct EventLoop
    {
        QByteArray dispatcher;
        bool counted = false;
        quint64 passes = 0;
        quint64 waits = 0;
        quint64 wakeUps = 0;
        quint64 notifierEvents = 0;
        quint64 timerEvents = 0;
        quint64 epollChanges = 0;
        int descriptors = 0;
    };
    static QByteArray render(const EventLoop &loop);
};

} // namespace coderoom::core
