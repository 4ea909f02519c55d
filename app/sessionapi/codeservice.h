#pragma once

#include "messages.h"

#include <QObject>
#include <QPointer>

// What the desktop UI needs from a Coderoom server, with no network in sight: the UI (app/ui,
// app/repl) sees only these classes; app/client implements them over WebSocket; tests use
// fakes. Public non-virtual methods call protected virtuals (QGIS QgsCodeInterpreter style), so
// the interface can check arguments and keep state in one place.
namespace coderoom::app {

enum class ConnectionState
{
    Starting, // local mode: the private server is starting
    Connecting,
    Connected,
    Reconnecting, // lost; retrying in retryInSeconds
    Offline,      // gave up or not configured; detail says why
};

// Everything a Run of a whole program needs.
struct RunSpec
{
    QString language;
    QList<protocol::SourceFile> files;
    QString main;
    std::optional<QString> stdinData; // absent: interactive input through Job::sendInput
    QStringList args;
    QString session; // optional: run in that session's context
};

// One request (a run or an eval) from acceptance to its single result.
// Signals, in order: accepted -> started -> output* / inputWanted* -> finished (exactly once,
// also when the connection is lost: then with status internal_error and a message).
class Job : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    QString requestId() const { return m_requestId; }
    bool isFinished() const { return m_finished; }

    void sendInput(const QString &data) { doSendInput(data, false); }
    void sendEof() { doSendInput({}, true); }
    void interrupt() { doInterrupt(); }
    void cancel() { doCancel(); }

signals:
    void accepted(int queuePosition);
    void started();
    void output(coderoom::protocol::OutputStream stream, const QString &data);
    void inputWanted();
    void finished(const coderoom::protocol::Result &result);

protected:
    virtual void doSendInput(const QString &data, bool eof) = 0;
    virtual void doInterrupt() = 0;
    virtual void doCancel() = 0;

    // For implementations: record the server's request id, and the terminal state.
    void setRequestId(const QString &id) { m_requestId = id; }
    void markFinished() { m_finished = true; }

private:
    QString m_requestId;
    bool m_finished = false;
};

// An interactive interpreter session (REPL). Survives reconnects: the implementation resumes it
// by id and says so through restored().
class ReplSession : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    QString language() const { return m_language; }
    QString sessionId() const { return m_sessionId; }
    bool isOpen() const { return !m_sessionId.isEmpty(); }

    // The Job is owned by the session and deleted some time after finished().
    Job *eval(const QString &code) { return doEval(code); }
    void complete(const QString &code, int cursor) { doComplete(code, cursor); }
    void restart() { doRestart(); }
    void close() { doClose(); }

signals:
    void opened(bool restored, qint64 historyEntries);
    void restored(coderoom::protocol::RestoreReason reason, qint64 replayed,
                  const QString &message);
    void completions(const QStringList &items);
    void restarted();
    void failed(const QString &message); // could not open; the session is unusable
    // The server cannot start the interpreter at once (a busy server): `ahead` starts come first.
    // opened() (or failed()) follows.
    void waiting(qint64 ahead);

protected:
    virtual Job *doEval(const QString &code) = 0;
    virtual void doComplete(const QString &code, int cursor) = 0;
    virtual void doRestart() = 0;
    virtual void doClose() = 0;

    void setLanguage(const QString &language) { m_language = language; }
    void setSessionId(const QString &id) { m_sessionId = id; }

private:
    QString m_language;
    QString m_sessionId;
};

// The server as the UI sees it: connection state, languages, runs and sessions.
class CodeService : public QObject
{
    Q_OBJECT
public:
    using QObject::QObject;

    ConnectionState state() const { return m_state; }
    QString stateDetail() const { return m_detail; } // "Local", "server.example:8765", reason
    int retryInSeconds() const { return m_retryIn; }
    QList<protocol::LanguageInfo> languages() const { return m_languages; }
    protocol::ServerLimits limits() const { return m_limits; }

    // The Job is owned by the service and deleted some time after finished().
    Job *run(const RunSpec &spec) { return doRun(spec); }
    // Opens a new session for the language; the session is owned by the service.
    ReplSession *openSession(const QString &language) { return doOpenSession(language); }

signals:
    void stateChanged(coderoom::app::ConnectionState state);
    void languagesChanged();

protected:
    virtual Job *doRun(const RunSpec &spec) = 0;
    virtual ReplSession *doOpenSession(const QString &language) = 0;

    void setState(ConnectionState state, const QString &detail, int retryIn = 0)
    {
        const bool changed = state != m_state || detail != m_detail || retryIn != m_retryIn;
        m_state = state;
        m_detail = detail;
        m_retryIn = retryIn;
        if (changed)
            emit stateChanged(state);
    }
    void setLanguages(const QList<protocol::LanguageInfo> &languages,
                      const protocol::ServerLimits &limits)
    {
        m_languages = languages;
        m_limits = limits;
        emit languagesChanged();
    }

private:
    ConnectionState m_state = ConnectionState::Offline;
    QString m_detail;
    int m_retryIn = 0;
    QList<protocol::LanguageInfo> m_languages;
    protocol::ServerLimits m_limits;
};

} // namespace coderoom::app
