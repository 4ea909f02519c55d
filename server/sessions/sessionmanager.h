#pragma once

#include "evaljob.h"
#include "interpreter.h"
#include "sessiontypes.h"
#include "startqueue.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>
#include <optional>

namespace coderoom::store {
class Store;
enum class EntryKind;
}
namespace coderoom::languages {
class LanguageRegistry;
}

// Interpreter sessions that never lose a student's work. A session is its history in the store;
// a live interpreter is only a cache of that history's effect, rebuilt by replay whenever it is
// lost (crash, hang, eviction, server restart).
//
// Per session:  Hibernated --(open/eval)--> Restoring --(replayed)--> Idle <--> Busy
//               Idle/Busy --(interpreter died or hung)--> Restoring (reason crash)
//               Idle --(LRU eviction past maxInterpreters)--> Hibernated (reason evicted later)
// Work that arrives while a session restores waits for it (open replies, evals start after).
// restored() is emitted whenever an interpreter was rebuilt from history.
//
// Starting an interpreter (and replaying into it) is bounded: at most maxStarting at once; the
// others wait in a StartQueue (round robin across users; startPosition() says where) until a
// start slot is free and there is room under maxInterpreters (an idle one to evict, or fewer
// live). A rebuild after a crash during replay keeps its slot. A cell for a hibernated session
// when every interpreter is busy is not queued: it ends Overloaded at once (eval()).
namespace coderoom::sessions {

class SessionManager final : public QObject
{
    Q_OBJECT
public:
    // The limits cells run under (fixed at start; a reload changes new runs only).
    const SessionConfig &config() const { return m_config; }
    SessionManager(const SessionConfig &config, store::Store *store,
                   const languages::LanguageRegistry *languages, QObject *parent = nullptr);
    ~SessionManager() override;

    void startWarmPool();

    using OpenCallback = std::function<void(const OpenResult &)>;
    // New session for a language with a REPL; its id (empty when refused at once: `done` was
    // called with the reason).
    QString open(const QString &user, const QString &language, const OpenCallback &done);
    // Existing session (reconnect or server restart); not_found for another user's id.
    void resume(const QString &user, const QString &session, const OpenCallback &done);
    void restart(const QString &user, const QString &session, const OpenCallback &done);
    bool close(const QString &user, const QString &session, QString *error);
    bool owns(const QString &user, const QString &session) const;
    // The language of a session the user owns, nullopt otherwise. From memory for a session
    // known this run (every eval of a live one asks: no database read on that path).
    std::optional<QString> languageOf(const QString &user, const QString &session) const;

    // Starts at once (the scheduler already granted it a slot); the job is owned by the caller.
    EvalJob *eval(const QString &user, const QString &session, const QString &code);
    void complete(const QString &user, const QString &session, const QString &code, qint64 cursor,
                  const std::function<void(const QStringList &)> &done);
    QList<protocol::HistoryEntry> history(const QString &user, const QString &session) const;

    // Interpreter starts ahead of this session's: 0 = next or live, -1 = unknown session. For a
    // hibernated session not queued yet, a prediction: where a start asked for now would be.
    int startPosition(const QString &session) const;
    // Starts ahead of this session's when it is queued and has to wait (no free start slot, or
    // no room under maxInterpreters); -1 when it is live, not queued or starts at once.
    int startsAhead(const QString &session) const;
    int startingCount() const { return int(m_starting.size()); } // for /metrics
    int startQueueLength() const { return m_startQueue.size(); } // for /metrics

    int liveCount() const;
    int liveCountOf(const QString &user) const; // the user's sessions with an interpreter
    int hibernatedCount() const;
    int poolCount() const;
    qint64 replayCount() const { return m_replays; }

    // Every session loaded this run, for the admin view. idleMs: since its last eval or open.
    struct Summary
    {
        QString id;
        QString user;
        QString language;
        bool live = false; // has an interpreter (else hibernated: history only)
        bool busy = false; // an eval is running
        qint64 idleMs = 0;
    };
    QList<Summary> summaries() const;

    struct Live; // per-session state, opaque outside the module (sessionmanager_p.h)

signals:
    void restored(const QString &session, protocol::RestoreReason reason, qint64 replayed,
                  std::optional<qint64> divergedAt, const QString &message);

private:
    friend class EvalJob;
    struct ReplayStep
    {
        qint64 seq = 0;
        QString code;
        QString status;
        QStringList inputs;
    };

    Live *live(const QString &session) const;
    Live *ensureLoaded(const QString &user, const QString &session);
    // Makes the session live (restoring it if needed), then runs `then`. `retry`: a restore
    // that failed once goes on with its attempt count and limits.
    void bring(Live *s, protocol::RestoreReason reason, std::function<void()> then,
               bool retry = false);
    void launch(Live *s); // takes a start slot and an interpreter, then replays
    void schedulePumpStarts();
    void pumpStarts();
    bool hasRoom() const; // an interpreter can be started without running over the cap
    void releaseStart(Live *s);
    Interpreter *takeInterpreter(const QString &language, QString *error);
    void refillPool(const QString &language);
    void bind(Live *s, Interpreter *interpreter);
    void replayNext(Live *s);
    void finishRestore(Live *s, std::optional<qint64> divergedAt, const QString &message);
    void evictIfNeeded(Live *keep);
    void hibernate(Live *s);
    void onInterpreterDied(Live *s, const sandbox::Result &result);
    std::optional<qint64> takeSeq(Live *s, QString *error);
    bool record(Live *s, qint64 seq, store::EntryKind kind, const QString &code,
                const QString &status, qint64 parentSeq, QString *error);
    void startEval(Live *s, EvalJob *job);
    void sendEval(Live *s, EvalJob *job);
    void resendEval(Live *s, EvalJob *job);
    void onEvalResult(Live *s, const DriverResult &result);
    void failEval(Live *s, protocol::Status status, const QString &message, const char *stored,
                  const QString &limit = {});
    void healthTick();
    void jobInterrupt(EvalJob *job, bool cancel);
    void jobInput(EvalJob *job, const QByteArray &data, bool eof);
    void pauseForInput(Live *s);
    void resumeAfterInput(Live *s);

    SessionConfig m_config;
    store::Store *m_store;
    const languages::LanguageRegistry *m_languages;
    QHash<QString, Live *> m_sessions; // loaded sessions (live or hibernated this run)
    QHash<QString, QList<Interpreter *>> m_pool;
    QHash<QString, int> m_poolStarting;
    StartQueue m_startQueue;
    QSet<QString> m_starting; // sessions holding a start slot (restoring)
    bool m_startPumpScheduled = false;
    QTimer m_health;
    QTimer m_retention;
    qint64 m_nextPing = 0;
    qint64 m_replays = 0;
    QElapsedTimer m_clock;
};

} // namespace coderoom::sessions
