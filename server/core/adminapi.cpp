#include "adminapi.h"

#include "clientconnection.h"
#include "httptypes.h"
#include "scheduler.h"
#include "servercore.h"
#include "sessionmanager.h"
#include "store.h"
#include "workrequest.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcAdmin, "coderoom.server.admin")

namespace coderoom::core {

using namespace coderoom::protocol;
using transport::HttpRequest;
using transport::HttpResponse;

namespace {

HttpResponse jsonError(int status, const QString &message)
{
    return HttpResponse::json(status,
                              QJsonDocument(QJsonObject{{QStringLiteral("message"), message}})
                                  .toJson(QJsonDocument::Compact));
}

HttpResponse jsonBody(const QJsonObject &body)
{
    return HttpResponse::json(200, QJsonDocument(body).toJson(QJsonDocument::Compact));
}

// "Bearer <token>" (scheme case-insensitive, RFC 7235); empty when absent or another scheme.
QString bearerToken(const HttpRequest &request)
{
    const QByteArray value = request.header("authorization").trimmed();
    if (value.size() < 7 || value.left(7).toLower() != "bearer ")
        return {};
    return QString::fromUtf8(value.mid(7).trimmed());
}

// Admin responses carry who is connected: never cached, never framed by another site.
HttpResponse hardened(HttpResponse r)
{
    r.headers.append({QByteArray("Cache-Control"), QByteArray("no-store")});
    r.headers.append({QByteArray("X-Content-Type-Options"), QByteArray("nosniff")});
    r.headers.append({QByteArray("X-Frame-Options"), QByteArray("DENY")});
    return r;
}

} // namespace

AdminApi::AdminApi(ServerCore *core)
    : m_core(core)
{}

bool AdminApi::load(const QString &adminTokenFile, const QString &dataDir, QString *error)
{
    const auto loaded = m_auth.load(adminTokenFile, dataDir, error, QStringLiteral("admin-token"));
    if (!loaded)
        return false;
    m_tokenPath = loaded->path;
    m_tokenCreated = loaded->created;
    return true;
}

bool AdminApi::handle(const HttpRequest &request,
                      const std::function<void(const HttpResponse &)> &reply)
{
    if (request.path != QLatin1String("/admin") &&
        !request.path.startsWith(QLatin1String("/admin/")))
        return false;
    reply(hardened(route(request)));
    return true;
}

HttpResponse AdminApi::route(const HttpRequest &request)
{
    const bool get = request.method == "GET" || request.method == "HEAD";
    if (request.path == QLatin1String("/admin") || request.path == QLatin1String("/admin/")) {
        if (!get)
            return jsonError(405, QStringLiteral("method not allowed"));
        HttpResponse r;
        r.contentType = "text/html; charset=utf-8";
        r.body = page();
        // The page's own script and style only; it talks to this server and nothing else.
        r.headers.append({QByteArray("Content-Security-Policy"),
                          QByteArray("default-src 'none'; script-src 'unsafe-inline'; "
                                     "style-src 'unsafe-inline'; connect-src 'self'")});
        return r;
    }

    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 retryAfterMs = 0;
    if (!m_limiter.allowed(request.peer, now, &retryAfterMs)) {
        HttpResponse r = jsonError(
            429, QStringLiteral("too many wrong admin tokens from your address; try again in %1 s")
                     .arg((retryAfterMs + 999) / 1000));
        r.headers.append(
            {QByteArray("Retry-After"), QByteArray::number((retryAfterMs + 999) / 1000)});
        return r;
    }
    if (!m_auth.matches(bearerToken(request))) {
        m_limiter.recordFailure(request.peer, now);
        qCWarning(lcAdmin).noquote() << "refused admin request" << request.method << request.path
                                     << "from" << request.peer.toString() << "(wrong token)";
        HttpResponse r = jsonError(401, QStringLiteral("missing or wrong admin token"));
        r.headers.append({QByteArray("WWW-Authenticate"), QByteArray("Bearer")});
        return r;
    }
    m_limiter.recordSuccess(request.peer);

    const QStringList parts = request.path.mid(7).split(QLatin1Char('/'));
    if (parts.size() == 1) {
        if (!get)
            return jsonError(405, QStringLiteral("method not allowed"));
        if (parts[0] == QLatin1String("clients"))
            return HttpResponse::json(200, clients());
        if (parts[0] == QLatin1String("jobs"))
            return HttpResponse::json(200, jobs());
        if (parts[0] == QLatin1String("sessions"))
            return HttpResponse::json(200, sessions());
    } else if (parts.size() == 3 && !parts[1].isEmpty()) {
        const bool jobCancel =
            parts[0] == QLatin1String("jobs") && parts[2] == QLatin1String("cancel");
        const bool sessionClose =
            parts[0] == QLatin1String("sessions") && parts[2] == QLatin1String("close");
        if ((jobCancel || sessionClose) && request.method != "POST")
            return jsonError(405, QStringLiteral("use POST"));
        if (jobCancel)
            return cancelJob(parts[1]);
        if (sessionClose)
            return closeSession(parts[1]);
    }
    return jsonError(404, QStringLiteral("not found"));
}

QByteArray AdminApi::clients() const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QHash<QString, int> sessionsOf;
    for (const QString &connection : std::as_const(m_core->m_sessionConnection))
        ++sessionsOf[connection];
    QHash<QString, int> jobsOf;
    for (const QString &owner : std::as_const(m_core->m_requestOwner))
        ++jobsOf[owner];
    QJsonArray out;
    for (const transport::ClientConnection *c : std::as_const(m_core->m_connections)) {
        const qint64 since = m_core->m_connectedAt.value(c->id(), now);
        out.append(
            QJsonObject{{QStringLiteral("id"), c->id()},
                        {QStringLiteral("user"), c->user()}, // empty until hello succeeded
                        {QStringLiteral("address"), c->peerAddress().toString()},
                        {QStringLiteral("connected_since"),
                         QDateTime::fromMSecsSinceEpoch(since, Qt::UTC).toString(Qt::ISODate)},
                        {QStringLiteral("connected_ms"), now - since},
                        {QStringLiteral("sessions"), sessionsOf.value(c->id())},
                        {QStringLiteral("jobs"), jobsOf.value(c->id())}});
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("clients"), out}})
        .toJson(QJsonDocument::Compact);
}

