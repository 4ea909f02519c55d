#include "metrics.h"

namespace coderoom::core {

void Histogram::observe(double seconds)
{
    for (std::size_t i = 0; i < std::size(bounds); ++i) {
        if (seconds <= bounds[i])
            ++m_counts[i];
    }
    ++m_total;
    m_sum += seconds;
}

QByteArray Histogram::render(const QByteArray &name, const QByteArray &help) const
{
    QByteArray out = "# HELP " + name + ' ' + help + "\n# TYPE " + name + " histogram\n";
    for (std::size_t i = 0; i < std::size(bounds); ++i) {
        out += name + "_bucket{le=\"" + QByteArray::number(bounds[i]) + "\"} " +
               QByteArray::number(m_counts[i]) + '\n';
    }
    out += name + "_bucket{le=\"+Inf\"} " + QByteArray::number(m_total) + '\n';
    out += name + "_sum " + QByteArray::number(m_sum, 'f', 6) + '\n';
    out += name + "_count " + QByteArray::number(m_total) + '\n';
    return out;
}

void Metrics::count(const QString &language, bool eval, const QString &status)
{
    ++results[{language, status}];
    ++laneResults[{eval ? QStringLiteral("interactive") : QStringLiteral("batch"), status}];
}

namespace {

// One sample with its HELP and TYPE lines.
void append(QByteArray &out, const char *type, const QByteArray &name, const QByteArray &help,
            qint64 value)
{
    out += "# HELP " + name + ' ' + help + "\n# TYPE " + name + ' ' + type + '\n' + name + ' ' +
           QByteArray::number(value) + '\n';
}

} // namespace

QByteArray Metrics::render(const Gauges &g) const
{
    QByteArray out;
    const auto gauge = [&out](const QByteArray &name, const QByteArray &help, qint64 value) {
        append(out, "gauge", name, help, value);
    };
    const auto counter = [&out](const QByteArray &name, const QByteArray &help, qint64 value) {
        append(out, "counter", name, help, value);
    };
    gauge("coderoom_queue_depth", "Batch runs waiting for a worker.", g.queued);
    gauge("coderoom_running_jobs", "Batch runs running now.", g.running);
    gauge("coderoom_workers", "Batch runs that may run at once.", g.workers);
    gauge("coderoom_connected_clients", "Open WebSocket connections.", g.clients);
    out += "# HELP coderoom_lane_queued Work waiting, by lane (interactive: REPL cells waiting "
           "for their session).\n# TYPE coderoom_lane_queued gauge\n"
           "coderoom_lane_queued{lane=\"batch\"} " +
           QByteArray::number(g.queued) + "\ncoderoom_lane_queued{lane=\"interactive\"} " +
           QByteArray::number(g.cellsQueued) +
           "\n# HELP coderoom_lane_running Work running, by lane.\n"
           "# TYPE coderoom_lane_running gauge\ncoderoom_lane_running{lane=\"batch\"} " +
           QByteArray::number(g.running) + "\ncoderoom_lane_running{lane=\"interactive\"} " +
           QByteArray::number(g.cellsRunning) + '\n';
    counter("coderoom_overloaded_total", "Requests refused because the queue was full.",
            overloaded);
    counter("coderoom_queue_timeouts_total", "Requests that waited past the queue TTL.",
            queueTimeouts);
    counter("coderoom_hello_failures_total", "Refused hellos (bad token or protocol).",
            helloFailures);
    counter("coderoom_refused_frames_total", "Malformed or oversized frames.", refusedFrames);
    out += "# HELP coderoom_results_total Results sent, by language and status.\n"
           "# TYPE coderoom_results_total counter\n";
    for (auto it = results.cbegin(); it != results.cend(); ++it) {
        out += "coderoom_results_total{language=\"" + it.key().first.toUtf8() + "\",status=\"" +
               it.key().second.toUtf8() + "\"} " + QByteArray::number(it.value()) + '\n';
    }
    out += "# HELP coderoom_lane_results_total Results sent, by lane (batch: runs; "
           "interactive: REPL cells) and status (refusals included).\n"
           "# TYPE coderoom_lane_results_total counter\n";
    for (auto it = laneResults.cbegin(); it != laneResults.cend(); ++it) {
        out += "coderoom_lane_results_total{lane=\"" + it.key().first.toUtf8() + "\",status=\"" +
               it.key().second.toUtf8() + "\"} " + QByteArray::number(it.value()) + '\n';
    }
    out += "# HELP coderoom_sandbox_failures_total Jobs the sandbox could not start or run, "
           "by reason.\n# TYPE coderoom_sandbox_failures_total counter\n";
    for (auto it = sandboxFailures.cbegin(); it != sandboxFailures.cend(); ++it) {
        out += "coderoom_sandbox_failures_total{reason=\"" + it.key().toUtf8() + "\"} " +
               QByteArray::number(it.value()) + '\n';
    }
    out += waitSeconds.render("coderoom_queue_wait_seconds", "Time from acceptance to start.");
    out += runSeconds.render("coderoom_run_seconds", "Wall time of finished programs.");
    return out;
}

QByteArray Metrics::render(const EventLoop &loop)
{
    QByteArray out = "# HELP coderoom_event_loop_info The server's event dispatcher.\n"
                     "# TYPE coderoom_event_loop_info gauge\n"
                     "coderoom_event_loop_info{dispatcher=\"" +
                     loop.dispatcher + "\"} 1\n";
    if (!loop.counted)
        return out;
    const auto counter = [&out](const QByteArray &name, const QByteArray &help, quint64 value) {
        append(out, "counter", name, help, qint64(value));
    };
    counter("coderoom_event_loop_passes_total", "Passes of the event loop (processEvents).",
            loop.passes);
    counter("coderoom_event_loop_waits_total",
            "Passes that could block in epoll_wait (each one a wake-up when it returns).",
            loop.waits);
    counter("coderoom_event_loop_wakeups_total",
            "Cross-thread or posted-event wake-ups (eventfd writes).", loop.wakeUps);
    counter("coderoom_event_loop_notifier_events_total", "Socket and pipe notifications delivered.",
            loop.notifierEvents);
    counter("coderoom_event_loop_timer_events_total", "Timer events delivered.", loop.timerEvents);
    counter("coderoom_event_loop_epoll_changes_total", "epoll_ctl calls.", loop.epollChanges);
    append(out, "gauge", "coderoom_event_loop_descriptors", "Descriptors watched.",
           loop.descriptors);
    return out;
}

} // namespace coderoom::core
