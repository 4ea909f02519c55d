#pragma once

#include "codeservice.h"
#include "editorenums.h"

#include <QMainWindow>
#include <QPointer>

class QLabel;
class QTabWidget;

namespace coderoom::editor {
class EditorTabs;
}
namespace coderoom::repl {
class OutputPane;
class ReplWidget;
} // namespace coderoom::repl

// The Coderoom window: editor tabs in the centre, output and REPL panes below (tabs in a bottom
// dock), toolbar and menus (MainActions), and a status bar that always shows the connection
// state and the run state. It works with any CodeService (tests inject a fake); it never
// creates one. Connection changes picked in the menu are only requested
// (connectionRequested); whoever owns services (ServiceProvider) answers with setService().
namespace coderoom::ui {

class MainActions;
class RunController;
struct ConnectionSettings;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(app::CodeService *service, QWidget *parent = nullptr);
    ~MainWindow() override;

    void setService(app::CodeService *service); // not owned
    app::CodeService *service() const { return m_service; }

    editor::EditorTabs *tabs() const { return m_tabs; }
    repl::OutputPane *outputPane() const { return m_output; }
    repl::ReplWidget *replPane() const { return m_repl; }
    RunController *runController() const { return m_runner; }
    MainActions *actions() const { return m_actions; }
    QString connectionText() const;
    QString runStateText() const;

    void setTheme(editor::Theme theme);
    // Help > Getting started: first steps, shortcuts and what the limits mean (these limits).
    static QString guideText(const protocol::ServerLimits &limits);
    // The files open at the last quit, opened again (missing ones are skipped); how many.
    int reopenLastFiles();
    void openFiles(const QStringList &paths);

signals:
    void connectionRequested(const coderoom::ui::ConnectionSettings &settings);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void connectActions();
    void updateConnectionLabel();
    void updateRecentMenu();
    void openWithDialog();
    void askForServer();
    void showAbout();
    void showGuide();

    app::CodeService *m_service = nullptr;
    editor::EditorTabs *m_tabs = nullptr;
    repl::OutputPane *m_output = nullptr;
    repl::ReplWidget *m_repl = nullptr;
    QTabWidget *m_bottomTabs = nullptr;
    RunController *m_runner = nullptr;
    MainActions *m_actions = nullptr;
    QLabel *m_connectionLabel = nullptr;
    QLabel *m_runStateLabel = nullptr;
};

} // namespace coderoom::ui
