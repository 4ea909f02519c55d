// The session API: open, resume, restart, close, eval, complete, history.
#include "sessionmanager_p.h"

#include "languageregistry.h"
#include "store.h"

#include <QDateTime>

namespace coderoom::sessions {

using namespace coderoom::protocol;
using Phase = SessionManager::Live::Phase;

namespace {

qint64 wallNowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

OpenResult failure(ErrorCode code, const QString &message)
{
    OpenResult r;
    r.error = code;
    r.message = message;
    return r;
}

Status wireStatus(const QString &stored)
{
    if (stored == QLatin1String(StatusInterrupted) || stored == QLatin1String(StatusCrashed))
        return Status::Error;
    if (stored == QLatin1String(StatusRunning) || stored.isEmpty())
        return Status::InternalError;
    return statusFromWire(stored).value_or(Status::Error);
}

} // namespace

// ---- EvalJob --------------------------------------------------------------------------------

EvalJob::EvalJob(SessionManager *manager, const QString &session, const QString &code)
    : m_manager(manager)
    , m_session(session)
    , m_code(code)
{}

void EvalJob::writeStdin(const QByteArray &data)
{
    if (m_manager && !m_done)
        m_manager->jobInput(this, data, false);
}

void EvalJob::closeStdin()
{
    if (m_manager && !m_done)
        m_manager->jobInput(this, {}, true);
}

void EvalJob::interrupt()
{
    if (m_manager && !m_done)
        m_manager->jobInterrupt(this, false);
}

void EvalJob::cancel()
{
    if (m_manager && !m_done)
        m_manager->jobInterrupt(this, true);
}

void EvalJob::finish(const EvalOutcome &outcome)
{
    if (m_done)
        return;
    m_done = true;
    emit done(outcome);
}

// ---- SessionManager: the API ----------------------------------------------------------------

SessionManager::SessionManager(const SessionConfig &config, store::Store *store,
                               const languages::LanguageRegistry *languages, QObject *parent)
    : QObject(parent)
    , m_config(config)
    , m_store(store)
    , m_languages(languages)
{
    m_clock.start();
    m_health.setInterval(int(m_config.healthIntervalMs));
    connect(&m_health, &QTimer::timeout, this, &SessionManager::healthTick);
    m_health.start();
    m_retention.setInterval(3600 * 1000);
    connect(&m_retention, &QTimer::timeout, this, [this] {
        const int purged = m_store->purgeIdle(m_config.retentionMs, wallNowMs());
        if (purged > 0)
            qCInfo(lcSessions) << "retention: removed" << purged << "idle sessions";
    });
    m_retention.start();
}

SessionManager::~SessionManager()
{
    for (Live *s : std::as_const(m_sessions)) {
        if (s->interp)
            s->interp->disconnect(this);
        delete s->interp;
        delete s;
    }
    for (const auto &pool : std::as_const(m_pool))
        qDeleteAll(pool);
}

SessionManager::Live *SessionManager::live(const QString &session) const
{
    return m_sessions.value(session);
}

bool SessionManager::owns(const QString &user, const QString &session) const
{
    return languageOf(user, session).has_value();
}

std::optional<QString> SessionManager::languageOf(const QString &user, const QString &session) const
{
    if (const Live *s = live(session))
        return s->user == user ? std::optional<QString>(s->language) : std::nullopt;
    const auto record = m_store->session(session, user);
    if (!record)
        return std::nullopt;
    return record->language;
}

SessionManager::Live *SessionManager::ensureLoaded(const QString &user, const QString &session)
{
    if (Live *s = live(session))
        return s->user == user ? s : nullptr;
    const auto record = m_store->session(session, user);
    if (!record)
        return nullptr;
    auto *s = new Live;
    s->id = record->id;
    s->user = record->user;
    s->language = record->language;
    s->lastUsedMs = m_clock.elapsed();
    m_sessions.insert(s->id, s);
    return s;
}

QString SessionManager::open(const QString &user, const QString &language, const OpenCallback &done)
{
    const languages::Language *l = m_languages->find(language);
    if (!l || !l->available) {
        done(failure(ErrorCode::UnknownLanguage,
                     QStringLiteral("unknown or unavailable language \"%1\"").arg(language)));
        return {};
    }
    if (!l->hasRepl) {
        done(failure(ErrorCode::NotSupported,
                     QStringLiteral("%1 has no interactive session; use run for whole programs")
                         .arg(l->name)));
        return {};
    }
    QString error;
    const auto record = m_store->createSession(user, language, &error);
    if (!record) {
        done(failure(ErrorCode::InternalError,
                     QStringLiteral("cannot create the session: ") + error));
        return {};
    }
    auto *s = new Live;
    s->id = record->id;
    s->user = user;
    s->language = language;
    s->lastUsedMs = m_clock.elapsed();
    m_sessions.insert(s->id, s);
    s->announce = false; // nothing to restore in a new session
    bring(s, RestoreReason::Restart, [this, s, done] {
        OpenResult r;
        r.ok = s->phase == Phase::Idle || s->phase == Phase::Busy;
        r.error = ErrorCode::InternalError;
        r.message = r.ok ? QString() : QStringLiteral("the interpreter could not be started");
        r.session = s->id;
        r.language = s->language;
        done(r);
    });
    return record->id;
}

void SessionManager::resume(const QString &user, const QString &session, const OpenCallback &done)
{
    Live *s = ensureLoaded(user, session);
    if (!s) {
        done(failure(ErrorCode::NotFound,
                     QStringLiteral("no session \"%1\" of yours").arg(session)));
        return;
    }
    m_store->setClosed(s->id, false);
    const bool wasLive = s->phase != Phase::Hibernated;
    s->announce = true;
    bring(s, s->everLive ? RestoreReason::Evicted : RestoreReason::Restart,
          [this, s, wasLive, done] {
              qint64 count = 0;
              for (const store::HistoryRecord &h : m_store->history(s->id))
                  count += h.kind == store::EntryKind::Eval ? 1 : 0;
              OpenResult r;
              r.ok = s->phase == Phase::Idle || s->phase == Phase::Busy;
              r.message = r.ok ? QString() : QStringLiteral("the interpreter could not be started");
              r.session = s->id;
              r.language = s->language;
              r.restored = true;
              r.history = count;
              Q_UNUSED(wasLive);
              done(r);
          });
}

void SessionManager::restart(const QString &user, const QString &session, const OpenCallback &done)
{
    Live *s = ensureLoaded(user, session);
    if (!s) {
        done(failure(ErrorCode::NotFound,
                     QStringLiteral("no session \"%1\" of yours").arg(session)));
        return;
    }
    if (s->job)
        failEval(s, Status::Cancelled, QStringLiteral("The session was restarted."),
                 StatusInterrupted);
    hibernate(s);
    m_store->clearHistory(s->id);
    s->announce = false;
    s->everLive = false;
    bring(s, RestoreReason::Restart, [s, done] {
        OpenResult r;
        r.ok = s->phase == Phase::Idle;
        r.message = r.ok ? QString() : QStringLiteral("the interpreter could not be started");
        r.session = s->id;
        r.language = s->language;
        done(r);
    });
}

bool SessionManager::close(const QString &user, const QString &session, QString *error)
{
    Live *s = ensureLoaded(user, session);
    if (!s) {
        *error = QStringLiteral("no session \"%1\" of yours").arg(session);
        return false;
    }
    if (s->job)
        failEval(s, Status::Cancelled, QStringLiteral("The session was closed."),
                 StatusInterrupted);
    hibernate(s);
    m_store->setClosed(s->id, true);
    m_sessions.remove(s->id);
    const auto waiting = std::exchange(s->waiting, {});
    delete s;
    for (const auto &w : waiting)
        w(); // they find the session gone and answer accordingly
    return true;
}

EvalJob *SessionManager::eval(const QString &user, const QString &session, const QString &code)
{
    auto *job = new EvalJob(this, session, code);
    Live *target = ensureLoaded(user, session);
    if (!target) {
        QTimer::singleShot(0, job, [job, session] {
            job->finish({Status::InternalError,
                         {},
                         QStringLiteral("The session %1 is gone.").arg(session),
                         0,
                         false});
        });
        return job;
    }
    // Started from the event loop, never inside eval(): the caller connects to the job first.
    QTimer::singleShot(0, job, [this, id = target->id, job] {
        Live *s = live(id);
        if (!s) {
            job->finish(
                {Status::InternalError, {}, QStringLiteral("The session is gone."), 0, false});
            return;
        }
        if (s->phase == Phase::Hibernated && !hasRoom()) {
            // The only "overloaded" a cell gets: waking its session needs an interpreter and
            // every one the server may run is busy with a cell or starting.
            job->finish({Status::Overloaded,
                         {},
                         QStringLiteral("Server busy: all %1 interpreters of this server are "
                                        "running cells right now, so your session could not be "
                                        "woken. Nothing ran and your variables are kept; try "
                                        "again in a few seconds.")
                             .arg(m_config.maxInterpreters),
                         0,
                         false});
            return;
        }
        s->announce = true;
        bring(s, s->everLive ? RestoreReason::Evicted : RestoreReason::Restart,
              [this, id, pending = QPointer<EvalJob>(job)] {
                  EvalJob *cell = pending.data();
                  if (cell == nullptr || cell->m_done)
                      return; // cancelled while it waited for the interpreter
                  Live *cur = live(id);
                  if (!cur || cur->phase != Phase::Idle) {
                      cell->finish({Status::InternalError,
                                    {},
                                    QStringLiteral("The session's interpreter could not be "
                                                   "started."),
                                    0,
                                    false});
                      return;
                  }
                  startEval(cur, cell);
              });
    });
    return job;
}

void SessionManager::complete(const QString &user, const QString &session, const QString &code,
                              qint64 cursor, const std::function<void(const QStringList &)> &done)
{
    Live *target = live(session);
    if (!target || target->user != user || target->phase != Phase::Idle || !target->interp ||
        target->completion) {
        done({}); // completion never wakes or waits for an interpreter: it is a convenience
        return;
    }
    target->completion = done;
    target->completionSeq = ++m_nextPing;
    target->interp->complete(target->completionSeq, code, cursor);
    const qint64 seq = target->completionSeq;
    QTimer::singleShot(2000, this, [this, id = target->id, seq] {
        Live *s = live(id);
        if (s && s->completion && s->completionSeq == seq)
            std::exchange(s->completion, {})({});
    });
}

QList<HistoryEntry> SessionManager::history(const QString &user, const QString &session) const
{
    QList<HistoryEntry> out;
    if (!owns(user, session))
        return out;
    for (const store::HistoryRecord &h : m_store->history(session)) {
        if (h.kind == store::EntryKind::Eval)
            out.append({h.seq, h.code, wireStatus(h.status)});
    }
    return out;
}

int SessionManager::startPosition(const QString &session) const
{
    if (m_startQueue.contains(session))
        return m_startQueue.position(session);
    const Live *s = live(session);
    if (s && s->phase != Phase::Hibernated)
        return 0; // live, or starting already
    // Hibernated (or not loaded yet): a start asked for now waits for everyone queued, or for
    // nobody when a slot is free.
    return m_starting.size() < std::max(1, m_config.maxStarting) ? 0 : m_startQueue.size();
}

int SessionManager::startsAhead(const QString &session) const
{
    if (!m_startQueue.contains(session))
        return -1;
    const int position = m_startQueue.position(session);
    const int freeSlots = std::max(1, m_config.maxStarting) - int(m_starting.size());
    return position < freeSlots && hasRoom() ? -1 : position;
}

int SessionManager::liveCount() const
{
    int n = 0;
    for (const Live *s : m_sessions)
        n += s->interp ? 1 : 0;
    return n;
}

int SessionManager::liveCountOf(const QString &user) const
{
    int n = 0;
    for (const Live *s : m_sessions)
        n += s->interp && s->user == user ? 1 : 0;
    return n;
}

int SessionManager::hibernatedCount() const
{
    return int(m_sessions.size()) - liveCount();
}

QList<SessionManager::Summary> SessionManager::summaries() const
{
    QList<Summary> out;
    const qint64 now = m_clock.elapsed();
    for (const Live *s : m_sessions) {
        out.append({s->id, s->user, s->language, s->interp != nullptr,
                    s->phase == Live::Phase::Busy, std::max<qint64>(0, now - s->lastUsedMs)});
    }
    return out;
}

int SessionManager::poolCount() const
{
    int n = 0;
    for (const auto &pool : m_pool)
        n += int(pool.size());
    return n;
}

} // namespace coderoom::sessions
