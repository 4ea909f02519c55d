#pragma once

#include "codeservice.h"

#include <QHash>
#include <QObject>
#include <QPointer>

#include <optional>

namespace coderoom::editor {
class EditorTabs;
}
namespace coderoom::repl {
class OutputPane;
class ReplWidget;
} // namespace coderoom::repl

// Runs what is in the editor: whole-program runs into the output pane, "Run file in REPL" into
// the REPL pane, and clicks on error lines back into the editor. Holds the REPL sessions (one
// per language, opened on first use) of the current CodeService.
//
// Run states (runStateChanged carries the sentence for the status bar):
//   Idle --run()--> Submitted --accepted(n)--> Queued --started--> Running --finished--> Idle
//   any of them --stop()--> Job::cancel(); the server's `cancelled` result ends it as usual.
namespace coderoom::ui {

class RunController final : public QObject
{
    Q_OBJECT
public:
    RunController(editor::EditorTabs *tabs, repl::OutputPane *output, repl::ReplWidget *repl,
                  QObject *parent = nullptr);

    // Not owned; may change at any time (switching local <-> server). nullptr: nothing runs.
    void setService(app::CodeService *service);
    app::CodeService *service() const { return m_service; }

    bool isRunning() const { return !m_job.isNull(); }
    // The REPL session for a language ("python"), opening it if needed; nullptr if impossible
    // (no service, or the server says the language has no interactive prompt). A session that
    // failed to open is forgotten, so the next call opens a new one.
    app::ReplSession *session(const QString &language);
    // Whether "Run in REPL" can run the current file in the prompt; false: it runs in the
    // Output pane instead (C++: no interactive prompt).
    bool currentFileHasRepl() const;
    // The current file's language as the server names it; empty without a file.
    QString currentLanguage() const;

public slots:
    bool run();
    void stop();
    // Runs the file in the prompt, or, for a language without one, in the Output pane with a
    // note saying so (ranInOutputPane).
    bool runInRepl();
    // A line of output was clicked: jump to the file and line it names, if any. (After a failed
    // run the lines it names are marked in the editor without a click.)
    bool jumpToDiagnostic(const QString &line);

signals:
    void runningChanged(bool running);
    void runStateChanged(const QString &text);
    void ranInOutputPane();

private:
    QString serverLanguageFor(const QString &fileName, const QString &editorLanguageId) const;
    // What the server says about a language (by id); nullopt when it has not said.
    std::optional<protocol::LanguageInfo> languageInfo(const QString &id) const;
    QString languageName(const QString &language) const; // "C++" for cpp
    void onFinished(const protocol::Result &result);
    void markErrorsFromOutput(const QString &output);

    editor::EditorTabs *m_tabs;
    repl::OutputPane *m_output;
    repl::ReplWidget *m_repl;
    QPointer<app::CodeService> m_service;
    QPointer<app::Job> m_job;
    int m_outputStart = 0; // where this run's output begins in the output pane's text
    QHash<QString, QPointer<app::ReplSession>> m_sessions;
};

} // namespace coderoom::ui