QByteArray AdminApi::jobs() const
{
    QJsonArray out;
    for (auto it = m_core->m_requests.cbegin(); it != m_core->m_requests.cend(); ++it) {
        const WorkRequest *r = it.value();
        const bool running = r->isRunning();
        const qint64 runningMs = running ? r->runningMs() : 0;
        out.append(QJsonObject{
            {QStringLiteral("id"), it.key()},
            {QStringLiteral("user"), m_core->m_requestUser.value(it.key())},
            {QStringLiteral("client"), m_core->m_requestOwner.value(it.key())},
            {QStringLiteral("kind"), r->isEval() ? QStringLiteral("eval") : QStringLiteral("run")},
            {QStringLiteral("language"), r->language()},
            {QStringLiteral("state"),
             running ? QStringLiteral("running") : QStringLiteral("queued")},
            {QStringLiteral("waited_ms"), r->queuedMs() - runningMs},
            {QStringLiteral("running_ms"), runningMs}});
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("jobs"), out}}).toJson(QJsonDocument::Compact);
}

QByteArray AdminApi::sessions() const
{
    QJsonArray out;
    for (const sessions::SessionManager::Summary &s : m_core->m_sessions->summaries()) {
        const QString state = s.busy   ? QStringLiteral("busy")
                              : s.live ? QStringLiteral("live")
                                       : QStringLiteral("hibernated");
        out.append(
            QJsonObject{{QStringLiteral("id"), s.id},
                        {QStringLiteral("user"), s.user},
                        {QStringLiteral("language"), s.language},
                        {QStringLiteral("state"), state},
                        {QStringLiteral("history"), qint64(m_core->m_store->history(s.id).size())},
                        {QStringLiteral("idle_ms"), s.idleMs},
                        {QStringLiteral("client"), m_core->m_sessionConnection.value(s.id)}});
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("sessions"), out}})
        .toJson(QJsonDocument::Compact);
}

HttpResponse AdminApi::cancelJob(const QString &request)
{
    WorkRequest *r = m_core->m_requests.value(request);
    if (!r)
        return jsonError(404, QStringLiteral("no job \"%1\" is queued or running").arg(request));
    const QString user = m_core->m_requestUser.value(request);
    QString was;
    switch (m_core->laneOf(r)->cancel(request)) {
    case scheduler::CancelResult::RemovedFromQueue:
        was = QStringLiteral("queued");
        r->finishWithoutRunning(Status::Cancelled,
                                QStringLiteral("An administrator cancelled this program before "
                                               "it started."));
        break;
    case scheduler::CancelResult::Running:
        was = QStringLiteral("running");
        r->stop(QStringLiteral("Stopped by an administrator."));
        break;
    case scheduler::CancelResult::NotFound:
        return jsonError(404, QStringLiteral("job \"%1\" is already ending").arg(request));
    }
    qCInfo(lcAdmin).noquote() << "administrator cancelled" << was << "job" << request << "of"
                              << user;
    return jsonBody({{QStringLiteral("id"), request}, {QStringLiteral("was"), was}});
}

HttpResponse AdminApi::closeSession(const QString &session)
{
    QString user;
    for (const sessions::SessionManager::Summary &s : m_core->m_sessions->summaries()) {
        if (s.id == session)
            user = s.user;
    }
    QString error;
    if (user.isEmpty() || !m_core->m_sessions->close(user, session, &error))
        return jsonError(404, QStringLiteral("no session \"%1\" is loaded").arg(session));
    const QString reason = QStringLiteral("An administrator closed this session; its history "
                                          "is kept.");
    if (transport::ClientConnection *c =
            m_core->m_connections.value(m_core->m_sessionConnection.take(session)))
        c->send(SessionClosed{{}, session, reason});
    qCInfo(lcAdmin).noquote() << "administrator closed session" << session << "of" << user;
    return jsonBody({{QStringLiteral("id"), session}, {QStringLiteral("user"), user}});
}

} // namespace coderoom::core
