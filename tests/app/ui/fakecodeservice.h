#pragma once

// A fake server behind the CodeService interface, for UI tests: it records what the UI asks
// and lets the test play the server's side (output, input.wait, result) step by step.
#include "codeservice.h"

#include <QList>
#include <QPointer>

namespace coderoom::test {

class FakeJob final : public app::Job
{
    Q_OBJECT
public:
    using app::Job::Job;

    QStringList inputs;
    bool eof = false;
    int interrupts = 0;
    int cancels = 0;

    void emitOutput(protocol::OutputStream stream, const QString &data)
    {
        emit output(stream, data);
    }
    void wantInput() { emit inputWanted(); }
    void accept(int queuePosition) { emit accepted(queuePosition); }
    void start() { emit started(); }
    void finish(protocol::Status status, qint64 timeMs = 0, std::optional<int> exitCode = {},
                std::optional<QString> value = {})
    {
        protocol::Result result;
        result.status = status;
        result.timeMs = timeMs;
        result.exitCode = exitCode;
        result.value = value;
        markFinished();
        emit finished(result);
    }

protected:
    void doSendInput(const QString &data, bool isEof) override
    {
        if (isEof)
            eof = true;
        else
            inputs << data;
    }
    void doInterrupt() override { ++interrupts; }
    void doCancel() override { ++cancels; }
};

class FakeSession final : public app::ReplSession
{
    Q_OBJECT
public:
    explicit FakeSession(const QString &language, QObject *parent = nullptr)
        : app::ReplSession(parent)
    {
        setLanguage(language);
        setSessionId(QStringLiteral("s-1"));
    }

    QStringList evals;
    QList<QPointer<FakeJob>> jobs;
    QStringList completionRequests;
    int restarts = 0;

    FakeJob *lastJob() const { return jobs.isEmpty() ? nullptr : jobs.last().data(); }
    void emitRestored(protocol::RestoreReason reason, qint64 replayed)
    {
        emit restored(reason, replayed, {});
    }
    void emitCompletions(const QStringList &items) { emit completions(items); }
    void emitWaiting(qint64 ahead) { emit waiting(ahead); }
    void emitRestarted() { emit restarted(); }
    void emitFailed(const QString &message) { emit failed(message); }

protected:
    app::Job *doEval(const QString &code) override
    {
        evals << code;
        auto *job = new FakeJob(this);
        jobs << job;
        return job;
    }
    void doComplete(const QString &code, int cursor) override
    {
        completionRequests << code.left(cursor);
    }
    void doRestart() override { ++restarts; }
    void doClose() override {}
};

class FakeCodeService final : public app::CodeService
{
    Q_OBJECT
public:
    explicit FakeCodeService(QObject *parent = nullptr)
        : app::CodeService(parent)
    {}

    QList<app::RunSpec> runs;
    QList<QPointer<FakeJob>> jobs;
    QList<QPointer<FakeSession>> sessions;

    FakeJob *lastJob() const { return jobs.isEmpty() ? nullptr : jobs.last().data(); }
    FakeSession *lastSession() const
    {
        return sessions.isEmpty() ? nullptr : sessions.last().data();
    }
    void changeState(app::ConnectionState state, const QString &detail, int retryIn = 0)
    {
        setState(state, detail, retryIn);
    }
    void announceLanguages(const QList<protocol::LanguageInfo> &languages,
                           const protocol::ServerLimits &limits = {})
    {
        setLanguages(languages, limits);
    }

protected:
    app::Job *doRun(const app::RunSpec &spec) override
    {
        runs << spec;
        auto *job = new FakeJob(this);
        jobs << job;
        return job;
    }
    app::ReplSession *doOpenSession(const QString &language) override
    {
        auto *session = new FakeSession(language, this);
        sessions << session;
        return session;
    }
};

} // namespace coderoom::test
