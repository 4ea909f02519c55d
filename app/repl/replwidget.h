#pragma once

#include "codeservice.h"
#include "consoleview.h"

#include <QPointer>
#include <QWidget>

class QCompleter;
class QLabel;
class QLineEdit;
class QStringListModel;
class QToolButton;

// An interactive prompt on a ReplSession (the only thing it talks to): a console above, a prompt
// and an input line below, Restart and Interrupt buttons.
//
// States and what Enter does in each:
//   NoSession     input disabled (no session, or the session failed)
//   Ready         prompt ">>> ": the line is evaluated (an empty line just shows a new prompt)
//   Continuation  prompt "... ": the accumulated cell plus this line is evaluated again
//   Busy          an eval runs: the line goes to the program's stdin (Job::sendInput)
// Ready/Continuation --Enter--> Busy --finished(incomplete)--> Continuation (cell kept)
//                                    --finished(anything else)--> Ready (value/summary shown)
// Ctrl+C: Busy -> Job::interrupt(); Continuation -> Ready (cell dropped); Ready -> clears line.
// Restart: ReplSession::restart(); restarted() -> Ready with a note. Restart always works:
// without a session, or after the session failed, it asks for a new one (sessionRequested).
// Continuation lines start with the indentation the cell needs next (one level deeper after a
// line ending in ':' or '{'); a line of only spaces ends the block like an empty one. restored() adds a note line
// ("Session restored after the interpreter crashed — 12 entries replayed") in any state.
// Up/Down walk this session's history; Tab asks ReplSession::complete() and shows a popup.
namespace coderoom::repl {

class ReplWidget final : public QWidget
{
    Q_OBJECT
public:
    enum class State
    {
        NoSession,
        Ready,
        Continuation,
        Busy
    };

    explicit ReplWidget(QWidget *parent = nullptr);

    // Not owned. nullptr detaches. History starts empty for every new session.
    void setSession(app::ReplSession *session);
    app::ReplSession *session() const { return m_session; }
    void setLimits(const protocol::ServerLimits &limits) { m_limits = limits; }

    State state() const { return m_state; }
    QString prompt() const;
    QStringList history() const { return m_history; }
    QString transcript() const { return m_console->toPlainText(); }
    ConsoleView *console() const { return m_console; }

    // As if the student typed line and pressed Enter.
    void submit(const QString &typed);
    // Evaluates a whole cell at once (Run file in REPL); title is echoed instead of the code.
    bool evaluate(const QString &code, const QString &title);
    void interrupt();
    void restart();
    void setDark(bool dark) { m_console->setDark(dark); }

    // What the next continuation line starts with, after `cell` was incomplete.
    static QString continuationIndent(const QString &cell);

signals:
    void stateChanged(coderoom::repl::ReplWidget::State state);
    // Restart was asked for with no working session: the owner opens one for `language` (the
    // failed session's, or empty for the default) and calls setSession().
    void sessionRequested(const QString &language);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void setState(State state);
    void startEval(const QString &cell);
    void onEvalFinished(const protocol::Result &result, const QString &cell);
    void historyStep(int delta);
    void requestCompletion();
    void showCompletions(const QStringList &items);
    void applyCompletion(const QString &item);
    QString primaryPrompt() const;
    QString continuationPrompt() const;

    ConsoleView *m_console = nullptr;
    QLabel *m_prompt = nullptr;
    QLineEdit *m_input = nullptr;
    QToolButton *m_interrupt = nullptr;
    QToolButton *m_restart = nullptr;
    QCompleter *m_completer = nullptr;
    QStringListModel *m_completionModel = nullptr;

    QPointer<app::ReplSession> m_session;
    QPointer<app::Job> m_job;
    protocol::ServerLimits m_limits;
    State m_state = State::NoSession;
    QString m_pending; // the cell so far while in Continuation
    QStringList m_history;
    int m_historyIndex = 0; // == m_history.size(): editing a new line
    QString m_draft;        // the new line, kept while walking the history
    bool m_completionWanted = false;
    bool m_failed = false;     // the session could not open: Restart asks for a new one
    QString m_failedLanguage;
};

} // namespace coderoom::repl
