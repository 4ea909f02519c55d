// Interpreter lifecycle: warm pool, binding, replay, eviction, crash recovery, health, evals.
#include "sessionmanager_p.h"

#include "languageregistry.h"
#include "store.h"

#include <climits>

namespace coderoom::sessions {

using namespace coderoom::protocol;
using Phase = SessionManager::Live::Phase;

namespace {

// A driver lives as long as its session: the per-process limits that would add up over a
// session's life (wall clock, CPU seconds, output) are enforced per eval by the manager instead.
void loosenForSession(sandbox::Spec &spec)
{
    spec.limits.wallMs = 12LL * 3600 * 1000;
    spec.limits.cpuMs = 3600LL * 1000;
    spec.limits.outputBytes = qint64(1) << 50;
}

bool replays(const QString &status)
{
    return status == QLatin1String("ok") || status == QLatin1String("error");
}

} // namespace

void SessionManager::startWarmPool()
{
    for (const languages::Language &l : m_languages->availableLanguages()) {
        if (l.hasRepl)
            refillPool(l.id);
    }
}

void SessionManager::refillPool(const QString &language)
{
    const int target = m_config.warmPool.value(language, m_config.defaultWarmPool);
    while (m_pool.value(language).size() + m_poolStarting.value(language) < target) {
        const languages::Language *l = m_languages->find(language);
        QString error;
        auto spec = l ? languages::replSpec(*l, m_config.resourcesDir, &error) : std::nullopt;
        if (!spec) {
            qCWarning(lcSessions).noquote() << "no warm pool for" << language << error;
            return;
        }
        loosenForSession(*spec);
        auto *interp = new Interpreter(language, this);
        ++m_poolStarting[language];
        connect(interp, &Interpreter::ready, this, [this, interp, language] {
            --m_poolStarting[language];
            m_pool[language].append(interp);
        });
        connect(interp, &Interpreter::died, this, [this, interp, language] {
            if (m_pool[language].removeOne(interp)) {
                refillPool(language);
            } else {
                --m_poolStarting[language];
                // A driver that dies while starting is retried later, never in a tight loop.
                QTimer::singleShot(5000, this, [this, language] { refillPool(language); });
            }
            interp->deleteLater();
        });
        interp->start(*spec);
    }
}

Interpreter *SessionManager::takeInterpreter(const QString &language, QString *error)
{
    QList<Interpreter *> &pool = m_pool[language];
    while (!pool.isEmpty()) {
        Interpreter *interp = pool.takeFirst();
        interp->disconnect(this);
        if (interp->state() == Interpreter::State::Ready) {
            QTimer::singleShot(0, this, [this, language] { refillPool(language); });
            return interp;
        }
        interp->deleteLater();
    }
    const languages::Language *l = m_languages->find(language);
    auto spec = l ? languages::replSpec(*l, m_config.resourcesDir, error) : std::nullopt;
    if (!spec)
        return nullptr;
    loosenForSession(*spec);
    auto *interp = new Interpreter(language, this);
    interp->start(*spec);
    QTimer::singleShot(0, this, [this, language] { refillPool(language); });
    return interp;
}

void SessionManager::bring(Live *s, RestoreReason reason, std::function<void()> then, bool retry)
{
    s->lastUsedMs = m_clock.elapsed();
    switch (s->phase) {
    case Phase::Idle:
    case Phase::Busy:
        then();
        return;
    case Phase::Restoring:
        s->waiting.append(std::move(then));
        return;
    case Phase::Hibernated:
        break;
    }
    s->waiting.append(std::move(then));
    s->phase = Phase::Restoring;
    s->reason = reason;
    if (!retry) {
        s->divergedAt.reset();
        s->divergence.clear();
        s->stepLimit = -1;
        s->replayAttempts = 0;
    }
    if (retry && m_starting.contains(s->id)) {
        launch(s); // rebuilt during its own restore: it keeps its start slot
        return;
    }
    m_startQueue.push(s->id, s->user);
    schedulePumpStarts();
}

void SessionManager::launch(Live *s)
{
    m_starting.insert(s->id);
    evictIfNeeded(s);
    QString error;
    Interpreter *interp = takeInterpreter(s->language, &error);
    if (!interp) {
        qCWarning(lcSessions).noquote() << "cannot start an interpreter for" << s->id << error;
        s->phase = Phase::Hibernated;
        releaseStart(s);
        for (const auto &w : std::exchange(s->waiting, {}))
            w();
        return;
    }
    bind(s, interp);
}

void SessionManager::schedulePumpStarts()
{
    if (m_startPumpScheduled || m_startQueue.isEmpty())
        return;
    m_startPumpScheduled = true;
    QMetaObject::invokeMethod(this, &SessionManager::pumpStarts, Qt::QueuedConnection);
}

void SessionManager::pumpStarts()
{
    m_startPumpScheduled = false;
    while (!m_startQueue.isEmpty() && m_starting.size() < std::max(1, m_config.maxStarting)) {
        if (!hasRoom()) {
            // Every interpreter is busy or starting: the next cell result, hibernation or
            // death pumps again.
            qCDebug(lcSessions) << m_startQueue.size() << "sessions wait for a free interpreter";
            return;
        }
        Live *s = live(m_startQueue.takeNext());
        if (!s || s->phase != Phase::Restoring || s->interp)
            continue;
        launch(s);
    }
}

bool SessionManager::hasRoom() const
{
    int liveNow = 0;
    for (const Live *s : std::as_const(m_sessions)) {
        if (!s->interp)
            continue;
        if (s->phase == Phase::Idle)
            return true; // evictIfNeeded() can hibernate it
        ++liveNow;
    }
    return liveNow < m_config.maxInterpreters;
}

void SessionManager::releaseStart(Live *s)
{
    m_startQueue.remove(s->id);
    if (m_starting.remove(s->id) || !m_startQueue.isEmpty())
        schedulePumpStarts();
}

void SessionManager::bind(Live *target, Interpreter *interp)
{
    interp->setParent(this);
    target->interp = interp;
    target->everLive = true;
    target->pingSentMs = -1;
    const QString id = target->id;
    const auto beginReplay = [this, id] {
        Live *s = live(id);
        if (!s || s->phase != Phase::Restoring)
            return;
        // Build the replay list: cells that completed (ok or error) with the input they read.
        s->steps.clear();
        QHash<qint64, QStringList> inputs;
        const QList<store::HistoryRecord> history = m_store->history(s->id);
        for (const store::HistoryRecord &h : history) {
            if (h.kind == store::EntryKind::Input)
                inputs[h.parentSeq].append(h.code);
        }
        for (const store::HistoryRecord &h : history) {
            if (h.kind == store::EntryKind::Eval && replays(h.status))
                s->steps.append({h.seq, h.code, h.status, inputs.value(h.seq)});
        }
        s->stepIndex = 0;
        s->sentIndex = 0;
        replayNext(s);
    };
    connect(interp, &Interpreter::output, this,
            [this, id](sandbox::Stream stream, const QByteArray &data) {
                Live *s = live(id);
                EvalJob *job = s && s->phase == Phase::Busy ? s->job.data() : nullptr;
                if (!job || !job->m_unsaved.isEmpty())
                    return; // replay output is discarded by the driver; anything else is stray
                            // (or belongs to a cell being undone)
                const qint64 room = m_config.evalOutputBytes - job->m_outputBytes;
                if (room <= 0)
                    return;
                job->m_outputBytes += data.size();
                emit job->output(stream, data.left(room));
                if (data.size() > room && !job->m_overOutput) {
                    job->m_overOutput = true;
                    s->interp->interrupt();
                }
            });
    connect(interp, &Interpreter::evalFinished, this, [this, id](const DriverResult &r) {
        Live *s = live(id);
        if (!s)
            return;
        if (s->phase == Phase::Restoring) {
            const ReplayStep &step = s->steps.value(s->stepIndex);
            if (r.seq != step.seq)
                return;
            if (r.status != step.status) {
                s->divergedAt = step.seq;
                s->divergence = QStringLiteral("Cell %1 ran differently while the session was "
                                               "restored (it said \"%2\" before, \"%3\" now). "
                                               "The session holds what ran before it.")
                                    .arg(step.seq)
                                    .arg(step.status, r.status);
                if (s->sentIndex > s->stepIndex + 1) {
                    // Later cells already wait in the driver's pipe and would run past the
                    // divergence: rebuild once more, up to the cell before it.
                    s->stepLimit = s->stepIndex;
                    s->redoReplay = true;
                    s->interp->stop();
                    return;
                }
                finishRestore(s, s->divergedAt, s->divergence);
                return;
            }
            ++s->stepIndex;
            replayNext(s);
        } else if (s->phase == Phase::Busy) {
            onEvalResult(s, r);
        }
    });
    connect(interp, &Interpreter::inputWait, this, [this, id](qint64 seq) {
        Live *s = live(id);
        EvalJob *job = s ? s->job.data() : nullptr;
        if (!job || job->m_seq != seq || !job->m_unsaved.isEmpty())
            return;
        pauseForInput(s);
        emit job->inputWanted();
    });
    connect(interp, &Interpreter::inputConsumed, this, [this, id](qint64 seq, const QString &data) {
        Live *s = live(id);
        EvalJob *job = s ? s->job.data() : nullptr;
        if (!job || job->m_seq != seq)
            return;
        QString error;
        const std::optional<qint64> inputSeq = takeSeq(s, &error);
        if (!inputSeq || !record(s, *inputSeq, store::EntryKind::Input, data,
                                 QStringLiteral("ok"), seq, &error))
            qCWarning(lcSessions).noquote() << "cannot record input of" << s->id << error;
    });
    connect(interp, &Interpreter::completions, this,
            [this, id](qint64 seq, const QStringList &items, qint64) {
                Live *s = live(id);
                if (s && s->completion && s->completionSeq == seq)
                    std::exchange(s->completion, {})(items);
            });
    connect(interp, &Interpreter::pong, this, [this, id](qint64) {
        if (Live *s = live(id))
            s->pingSentMs = -1;
    });
    connect(interp, &Interpreter::died, this, [this, id, interp](const sandbox::Result &result) {
        Live *s = live(id);
        if (s && s->interp == interp)
            onInterpreterDied(s, result);
    });
    if (interp->state() == Interpreter::State::Ready)
        beginReplay();
    else
        connect(interp, &Interpreter::ready, this, beginReplay);
}

void SessionManager::replayNext(Live *target)
{
    const int end = target->stepLimit >= 0
                        ? std::min<int>(target->stepLimit, int(target->steps.size()))
                        : int(target->steps.size());
    if (target->stepIndex >= end) {
        finishRestore(target, target->divergedAt, target->divergence);
        return;
    }
    // Pipelined: a driver runs cells in order and reads the next one only after answering the
    // current one (docs/drivers.md, ordering rule 1), so the next cells can wait in its control
    // pipe instead of costing one event-loop round trip each. A window keeps the pipe short.
    target->sentIndex = std::max(target->sentIndex, target->stepIndex);
    qint64 inFlightBytes = 0;
    for (int i = target->stepIndex; i < target->sentIndex; ++i)
        inFlightBytes += target->steps.at(i).code.size();
    while (target->sentIndex < end && target->sentIndex - target->stepIndex < replayWindowCells) {
        const ReplayStep &step = target->steps.at(target->sentIndex);
        if (target->sentIndex > target->stepIndex &&
            inFlightBytes + step.code.size() > replayWindowChars)
            break;
        target->interp->eval(step.seq, step.code, true, step.inputs);
        inFlightBytes += step.code.size();
        ++target->sentIndex;
    }
    // The oldest unanswered cell is the one running: it gets the time a live cell gets, and one
    // that hangs now is cut off.
    if (!target->deadline) {
        target->deadline = new QTimer(this);
        target->deadline->setSingleShot(true);
    }
    target->deadline->disconnect();
    connect(target->deadline, &QTimer::timeout, this, [this, id = target->id] {
        Live *s = live(id);
        if (s && s->phase == Phase::Restoring && s->interp)
            s->interp->stop(); // died() continues the restore without this cell
    });
    target->deadline->start(int(m_config.evalTimeMs));
}

void SessionManager::finishRestore(Live *s, std::optional<qint64> divergedAt,
                                   const QString &message)
{
    if (s->deadline)
        s->deadline->stop();
    releaseStart(s);
    const qint64 replayed = s->stepIndex;
    s->steps = {}; // a hibernated session should cost a few strings, not its history
    s->phase = Phase::Idle;
    s->lastUsedMs = m_clock.elapsed();
    if (s->announce) {
        ++m_replays;
        qCInfo(lcSessions) << "session" << s->id << "restored:" << replayed << "cells replayed";
        emit restored(s->id, s->reason, replayed, divergedAt, message);
    }
    s->announce = true; // from now on every rebuild is news to the client
    for (const auto &w : std::exchange(s->waiting, {}))
        w();
}

void SessionManager::evictIfNeeded(Live *keep)
{
    int liveNow = 0;
    for (const Live *s : std::as_const(m_sessions))
        liveNow += s->interp ? 1 : 0;
    while (liveNow >= m_config.maxInterpreters) {
        Live *victim = nullptr;
        for (Live *s : std::as_const(m_sessions)) {
            if (s != keep && s->phase == Phase::Idle && s->interp &&
                (!victim || s->lastUsedMs < victim->lastUsedMs))
                victim = s;
        }
        if (!victim)
            break; // everyone is busy: run over the cap rather than refuse work
        qCDebug(lcSessions) << "evicting idle session" << victim->id;
        hibernate(victim);
        --liveNow;
    }
}

void SessionManager::hibernate(Live *s)
{
    if (s->deadline)
        s->deadline->stop();
    if (s->grace)
        s->grace->stop();
    if (s->interp) {
        s->interp->disconnect(this);
        s->interp->deleteLater(); // its SandboxProcess kills the namespace
        s->interp = nullptr;
    }
    if (s->completion)
        std::exchange(s->completion, {})({});
    s->phase = Phase::Hibernated;
    s->pingSentMs = -1;
    releaseStart(s); // out of the start queue or slot; its interpreter's room is free
}

void SessionManager::onInterpreterDied(Live *s, const sandbox::Result &result)
{
    const Phase was = s->phase;
    const bool cellDelivered = s->interp && s->interp->lastEvalReachedDriver();
    qCInfo(lcSessions).noquote() << "interpreter of" << s->id
                                 << "ended:" << sandbox::toString(result.outcome) << result.message;
    if (s->interp) {
        s->interp->disconnect(this);
        s->interp->deleteLater();
        s->interp = nullptr;
    }
    s->phase = Phase::Hibernated;
    if (was == Phase::Restoring && std::exchange(s->redoReplay, false)) {
        bring(
            s, s->reason, [] {}, /*retry=*/true); // stopped on purpose after a divergence
        return;
    }
    if (was == Phase::Restoring) {
        // The interpreter died during the replay. Killed from outside, or did the cell being
        // replayed take it down? Replay everything once more; only if it dies again is that
        // cell cut off (the cells before it are kept), and after a third death the student
        // gets a fresh interpreter rather than a loop.
        const ReplayStep step = s->steps.value(s->stepIndex);
        const int failedAt = s->stepIndex;
        s->replayAttempts += 1;
        if (s->replayAttempts >= 2) {
            s->stepLimit = s->replayAttempts == 2 ? failedAt : 0;
            s->divergedAt = step.seq;
            s->divergence = QStringLiteral("Cell %1 stopped the interpreter while the session "
                                           "was restored; the session holds what ran before it.")
                                .arg(step.seq);
        }
        // Waiting work, the announcement and the retry state carry over to the new attempt.
        bring(
            s, s->reason, [] {}, /*retry=*/true);
        return;
    }
    EvalJob *job = was == Phase::Busy ? s->job.data() : nullptr;
    if (job && !job->m_unsaved.isEmpty()) {
        failEval(s, Status::InternalError,
                 QStringLiteral("The session's history could not be saved, so the cell was "
                                "undone (your session is rebuilt without it): ") +
                     job->m_unsaved,
                 StatusInterrupted);
        s->announce = true;
        bring(s, RestoreReason::Crash, [] {});
        return;
    }
    if (job && !cellDelivered && !job->m_timedOut && !job->m_cancelled && !job->m_interrupted &&
        !job->m_resent) {
        // The interpreter was gone before the cell got into its pipe (killed while idle, the
        // server not told yet): the cell did not run, so it runs on the rebuilt interpreter
        // instead of being blamed for a crash it did not cause. Not if the student already
        // asked to stop it.
        resendEval(s, job);
        return;
    }
    if (job) {
        if (job->m_inputTimedOut) {
            // Worded by the core (resultwording.h), like a run's: the limit says which.
            failEval(s, Status::Timeout, {}, StatusInterrupted, QStringLiteral("input_wait"));
        } else if (job->m_timedOut) {
            failEval(s, Status::Timeout,
                     QStringLiteral("Stopped: the cell ran longer than the time limit of %1 s. "
                                    "The interpreter was restarted and your session restored.")
                         .arg(m_config.evalTimeMs / 1000),
                     StatusInterrupted, QStringLiteral("run_time"));
        } else if (job->m_cancelled) {
            failEval(s, Status::Cancelled, QStringLiteral("Cancelled."), StatusInterrupted);
        } else if (job->m_interrupted) {
            // Stuck in one long native call: the interrupt grace ran out and the server ended it.
            failEval(s, Status::Error,
                     QStringLiteral("Interrupted: the cell did not stop within %1 s, so its "
                                    "interpreter was restarted and your session restored "
                                    "without it.")
                         .arg(double(m_config.interruptGraceMs) / 1000.0),
                     StatusInterrupted);
        } else {
            const bool memory = result.outcome == sandbox::Outcome::MemoryLimit;
            failEval(s, memory ? Status::MemoryLimit : Status::Error,
                     memory ? QStringLiteral("The interpreter ran out of memory in this cell and "
                                             "was restarted; your session was restored.")
                            : QStringLiteral("The interpreter crashed in this cell (%1) and was "
                                             "restarted; your session was restored.")
                                  .arg(result.message.isEmpty() ? sandbox::toString(result.outcome)
                                                                : result.message),
                     StatusCrashed);
        }
    }
    s->announce = true;
    bring(s, RestoreReason::Crash, [] {});
}

std::optional<qint64> SessionManager::takeSeq(Live *s, QString *error)
{
    if (s->nextSeq <= 0) {
        const std::optional<qint64> next = m_store->nextSeq(s->id, error);
        if (!next)
            return std::nullopt;
        s->nextSeq = *next;
    }
    return s->nextSeq++;
}

bool SessionManager::record(Live *s, qint64 seq, store::EntryKind kind, const QString &code,
                            const QString &status, qint64 parentSeq, QString *error)
{
    if (m_store->appendAt(s->id, seq, kind, code, status, parentSeq, error))
        return true;
    s->nextSeq = 0; // another writer may have numbered entries too: read the store again
    return false;
}

void SessionManager::startEval(Live *target, EvalJob *job)
{
    QString error;
    const std::optional<qint64> seq = takeSeq(target, &error);
    if (!seq) {
        job->finish({Status::InternalError,
                     {},
                     QStringLiteral("The session's history could not be saved, so the cell was "
                                    "not run: ") +
                         error,
                     0,
                     false});
        return;
    }
    job->m_seq = *seq;
    emit job->started();
    sendEval(target, job);
    // The entry is written while the interpreter runs the cell, not before: this thread reads
    // the cell's output and answer only after this returns, and its outcome is still stored
    // before the student hears it (onEvalResult). If the entry cannot be written, the
    // interpreter holds a cell the history does not: it is stopped and rebuilt from the
    // history, and the student is told the cell was undone (onInterpreterDied).
    if (!record(target, *seq, store::EntryKind::Eval, job->m_code, QLatin1String(StatusRunning),
                0, &error)) {
        qCWarning(lcSessions).noquote()
            << "cannot record cell" << *seq << "of" << target->id << "so it is undone:" << error;
        job->m_unsaved = error.isEmpty() ? QStringLiteral("unknown error") : error;
        target->interp->stop();
    }
}

void SessionManager::resendEval(Live *s, EvalJob *job)
{
    qCInfo(lcSessions).noquote() << "cell" << job->m_seq << "of" << s->id
                                 << "never reached its interpreter; it runs after the rebuild";
    job->m_resent = true;
    s->job = nullptr;
    s->announce = true;
    bring(s, RestoreReason::Crash, [this, id = s->id, pending = QPointer<EvalJob>(job)] {
        EvalJob *cell = pending.data();
        if (cell == nullptr || cell->m_done)
            return; // cancelled while the session was rebuilt
        Live *cur = live(id);
        if (cur && cur->phase == Phase::Idle) {
            sendEval(cur, cell); // same history entry: it is still "running", never replayed
            return;
        }
        if (cur)
            m_store->setStatus(cur->id, cell->m_seq, QLatin1String(StatusCrashed));
        cell->finish({Status::InternalError,
                      {},
                      QStringLiteral("The session's interpreter could not be started."),
                      0,
                      false});
    });
}

void SessionManager::sendEval(Live *target, EvalJob *job)
{
    target->job = job;
    target->phase = Phase::Busy;
    target->lastUsedMs = m_clock.elapsed();
    target->interp->eval(job->m_seq, job->m_code);
    if (!target->deadline) {
        target->deadline = new QTimer(this);
        target->deadline->setSingleShot(true);
    }
    target->deadline->disconnect();
    connect(target->deadline, &QTimer::timeout, this, [this, id = target->id] {
        Live *s = live(id);
        EvalJob *running = s && s->phase == Phase::Busy ? s->job.data() : nullptr;
        if (!running)
            return;
        if (s->waitingForInput)
            running->m_inputTimedOut = true;
        else
            running->m_timedOut = true;
        jobInterrupt(running, false);
    });
    target->waitingForInput = false;
    target->deadline->start(int(m_config.evalTimeMs));
}

void SessionManager::onEvalResult(Live *s, const DriverResult &r)
{
    EvalJob *job = s->job;
    if (!job || r.seq != job->m_seq || !job->m_unsaved.isEmpty())
        return; // an unsaved cell is answered when its interpreter has been stopped
    EvalOutcome outcome;
    outcome.value = r.value;
    outcome.message = r.message;
    QString stored = r.status;
    if (r.status == QLatin1String("incomplete")) {
        outcome.status = Status::Incomplete;
    } else if (job->m_inputTimedOut) {
        outcome.status = Status::Timeout;
        outcome.limit = QStringLiteral("input_wait");
        outcome.message.clear(); // worded by the core (resultwording.h)
        stored = QLatin1String(StatusInterrupted);
    } else if (job->m_timedOut) {
        outcome.status = Status::Timeout;
        outcome.limit = QStringLiteral("run_time");
        outcome.message = QStringLiteral("Stopped: the cell ran longer than the time limit of "
                                         "%1 s.")
                              .arg(m_config.evalTimeMs / 1000);
        stored = QLatin1String(StatusInterrupted);
    } else if (job->m_overOutput) {
        outcome.status = Status::OutputLimit;
        outcome.truncated = true;
        outcome.message = QStringLiteral("Stopped: the cell printed more than %1 KiB.")
                              .arg(m_config.evalOutputBytes / 1024);
        stored = QLatin1String(StatusInterrupted);
    } else if (job->m_cancelled) {
        outcome.status = Status::Cancelled;
        outcome.message = QStringLiteral("Cancelled.");
        stored = QLatin1String(StatusInterrupted);
    } else if (job->m_interrupted) {
        outcome.status = Status::Error;
        stored = QLatin1String(StatusInterrupted);
    } else {
        outcome.status = r.status == QLatin1String("ok") ? Status::Ok : Status::Error;
    }
    // The history must hold the outcome before the client hears it.
    m_store->setStatus(s->id, job->m_seq, stored);
    if (s->deadline)
        s->deadline->stop();
    if (s->grace)
        s->grace->stop();
    s->phase = Phase::Idle;
    s->job = nullptr;
    s->lastUsedMs = m_clock.elapsed();
    schedulePumpStarts(); // an idle interpreter is room for a waiting start
    job->finish(outcome);
}

void SessionManager::failEval(Live *s, Status status, const QString &message, const char *stored,
                              const QString &limit)
{
    EvalJob *job = s->job;
    if (!job)
        return;
    if (job->m_unsaved.isEmpty())
        m_store->setStatus(s->id, job->m_seq, QLatin1String(stored));
    s->job = nullptr;
    if (s->phase == Phase::Busy)
        s->phase = Phase::Idle;
    schedulePumpStarts();
    job->finish({status, {}, message, 0, false, limit});
}

void SessionManager::jobInterrupt(EvalJob *job, bool cancel)
{
    Live *target = live(job->m_session);
    if (!target || target->job != job || !target->interp) {
        // Not on an interpreter (yet): waiting for its session to start, or to be rebuilt
        // before it is sent again. Stopped now, it never runs.
        if (job->m_done)
            return;
        if (target && job->m_seq > 0)
            m_store->setStatus(target->id, job->m_seq, QLatin1String(StatusInterrupted));
        job->m_cancelled = true;
        job->finish({Status::Cancelled,
                     {},
                     QStringLiteral("Cancelled before it ran; your session is unchanged."),
                     0,
                     false});
        return;
    }
    if (cancel)
        job->m_cancelled = true;
    else if (!job->m_timedOut && !job->m_inputTimedOut)
        job->m_interrupted = true;
    resumeAfterInput(target); // a stopped cell is no longer waiting for anyone
    target->interp->interrupt();
    // Code stuck in one native call never sees the interrupt: after the grace the interpreter is
    // killed and rebuilt by replay; the cell gets its result from onInterpreterDied.
    if (!target->grace) {
        target->grace = new QTimer(this);
        target->grace->setSingleShot(true);
    }
    target->grace->disconnect();
    connect(target->grace, &QTimer::timeout, this,
            [this, id = target->id, job = QPointer<EvalJob>(job)] {
                Live *s = live(id);
                if (s && job && s->job == job && s->interp)
                    s->interp->stop();
            });
    target->grace->start(int(m_config.interruptGraceMs));
}

void SessionManager::jobInput(EvalJob *job, const QByteArray &data, bool eof)
{
    Live *s = live(job->m_session);
    if (!s || s->job != job || !s->interp)
        return;
    if (!data.isEmpty()) {
        resumeAfterInput(s);
        s->interp->writeStdin(data);
    }
    Q_UNUSED(eof); // the driver's stdin stays open across cells: EOF would end every later input()
}

void SessionManager::pauseForInput(Live *s)
{
    const EvalJob *job = s->job.data();
    if (s->phase != Phase::Busy || s->waitingForInput || !job || !s->deadline ||
        !s->deadline->isActive())
        return;
    const int left = s->deadline->remainingTime();
    if (left <= 0 || job->m_timedOut || job->m_cancelled || job->m_interrupted)
        return; // the time limit is due, or the cell is being stopped already
    s->runTimeLeftMs = left;
    s->waitingForInput = true;
    s->deadline->start(int(std::clamp<qint64>(m_config.inputWaitMs, 1, INT_MAX)));
}

void SessionManager::resumeAfterInput(Live *s)
{
    if (!s->waitingForInput)
        return;
    s->waitingForInput = false;
    if (s->deadline && s->deadline->isActive())
        s->deadline->start(int(std::max<qint64>(s->runTimeLeftMs, 1)));
}

void SessionManager::healthTick()
{
    const qint64 now = m_clock.elapsed();
    int pinged = 0;
    QList<Live *> hung;
    for (Live *s : std::as_const(m_sessions)) {
        if (s->phase != Phase::Idle || !s->interp)
            continue; // busy cells are governed by their deadline, not by pings
        if (s->pingSentMs >= 0) {
            if (now - s->pingSentMs > m_config.healthTimeoutMs)
                hung.append(s);
        } else if (pinged < m_config.healthBatch &&
                   s->interp->msSinceActivity() > m_config.healthQuietMs) {
            s->pingSentMs = now;
            s->interp->ping(++m_nextPing);
            ++pinged;
        }
    }
    for (Live *s : hung) {
        qCWarning(lcSessions) << "interpreter of" << s->id << "does not answer; rebuilding it";
        s->interp->stop(); // died() rebuilds by replay (reason crash)
    }
}

} // namespace coderoom::sessions
