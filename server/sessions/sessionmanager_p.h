#pragma once

#include "sessionmanager.h"

#include <QLoggingCategory>
#include <QPointer>

Q_DECLARE_LOGGING_CATEGORY(lcSessions)

namespace coderoom::sessions {

// Replay window: cells sent ahead of the one running, and their size in characters.
inline constexpr int replayWindowCells = 64;
inline constexpr qsizetype replayWindowChars = 1024 * 1024;

// What the manager keeps per session it has seen this run. A hibernated one is a few strings.
struct SessionManager::Live
{
    enum class Phase
    {
        Hibernated,
        Restoring,
        Idle,
        Busy
    };

    QString id;
    QString user;
    QString language;
    Phase phase = Phase::Hibernated;
    Interpreter *interp = nullptr;
    bool everLive = false; // had an interpreter in this server run: a later rebuild is an eviction
    qint64 lastUsedMs = 0;
    // The seq of its next history entry, numbered here so that a cell can go to the
    // interpreter before its entry is written; 0: read it from the store first.
    qint64 nextSeq = 0;
    QPointer<EvalJob> job;
    QList<std::function<void()>> waiting; // run when the restore finishes

    // Restore in progress.
    protocol::RestoreReason reason = protocol::RestoreReason::Restart;
    bool announce = false; // emit restored() at the end (not for a brand-new session)
    QList<ReplayStep> steps;
    int stepIndex = 0;       // the oldest cell whose result has not come
    int sentIndex = 0;       // the next cell to send (replay is pipelined)
    bool redoReplay = false; // stopped on purpose: later cells ran past a divergence
    int stepLimit = -1;      // after a crash during replay: replay only the cells before it
    int replayAttempts = 0;
    std::optional<qint64> divergedAt;
    QString divergence;

    // Timers of the running eval or replay step; health ping.
    QTimer *deadline = nullptr;
    QTimer *grace = nullptr;
    // Thinking time is not run time: while the running cell waits for input nobody has typed,
    // the deadline counts the input-wait limit instead and the time limit's rest is kept here.
    bool waitingForInput = false;
    qint64 runTimeLeftMs = 0;
    qint64 pingSentMs = -1;

    // A completion waiting for its answer.
    std::function<void(const QStringList &)> completion;
    qint64 completionSeq = 0;
};

} // namespace coderoom::sessions
