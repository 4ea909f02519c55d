#pragma once

#include <QObject>

class QAction;
class QActionGroup;
class QMainWindow;
class QMenu;
class QToolBar;

// Every action of the main window with its text, icon and shortcut, and the menus and toolbar
// built from them. No behaviour: MainWindow connects the actions to what they do.
namespace coderoom::ui {

class MainActions final : public QObject
{
    Q_OBJECT
public:
    explicit MainActions(QMainWindow *window);

    QAction *newFile = nullptr;
    QAction *newCpp = nullptr;
    QAction *newJava = nullptr;
    QAction *newJavaScript = nullptr;
    QAction *open = nullptr;
    QAction *save = nullptr;
    QAction *saveAs = nullptr;
    QAction *closeTab = nullptr;
    QAction *quit = nullptr;
    QAction *undo = nullptr;
    QAction *redo = nullptr;
    QAction *cut = nullptr;
    QAction *copy = nullptr;
    QAction *paste = nullptr;
    QAction *selectAll = nullptr;
    QAction *toggleComment = nullptr;
    QAction *clearOutput = nullptr;
    QAction *guide = nullptr;
    QAction *find = nullptr;
    QAction *replace = nullptr;
    QAction *zoomIn = nullptr;
    QAction *zoomOut = nullptr;
    QAction *zoomReset = nullptr;
    QAction *themeLight = nullptr;
    QAction *themeDark = nullptr;
    QAction *run = nullptr;
    QAction *stop = nullptr;
    QAction *runInRepl = nullptr;
    QAction *restartRepl = nullptr;
    QAction *connectLocal = nullptr;
    QAction *connectServer = nullptr;
    QAction *about = nullptr;
    QActionGroup *languageGroup = nullptr; // data(): "system", "en", "de", "es"
    QMenu *recentMenu = nullptr;
    QToolBar *toolBar = nullptr;

private:
    QAction *make(const QString &text, const QString &icon = {});
    void buildMenus(QMainWindow *window);
    void buildToolBar(QMainWindow *window);

    QMainWindow *m_window;
};

} // namespace coderoom::ui
