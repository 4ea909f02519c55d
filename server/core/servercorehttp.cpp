// The HTTP side of the core: health, readiness, metrics, and the REST APIs' entry.
#include "servercore.h"

#include "adminapi.h"
#include "epolldispatcher.h"
#include "frontdoor.h"
#include "restapi.h"
#include "sandboxprocess.h"
#include "scheduler.h"
#include "sessionmanager.h"
#include "store.h"

#include "languageregistry.h"
#include "libraryprobe.h"
#include "prestartpool.h"

#include <QAbstractEventDispatcher>

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <sys/resource.h>

namespace coderoom::core {

using namespace coderoom::protocol;
using transport::HttpRequest;
using transport::HttpResponse;

void ServerCore::handleHttp(const HttpRequest &request,
                            const std::function<void(const HttpResponse &)> &reply)
{
    if (m_rest && m_rest->handle(request, reply))
        return;
    if (m_admin && m_admin->handle(request, reply))
        return;
    if (request.method != "GET" && request.method != "HEAD") {
        reply(HttpResponse::json(405, R"({"message":"method not allowed"})"));
        return;
    }
    if (request.path == QLatin1String("/health")) {
        reply(HttpResponse::json(200, R"({"status":"ok"})"));
    } else if (request.path == QLatin1String("/ready")) {
        checkLibraries();
        reply(readiness());
    } else if (request.path == QLatin1String("/metrics")) {
        QByteArray body =
            m_metrics.render({m_scheduler->queuedCount(), m_scheduler->runningCount(),
                              int(m_connections.size()), m_config.scheduler.workers,
                              m_interactive->queuedCount(), m_interactive->runningCount()});
        body += "# HELP coderoom_sessions Sessions known this run, by state.\n"
                "# TYPE coderoom_sessions gauge\n"
                "coderoom_sessions{state=\"live\"} " +
                QByteArray::number(m_sessions->liveCount()) +
                "\ncoderoom_sessions{state=\"hibernated\"} " +
                QByteArray::number(m_sessions->hibernatedCount()) +
                "\n# HELP coderoom_warm_interpreters Pre-started interpreters waiting.\n"
                "# TYPE coderoom_warm_interpreters gauge\ncoderoom_warm_interpreters " +
                QByteArray::number(m_sessions->poolCount()) +
                "\n# HELP coderoom_interpreter_starts Interpreter starts (new or woken sessions) "
                "in progress and waiting their turn.\n# TYPE coderoom_interpreter_starts gauge\n"
                "coderoom_interpreter_starts{state=\"starting\"} " +
                QByteArray::number(m_sessions->startingCount()) +
                "\ncoderoom_interpreter_starts{state=\"waiting\"} " +
                QByteArray::number(m_sessions->startQueueLength()) +
                "\n# HELP coderoom_replays_total Sessions rebuilt from their history.\n"
                "# TYPE coderoom_replays_total counter\ncoderoom_replays_total " +
                QByteArray::number(m_sessions->replayCount()) + '\n';
        if (m_prestart) {
            const languages::PrestartStats starts = m_prestart->stats();
            body += "# HELP coderoom_run_starts_total Batch runs by how their sandbox started.\n"
                    "# TYPE coderoom_run_starts_total counter\n"
                    "coderoom_run_starts_total{start=\"prestarted\"} " +
                    QByteArray::number(starts.served) +
                    "\ncoderoom_run_starts_total{start=\"cold\"} " +
                    QByteArray::number(starts.cold) +
                    "\n# HELP coderoom_prestarted_ready Pre-started batch sandboxes waiting.\n"
                    "# TYPE coderoom_prestarted_ready gauge\ncoderoom_prestarted_ready " +
                    QByteArray::number(m_prestart->readyCount()) + '\n';
        }
        body += eventLoopMetrics();
        HttpResponse r = HttpResponse::text(200, body);
        r.contentType = "text/plain; version=0.0.4; charset=utf-8";
        reply(r);
    } else {
        reply(HttpResponse::json(404, R"({"message":"not found"})"));
    }
}

void ServerCore::checkLibraries()
{
    // On the first /ready, not at start: four imports of scipy-sized libraries cost seconds of
    // CPU that a server which nobody asks about (a test, a student's local server) never needs.
    if (m_librariesChecked || !m_languages)
        return;
    m_librariesChecked = true;
    for (const languages::Language &l : m_languages->languages()) {
        if (l.libraries.isEmpty())
            continue;
        auto *probe = new languages::LibraryProbe(l, m_resourcesDir, this);
        m_libraryProbes.append(probe);
        probe->start();
    }
}

QJsonArray ServerCore::librariesJson(const languages::Language &language) const
{
    const auto it = std::find_if(
        m_libraryProbes.cbegin(), m_libraryProbes.cend(),
        [&](const languages::LibraryProbe *p) { return p->languageId() == language.id; });
    const languages::LibraryProbe *probe = it == m_libraryProbes.cend() ? nullptr : *it;
    const QList<languages::LibraryStatus> results =
        probe ? probe->results() : QList<languages::LibraryStatus>();
    QJsonArray list;
    for (const QString &name : language.libraries) {
        QJsonObject entry{{QStringLiteral("name"), name}, {QStringLiteral("ok"), false}};
        const auto found = std::find_if(results.cbegin(), results.cend(),
                                        [&](const auto &r) { return r.name == name; });
        if (found == results.cend()) {
            entry.insert(QStringLiteral("checking"), true);
        } else if (found->ok) {
            entry.insert(QStringLiteral("ok"), true);
            entry.insert(QStringLiteral("version"), found->version);
        } else {
            entry.insert(QStringLiteral("problem"), found->problem);
        }
        list.append(entry);
    }
    return list;
}

HttpResponse ServerCore::readiness() const
{
    const sandbox::Capabilities &caps = sandbox::probeCapabilities();
    QJsonObject sandboxInfo{
        {QStringLiteral("ok"), caps.usable},
        {QStringLiteral("bwrap"), caps.bwrapVersion},
        {QStringLiteral("seccomp"), caps.seccomp},
        {QStringLiteral("cgroup"), caps.cgroup},
        {QStringLiteral("drops_privileges"), caps.dropsPrivileges},
        {QStringLiteral("enforcement"), QJsonArray::fromStringList(sandbox::enforcement())}};
    if (!caps.problem.isEmpty())
        sandboxInfo.insert(QStringLiteral("problem"), caps.problem);
    QJsonArray languages;
    int available = 0;
    for (const languages::Language &l : m_languages->languages()) {
        QJsonObject o{{QStringLiteral("id"), l.id},
                      {QStringLiteral("ok"), l.available},
                      {QStringLiteral("version"), l.version}};
        if (!l.available)
            o.insert(QStringLiteral("problem"), l.problem);
        if (!l.libraries.isEmpty())
            o.insert(QStringLiteral("libraries"), librariesJson(l));
        available += l.available ? 1 : 0;
        languages.append(o);
    }
    // The store must answer a query, not only be open: a vanished or locked file shows here.
    const qint64 sessionsStored = m_store ? m_store->sessionCount() : -1;
    QJsonObject storeInfo{{QStringLiteral("ok"), sessionsStored >= 0},
                          {QStringLiteral("sessions"), sessionsStored}};
    if (sessionsStored < 0 && m_store)
        storeInfo.insert(QStringLiteral("problem"), m_store->lastError());
    // Every connection, pipe and database file is a descriptor: the figure an admin compares
    // with LimitNOFILE when connections are refused (the front door logs each refusal).
    rlimit fileLimit{};
    ::getrlimit(RLIMIT_NOFILE, &fileLimit);
    const qint64 fdsInUse =
        QDir(QStringLiteral("/proc/self/fd"))
            .entryList(QDir::AllEntries | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot)
            .size();
    const QJsonObject descriptors{{QStringLiteral("limit"), qint64(fileLimit.rlim_cur)},
                                  {QStringLiteral("in_use"), fdsInUse}};
    QStringList reasons;
    if (!caps.usable)
        reasons << QStringLiteral("sandbox: ") + caps.problem;
    if (sessionsStored < 0)
        reasons << QStringLiteral("store: ") +
                       storeInfo.value(QStringLiteral("problem")).toString();
    if (available == 0)
        reasons << QStringLiteral("no language works");
    if (m_draining)
        reasons << QStringLiteral("shutting down");
    const bool ready = reasons.isEmpty();
    QJsonObject body{
        {QStringLiteral("status"), ready ? QStringLiteral("ready") : QStringLiteral("not ready")},
        {QStringLiteral("sandbox"), sandboxInfo},
        {QStringLiteral("store"), storeInfo},
        {QStringLiteral("descriptors"), descriptors},
        {QStringLiteral("languages"), languages}};
    if (!ready)
        body.insert(QStringLiteral("reason"), reasons.join(QStringLiteral("; ")));
    return HttpResponse::json(ready ? 200 : 503,
                              QJsonDocument(body).toJson(QJsonDocument::Compact));
}

// The main thread's event loop, as /metrics shows it (rendered by Metrics).
QByteArray ServerCore::eventLoopMetrics()
{
    Metrics::EventLoop loop;
    const eventloop::EpollEventDispatcher *epoll = eventloop::EpollEventDispatcher::current();
    if (!epoll) {
        const QAbstractEventDispatcher *any = QAbstractEventDispatcher::instance();
        loop.dispatcher = any ? any->metaObject()->className() : "none";
        return Metrics::render(loop);
    }
    const eventloop::DispatcherCounters c = epoll->counters();
    loop.dispatcher = "epoll";
    loop.counted = true;
    loop.passes = c.passes;
    loop.waits = c.waits;
    loop.wakeUps = c.wakeUps;
    loop.notifierEvents = c.notifierEvents;
    loop.timerEvents = c.timerEvents;
    loop.epollChanges = c.epollChanges;
    loop.descriptors = epoll->registeredDescriptors();
    return Metrics::render(loop);
}

} // namespace coderoom::core
