#pragma once

#include "sandboxprocess.h"
#include "sessiontypes.h"

#include <QObject>
#include <QPointer>

// One eval of a session, as the core sees it: the same shape as a ProgramRun.
// Signals: started -> output* / inputWanted* -> done (exactly once; also when the session
// could not be restored, when the interpreter died, or when it was stopped).
namespace coderoom::sessions {

class SessionManager;

class EvalJob final : public QObject
{
    Q_OBJECT
public:
    QString session() const { return m_session; }
    bool isDone() const { return m_done; }

    void writeStdin(const QByteArray &data);
    void closeStdin();
    void interrupt();
    void cancel(); // interrupt; the result says cancelled

signals:
    void started();
    void output(coderoom::sandbox::Stream stream, const QByteArray &data);
    void inputWanted();
    void done(const coderoom::sessions::EvalOutcome &outcome);

private:
    friend class SessionManager;
    EvalJob(SessionManager *manager, const QString &session, const QString &code);
    void finish(const EvalOutcome &outcome);

    QPointer<SessionManager> m_manager;
    QString m_session;
    QString m_code;
    qint64 m_seq = 0;
    qint64 m_outputBytes = 0;
    bool m_cancelled = false;
    bool m_interrupted = false;
    bool m_timedOut = false;
    bool m_inputTimedOut = false; // nobody answered its input within the input-wait limit
    bool m_overOutput = false;
    bool m_resent = false; // sent again after its first interpreter died before reading it
    QString m_unsaved; // why its history entry could not be written: it is undone, never told ok
    bool m_done = false;
};

} // namespace coderoom::sessions
