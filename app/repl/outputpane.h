#pragma once

#include "codeservice.h"
#include "consoleview.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QLineEdit;
class QToolButton;

// The output of whole-program runs. attach(job) streams the job's stdout/stderr/compiler output
// into the console and ends with a status line from StatusText::runSummary(). While the job
// runs, an input line at the bottom takes what the program reads: it appears when the program
// asks (Job::inputWanted) and Enter sends the line to Job::sendInput; Ctrl+D sends end of file.
//
// States: Idle --attach()--> Running --Job::finished--> Idle. Attaching while Running detaches
// the old job (it keeps running; the caller decides whether to cancel it).
namespace coderoom::repl {

class OutputPane final : public QWidget
{
    Q_OBJECT
public:
    explicit OutputPane(QWidget *parent = nullptr);

    // Starts showing a run. title: a header line ("Running main.py"); limits for the status line.
    void attach(app::Job *job, const QString &title, const protocol::ServerLimits &limits = {});
    void clear(); // the Clear button and the console's context menu; a running job goes on
    bool isRunning() const { return !m_job.isNull(); }
    app::Job *job() const { return m_job; }
    QString plainText() const;
    QString lastStatusLine() const { return m_lastStatus; }
    bool isInputVisible() const;
    ConsoleView *console() const { return m_console; }
    void setDark(bool dark) { m_console->setDark(dark); }

signals:
    void lineClicked(const QString &line);
    void runFinished(const coderoom::protocol::Result &result);

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void sendInputLine();
    void onFinished(const protocol::Result &result);
    void showInput(bool visible);

    ConsoleView *m_console = nullptr;
    QWidget *m_inputRow = nullptr;
    QLineEdit *m_input = nullptr;
    QToolButton *m_clear = nullptr;
    QPointer<app::Job> m_job;
    protocol::ServerLimits m_limits;
    QString m_lastStatus;
};

} // namespace coderoom::repl
