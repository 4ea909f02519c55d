#pragma once

#include "resultwording.h"
#include "sessionmanager.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QStringDecoder>

#include <functional>

// One request of work, a `run` (a ProgramRun) or an `eval` (a session's EvalJob), from
// acceptance to its single result: turns their signals into protocol events on the client's
// connection. Glue only; the queueing policy is the scheduler's, the session logic the manager's.
//
// States: Queued --start()--> Running --(ProgramRun::done)--> Finished
//         Queued --finishWithoutRunning()--> Finished   (queue_timeout, cancelled, shutdown)
//         Running --stop()--> (ProgramRun stops) --> Finished (cancelled)
// finished() is emitted exactly once, right after the result was sent (or dropped, when the
// client is gone).
namespace coderoom::core {

class WorkRequest final : public QObject
{
    Q_OBJECT
public:
    struct Setup
    {
        QString request;  // server-assigned id
        QString clientId; // the client's correlation id
        languages::Language language;
        languages::ProgramRequest program;
        languages::ProgramRunOptions options;
        EffectiveLimits limits;
        QStringList notes; // e.g. "run_time_ms lowered to the server's limit of 10 s"
        qint64 backlogCapBytes = 8 * 1024 * 1024;
        // An eval instead of a run: the session, its owner and the code.
        sessions::SessionManager *sessions = nullptr;
        QString user;
        QString session;
        QString code;
    };

    // Where the request's events go: a WebSocket connection or an HTTP API collecting them.
    // `backlog` says how many bytes the receiver has not taken yet (0 when it cannot tell).
    struct Sink
    {
        std::function<void(const protocol::ServerMessage &)> send;
        std::function<qint64()> backlog;
        QPointer<QObject> guard; // events stop when this object is gone
    };

    WorkRequest(Setup setup, Sink sink, QObject *parent = nullptr);
    ~WorkRequest() override;

    QString request() const { return m_setup.request; }
    QString language() const { return m_setup.language.id; }
    bool isEval() const { return m_setup.sessions != nullptr; }
    QString session() const { return m_setup.session; } // an eval's session
    bool isRunning() const { return m_run != nullptr || m_eval != nullptr; }
    qint64 queuedMs() const { return m_queued.elapsed(); } // since it was accepted
    qint64 runningMs() const { return m_running.isValid() ? m_running.elapsed() : 0; }
    // Why the sandbox itself failed (could not start, internal error), for /metrics; empty when
    // it did not (a program that crashes or hits a limit is not a sandbox failure).
    QString sandboxFailure() const { return m_sandboxFailure; }

    void start();
    void finishWithoutRunning(protocol::Status status, const QString &message);
    void writeInput(const QByteArray &data);
    void closeInput();
    void interrupt();
    void stop(const QString &reason = {});

signals:
    void finished(const QString &request, coderoom::protocol::Status status, qint64 runMs);
    // The program blocks reading input nobody has typed (true) / runs again (false).
    void waitingForUser(bool waiting);

private:
    void send(const protocol::ServerMessage &message);
    void onOutput(languages::ProgramStream stream, const QByteArray &data);
    void onDone(const languages::ProgramResult &result);
    void startEval();
    void sendResult(protocol::Result result);
    void setWaitingForUser(bool waiting); // emits waitingForUser on a change

    Setup m_setup;
    Sink m_sink;
    languages::ProgramRun *m_run = nullptr;
    sessions::EvalJob *m_eval = nullptr;
    QElapsedTimer m_queued;
    QElapsedTimer m_running;
    QString m_sandboxFailure;
    QStringDecoder m_decoders[3];
    QByteArray m_pendingInput;
    bool m_inputClosed = false;
    bool m_dropped = false; // output dropped because the client could not keep up
    bool m_resultSent = false;
    bool m_waitingForUser = false;
    QString m_stopReason;
};

} // namespace coderoom::core
