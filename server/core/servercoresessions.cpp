// The session messages of the core: open, resume, restart, close, eval, complete, history, and
// the session events back to their connection.
#include "servercore.h"

#include "clientconnection.h"
#include "sessionmanager.h"
#include "store.h"
#include "workrequest.h"

namespace coderoom::core {

using namespace coderoom::protocol;
using transport::ClientConnection;

void ServerCore::handleSessionOpen(ClientConnection *c, const SessionOpen &m)
{
    const QString connectionId = c->id();
    const auto reply = [this, connectionId, id = m.id](const sessions::OpenResult &r) {
        ClientConnection *conn = m_connections.value(connectionId);
        if (!conn)
            return;
        if (!r.ok) {
            conn->sendError(r.error, r.message, id);
            return;
        }
        m_sessionConnection.insert(r.session, connectionId);
        conn->send(SessionOpened{id, r.session, r.language, r.restored, r.history});
    };
    if (m.session.isEmpty()) {
        QString why;
        if (!m_quota.allowSession(c->user(), m_sessions->liveCountOf(c->user()), &why)) {
            c->sendError(ErrorCode::QuotaExceeded, why, m.id);
            return;
        }
        tellIfWaiting(c, m.id, m_sessions->open(c->user(), m.language, reply));
        return;
    }
    // Route the session's events here before the resume replays it: session.restored comes
    // first, then session.opened.
    if (m_sessions->owns(c->user(), m.session))
        m_sessionConnection.insert(m.session, connectionId);
    m_sessions->resume(c->user(), m.session, reply);
    tellIfWaiting(c, m.id, m.session);
}

void ServerCore::tellIfWaiting(ClientConnection *c, const QString &id, const QString &session)
{
    // The reply comes from the event loop at the earliest, so this precedes session.opened.
    // Only about the user's own session: another user's id was answered not_found.
    if (session.isEmpty() || !m_sessions->owns(c->user(), session))
        return;
    if (const int ahead = m_sessions->startsAhead(session); ahead >= 0)
        c->send(SessionWaiting{id, session, ahead});
}

void ServerCore::handleSessionRestart(ClientConnection *c, const SessionRestart &m)
{
    const QString connectionId = c->id();
    m_sessions->restart(c->user(), m.session,
                        [this, connectionId, id = m.id](const sessions::OpenResult &r) {
                            ClientConnection *conn = m_connections.value(connectionId);
                            if (!conn)
                                return;
                            if (!r.ok)
                                conn->sendError(r.error, r.message, id);
                            else
                                conn->send(SessionOpened{id, r.session, r.language, false, 0});
                        });
}

void ServerCore::handleSessionClose(ClientConnection *c, const SessionClose &m)
{
    QString error;
    if (!m_sessions->close(c->user(), m.session, &error)) {
        c->sendError(ErrorCode::NotFound, error, m.id);
        return;
    }
    m_sessionConnection.remove(m.session);
    c->send(SessionClosed{m.id, m.session});
}

void ServerCore::handleEval(ClientConnection *c, const Eval &m)
{
    const std::optional<QString> language = m_sessions->languageOf(c->user(), m.session);
    if (!language) {
        c->sendError(ErrorCode::NotFound,
                     QStringLiteral("no session \"%1\" of yours").arg(m.session), m.id);
        return;
    }
    const qint64 codeBytes = m.code.toUtf8().size();
    if (codeBytes > m_config.limits.maxCodeBytes) {
        c->sendError(ErrorCode::TooLarge,
                     QStringLiteral("the cell is %1 bytes; this server takes at most %2")
                         .arg(codeBytes)
                         .arg(m_config.limits.maxCodeBytes),
                     m.id);
        return;
    }
    m_sessionConnection.insert(m.session, c->id());
    WorkRequest::Setup setup;
    setup.clientId = m.id;
    setup.request = newRequestId();
    setup.sessions = m_sessions;
    setup.user = c->user();
    setup.session = m.session;
    setup.code = m.code;
    setup.limits.runTimeMs = m_config.limits.runTimeMs;
    setup.limits.inputWaitMs = m_sessions->config().inputWaitMs; // what its session applies
    setup.limits.outputBytes = m_config.limits.outputBytes;
    setup.backlogCapBytes = m_config.clientBacklogBytes;
    // Counted in /metrics under the session's language.
    setup.language.id = *language;
    // One lane per session: its cells run one after another, in order.
    submit({c->user(), c->id(), sinkFor(c)}, new WorkRequest(std::move(setup), sinkFor(c), this),
           m.id, m.session);
}

void ServerCore::handleComplete(ClientConnection *c, const Complete &m)
{
    const QString connectionId = c->id();
    m_sessions->complete(
        c->user(), m.session, m.code, m.cursor,
        [this, connectionId, id = m.id, session = m.session](const QStringList &items) {
            if (ClientConnection *conn = m_connections.value(connectionId))
                conn->send(Completions{id, session, items});
        });
}

void ServerCore::handleHistory(ClientConnection *c, const HistoryRequest &m)
{
    if (!m_sessions->owns(c->user(), m.session)) {
        c->sendError(ErrorCode::NotFound,
                     QStringLiteral("no session \"%1\" of yours").arg(m.session), m.id);
        return;
    }
    c->send(HistoryReply{m.id, m.session, m_sessions->history(c->user(), m.session)});
}

void ServerCore::onSessionRestored(const QString &session, RestoreReason reason, qint64 replayed,
                                   std::optional<qint64> divergedAt, const QString &message)
{
    if (ClientConnection *conn = m_connections.value(m_sessionConnection.value(session))) {
        SessionRestored event;
        event.session = session;
        event.reason = reason;
        event.replayed = replayed;
        event.divergedAt = divergedAt;
        event.message = message;
        conn->send(event);
    }
}

} // namespace coderoom::core
