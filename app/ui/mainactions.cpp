#include "mainactions.h"

#include "uilanguage.h"

#include <QAction>
#include <QActionGroup>
#include <QIcon>
#include <QMainWindow>
#include <QMenuBar>
#include <QToolBar>

namespace coderoom::ui {

MainActions::MainActions(QMainWindow *window)
    : QObject(window)
    , m_window(window)
{
    newFile = make(tr("&New Python file"), QStringLiteral("new"));
    newFile->setShortcut(QKeySequence::New);
    newFile->setIconText(tr("New"));
    newCpp = make(tr("New C++ file"));
    newJava = make(tr("New Java file"));
    newJavaScript = make(tr("New JavaScript file"));
    open = make(tr("&Open…"), QStringLiteral("open"));
    open->setShortcut(QKeySequence::Open);
    open->setIconText(tr("Open"));
    save = make(tr("&Save"), QStringLiteral("save"));
    save->setShortcut(QKeySequence::Save);
    saveAs = make(tr("Save &as…"));
    saveAs->setShortcut(QKeySequence::SaveAs);
    closeTab = make(tr("&Close file"));
    closeTab->setShortcut(QKeySequence::Close);
    quit = make(tr("&Quit"));
    quit->setShortcut(QKeySequence::Quit);

    undo = make(tr("&Undo"));
    undo->setShortcut(QKeySequence::Undo);
    redo = make(tr("&Redo"));
    redo->setShortcut(QKeySequence::Redo);
    cut = make(tr("Cu&t"));
    cut->setShortcut(QKeySequence::Cut);
    copy = make(tr("&Copy"));
    copy->setShortcut(QKeySequence::Copy);
    paste = make(tr("&Paste"));
    paste->setShortcut(QKeySequence::Paste);
    selectAll = make(tr("Select &all"));
    selectAll->setShortcut(QKeySequence::SelectAll);
    toggleComment = make(tr("Co&mment or uncomment lines"));
    toggleComment->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_Slash));
    clearOutput = make(tr("C&lear output"));
    clearOutput->setToolTip(tr("Clear the Output pane"));
    guide = make(tr("&Getting started"));
    guide->setShortcut(QKeySequence::HelpContents);
    find = make(tr("&Find…"));
    find->setShortcut(QKeySequence::Find);
    replace = make(tr("&Replace…"));
    replace->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_H));
    zoomIn = make(tr("Zoom &in"));
    // Ctrl+= too: "+" needs Shift on most keyboards, and students press Ctrl and the = key.
    zoomIn->setShortcuts({QKeySequence(QKeySequence::ZoomIn), QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    zoomOut = make(tr("Zoom &out"));
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    zoomReset = make(tr("&Normal size"));
    zoomReset->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    themeLight = make(tr("&Light"));
    themeDark = make(tr("&Dark"));
    auto *themes = new QActionGroup(this);
    for (QAction *action : {themeLight, themeDark}) {
        action->setCheckable(true);
        themes->addAction(action);
    }

    run = make(tr("&Run"), QStringLiteral("run"));
    run->setShortcut(QKeySequence(Qt::Key_F5));
    run->setToolTip(tr("Run the current file (F5)"));
    stop = make(tr("&Stop"), QStringLiteral("stop"));
    stop->setShortcut(QKeySequence(Qt::SHIFT | Qt::Key_F5));
    stop->setToolTip(tr("Stop the running program (Shift+F5)"));
    stop->setEnabled(false);
    runInRepl = make(tr("Run in &REPL"), QStringLiteral("repl"));
    runInRepl->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_F5));
    runInRepl->setToolTip(tr("Run the file in the interactive prompt, then inspect its variables"));
    restartRepl = make(tr("Restart the &interpreter"), QStringLiteral("restart"));

    connectLocal = make(tr("&Local (this computer)"));
    connectServer = make(tr("Connect to &server…"));
    for (QAction *action : {connectLocal, connectServer})
        action->setCheckable(true);
    auto *connections = new QActionGroup(this);
    connections->addAction(connectLocal);
    connections->addAction(connectServer);

    languageGroup = new QActionGroup(this);
    const QStringList names{tr("System language"), QStringLiteral("English"),
                            QStringLiteral("Deutsch"), QStringLiteral("Español")};
    const QStringList codes = UiLanguage::available();
    for (qsizetype i = 0; i < codes.size(); ++i) {
        QAction *action = make(names.at(i));
        action->setCheckable(true);
        action->setData(codes.at(i));
        action->setChecked(codes.at(i) == UiLanguage::current());
        languageGroup->addAction(action);
    }
    about = make(tr("&About Coderoom"));

    buildMenus(window);
    buildToolBar(window);
}

QAction *MainActions::make(const QString &text, const QString &icon)
{
    auto *action = new QAction(text, m_window);
    if (!icon.isEmpty())
        action->setIcon(QIcon(QStringLiteral(":/icons/%1.svg").arg(icon)));
    return action;
}

void MainActions::buildMenus(QMainWindow *window)
{
    QMenuBar *bar = window->menuBar();
    QMenu *file = bar->addMenu(tr("&File"));
    file->addAction(newFile);
    QMenu *newOther = file->addMenu(tr("New file in"));
    newOther->addActions({newCpp, newJava, newJavaScript});
    file->addAction(open);
    recentMenu = file->addMenu(tr("Open &recent"));
    file->addSeparator();
    file->addActions({save, saveAs, closeTab});
    file->addSeparator();
    file->addAction(quit);

    QMenu *edit = bar->addMenu(tr("&Edit"));
    edit->addActions({undo, redo});
    edit->addSeparator();
    edit->addActions({cut, copy, paste, selectAll});
    edit->addSeparator();
    edit->addAction(toggleComment);
    edit->addSeparator();
    edit->addActions({find, replace});

    QMenu *view = bar->addMenu(tr("&View"));
    view->addActions({zoomIn, zoomOut, zoomReset});
    view->addSeparator();
    QMenu *theme = view->addMenu(tr("&Theme"));
    theme->addActions({themeLight, themeDark});
    QMenu *language = view->addMenu(tr("&Language"));
    language->addActions(languageGroup->actions());

    QMenu *runMenu = bar->addMenu(tr("&Run"));
    runMenu->addActions({run, stop, runInRepl, restartRepl});
    runMenu->addSeparator();
    runMenu->addAction(clearOutput);

    QMenu *connection = bar->addMenu(tr("&Connection"));
    connection->addActions({connectLocal, connectServer});

    QMenu *help = bar->addMenu(tr("&Help"));
    help->addAction(guide);
    help->addSeparator();
    help->addAction(about);
}

void MainActions::buildToolBar(QMainWindow *window)
{
    toolBar = window->addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextUnderIcon);
    toolBar->setMovable(false);
    toolBar->addActions({newFile, open, save});
    toolBar->addSeparator();
    toolBar->addActions({run, stop, runInRepl});
}

} // namespace coderoom::ui
