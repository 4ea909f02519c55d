#pragma once

#include "resultwording.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>
#include <QStringDecoder>

namespace coderoom::transport {
class ClientConnection;
}

// One `run` request from acceptance to its single result: turns ProgramRun's signals into
// protocol events on the client's connection. Glue only; the queueing policy is the scheduler's.
//
// States: Queued --start()--> Running --(ProgramRun::done)--> Finished
//         Queued --finishWithoutRunning()--> Finished   (queue_timeout, cancelled, shutdown)
//         Running --stop()--> (ProgramRun stops) --> Finished (cancelled)
// finished() is emitted exactly once, right after the result was sent (or dropped, when the
// client is gone).
namespace coderoom::core {

class RunRequest final : public QObject
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
    };

    RunRequest(Setup setup, transport::ClientConnection *connection, QObject *parent = nullptr);
    ~RunRequest() override;

    QString request() const { return m_setup.request; }
    QString language() const { return m_setup.language.id; }
    bool isRunning() const { return m_run != nullptr; }
    qint64 queuedMs() const { return m_queued.elapsed(); }

    void start();
    void finishWithoutRunning(protocol::Status status, const QString &message);
    void writeInput(const QByteArray &data);
    void closeInput();
    void interrupt();
    void stop(const QString &reason = {});

signals:
    void finished(const QString &request, coderoom::protocol::Status status, qint64 runMs);

private:
    void send(const protocol::ServerMessage &message);
    void onOutput(languages::ProgramStream stream, const QByteArray &data);
    void onDone(const languages::ProgramResult &result);
    void sendResult(protocol::Result result);

    Setup m_setup;
    QPointer<transport::ClientConnection> m_connection;
    languages::ProgramRun *m_run = nullptr;
    QElapsedTimer m_queued;
    QStringDecoder m_decoders[3];
    QByteArray m_pendingInput;
    bool m_inputClosed = false;
    bool m_dropped = false; // output dropped because the client could not keep up
    bool m_resultSent = false;
    QString m_stopReason;
};

} // namespace coderoom::core
