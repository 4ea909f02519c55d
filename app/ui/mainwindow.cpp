#include "mainwindow.h"

#include "codeeditor.h"
#include "connectiondialog.h"
#include "editortabs.h"
#include "mainactions.h"
#include "outputpane.h"
#include "replwidget.h"
#include "runcontroller.h"
#include "statustext.h"
#include "uilanguage.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDockWidget>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>

namespace coderoom::ui {

using editor::CodeEditor;
using editor::Language;
using editor::Theme;

namespace {
const QString ThemeKey = QStringLiteral("ui/theme");
const QString GeometryKey = QStringLiteral("ui/geometry");
const QString StateKey = QStringLiteral("ui/windowState");
// The REPL opens on this language until a file asks for another.
const QString DefaultReplLanguage = QStringLiteral("python");
} // namespace

MainWindow::MainWindow(app::CodeService *service, QWidget *parent)
    : QMainWindow(parent)
    , m_tabs(new editor::EditorTabs(this))
    , m_output(new repl::OutputPane(this))
    , m_repl(new repl::ReplWidget(this))
    , m_bottomTabs(new QTabWidget(this))
    , m_runner(new RunController(m_tabs, m_output, m_repl, this))
    , m_actions(new MainActions(this))
    , m_connectionLabel(new QLabel(this))
    , m_runStateLabel(new QLabel(this))
{
    setWindowTitle(tr("Coderoom"));
    setWindowIcon(QIcon(QStringLiteral(":/icons/coderoom.svg")));
    setCentralWidget(m_tabs);

    m_bottomTabs->setDocumentMode(true);
    m_bottomTabs->addTab(m_output, tr("Output"));
    m_bottomTabs->addTab(m_repl, tr("Interactive prompt"));
    auto *dock = new QDockWidget(tr("Output and prompt"), this);
    dock->setObjectName(QStringLiteral("bottomDock"));
    dock->setFeatures(QDockWidget::DockWidgetMovable);
    dock->setTitleBarWidget(new QWidget(dock)); // calm: no title bar chrome
    dock->setWidget(m_bottomTabs);
    addDockWidget(Qt::BottomDockWidgetArea, dock);

    m_connectionLabel->setObjectName(QStringLiteral("connectionLabel"));
    m_runStateLabel->setObjectName(QStringLiteral("runStateLabel"));
    statusBar()->addWidget(m_runStateLabel, 1);
    statusBar()->addPermanentWidget(m_connectionLabel);
    m_runStateLabel->setText(repl::StatusText::ready());

    connectActions();
    updateRecentMenu();

    QSettings settings;
    setTheme(settings.value(ThemeKey).toString() == u"dark" ? Theme::Dark : Theme::Light);
    const ConnectionSettings connection = ConnectionSettings::load(settings);
    (connection.remote ? m_actions->connectServer : m_actions->connectLocal)->setChecked(true);
    restoreGeometry(settings.value(GeometryKey).toByteArray());
    restoreState(settings.value(StateKey).toByteArray());
    if (!settings.contains(GeometryKey))
        resize(1000, 700);

    m_tabs->newFile(Language::Python);
    setService(service);
}

MainWindow::~MainWindow() = default;

void MainWindow::setService(app::CodeService *service)
{
    if (m_service)
        disconnect(m_service, nullptr, this, nullptr);
    m_service = service;
    m_runner->setService(service);
    updateConnectionLabel();
    if (!service)
        return;
    connect(service, &app::CodeService::stateChanged, this, &MainWindow::updateConnectionLabel);
    connect(service, &QObject::destroyed, this, [this] {
        m_service = nullptr;
        updateConnectionLabel();
    });
    m_repl->setSession(m_runner->session(DefaultReplLanguage));
}

QString MainWindow::connectionText() const
{
    return m_connectionLabel->text();
}

QString MainWindow::runStateText() const
{
    return m_runStateLabel->text();
}

void MainWindow::setTheme(Theme theme)
{
    m_tabs->setTheme(theme);
    m_output->setDark(theme == Theme::Dark);
    m_repl->setDark(theme == Theme::Dark);
    (theme == Theme::Dark ? m_actions->themeDark : m_actions->themeLight)->setChecked(true);
    QSettings().setValue(ThemeKey,
                         theme == Theme::Dark ? QStringLiteral("dark") : QStringLiteral("light"));
}

void MainWindow::openFiles(const QStringList &paths)
{
    for (const QString &path : paths) {
        if (!m_tabs->openFile(path))
            QMessageBox::warning(this, tr("Cannot open file"), m_tabs->lastError());
    }
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (!m_tabs->closeAll()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(GeometryKey, saveGeometry());
    settings.setValue(StateKey, saveState());
    event->accept();
}

void MainWindow::connectActions()
{
    MainActions *a = m_actions;
    connect(a->newFile, &QAction::triggered, this, [this] { m_tabs->newFile(Language::Python); });
    connect(a->newCpp, &QAction::triggered, this, [this] { m_tabs->newFile(Language::Cpp); });
    connect(a->newJava, &QAction::triggered, this, [this] { m_tabs->newFile(Language::Java); });
    connect(a->newJavaScript, &QAction::triggered, this,
            [this] { m_tabs->newFile(Language::JavaScript); });
    connect(a->open, &QAction::triggered, this, &MainWindow::openWithDialog);
    connect(a->save, &QAction::triggered, this, [this] { m_tabs->saveCurrent(); });
    connect(a->saveAs, &QAction::triggered, this, [this] {
        const int index = m_tabs->currentIndex();
        const QString path =
            QFileDialog::getSaveFileName(this, tr("Save file as"), m_tabs->displayName(index));
        if (!path.isEmpty() && !m_tabs->saveAs(index, path))
            QMessageBox::warning(this, tr("Cannot save file"), m_tabs->lastError());
    });
    connect(a->closeTab, &QAction::triggered, this,
            [this] { m_tabs->closeTab(m_tabs->currentIndex()); });
    connect(a->quit, &QAction::triggered, this, &QWidget::close);

    auto withEditor = [this](auto method) {
        return [this, method] {
            if (CodeEditor *editor = m_tabs->currentEditor())
                (editor->*method)();
        };
    };
    connect(a->find, &QAction::triggered, this, withEditor(&CodeEditor::showFind));
    connect(a->replace, &QAction::triggered, this, withEditor(&CodeEditor::showReplace));
    connect(a->zoomIn, &QAction::triggered, this, withEditor(&CodeEditor::zoomIn));
    connect(a->zoomOut, &QAction::triggered, this, withEditor(&CodeEditor::zoomOut));
    connect(a->zoomReset, &QAction::triggered, this, withEditor(&CodeEditor::resetZoom));
    connect(a->themeLight, &QAction::triggered, this, [this] { setTheme(Theme::Light); });
    connect(a->themeDark, &QAction::triggered, this, [this] { setTheme(Theme::Dark); });

    connect(a->run, &QAction::triggered, this, [this] {
        m_bottomTabs->setCurrentWidget(m_output);
        m_runner->run();
    });
    connect(a->stop, &QAction::triggered, m_runner, &RunController::stop);
    connect(a->runInRepl, &QAction::triggered, this, [this] {
        m_bottomTabs->setCurrentWidget(m_repl);
        m_runner->runInRepl();
    });
    connect(a->restartRepl, &QAction::triggered, m_repl, &repl::ReplWidget::restart);
    connect(m_runner, &RunController::runningChanged, this, [a](bool running) {
        a->stop->setEnabled(running);
        a->run->setEnabled(!running);
    });
    connect(m_runner, &RunController::runStateChanged, m_runStateLabel, &QLabel::setText);

    connect(a->connectLocal, &QAction::triggered, this, [this] {
        ConnectionSettings settings = ConnectionSettings::load(QSettings());
        settings.remote = false;
        QSettings store;
        settings.save(store);
        emit connectionRequested(settings);
    });
    connect(a->connectServer, &QAction::triggered, this, &MainWindow::askForServer);
    connect(a->languageGroup, &QActionGroup::triggered, this, [this](QAction *action) {
        UiLanguage::setCurrent(action->data().toString());
        QMessageBox::information(this, tr("Language"),
                                 tr("The new language is used the next time Coderoom starts."));
    });
    connect(a->about, &QAction::triggered, this, &MainWindow::showAbout);
    connect(m_tabs, &editor::EditorTabs::recentFilesChanged, this, &MainWindow::updateRecentMenu);
}

void MainWindow::updateConnectionLabel()
{
    QString text;
    if (!m_service)
        text = repl::StatusText::connectionText(app::ConnectionState::Offline, {}, 0);
    else
        text = repl::StatusText::connectionText(m_service->state(), m_service->stateDetail(),
                                                m_service->retryInSeconds());
    m_connectionLabel->setText(text);
}

void MainWindow::updateRecentMenu()
{
    QMenu *menu = m_actions->recentMenu;
    menu->clear();
    const QStringList files = m_tabs->recentFiles();
    for (const QString &path : files) {
        QAction *action = menu->addAction(path);
        connect(action, &QAction::triggered, this, [this, path] { openFiles({path}); });
    }
    if (!files.isEmpty()) {
        menu->addSeparator();
        connect(menu->addAction(tr("Clear the list")), &QAction::triggered, m_tabs,
                &editor::EditorTabs::clearRecentFiles);
    }
    menu->setEnabled(!files.isEmpty());
}

void MainWindow::openWithDialog()
{
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Open file"), QString(),
        tr("Code (*.py *.cpp *.cc *.cxx *.h *.hpp *.java *.js);;All files (*)"));
    openFiles(paths);
}

void MainWindow::askForServer()
{
    ConnectionDialog dialog(ConnectionSettings::load(QSettings()), this);
    if (dialog.exec() != QDialog::Accepted) {
        const bool remote = ConnectionSettings::load(QSettings()).remote;
        (remote ? m_actions->connectServer : m_actions->connectLocal)->setChecked(true);
        return;
    }
    const ConnectionSettings settings = dialog.settings();
    QSettings store;
    settings.save(store);
    emit connectionRequested(settings);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Coderoom"),
                       tr("<h3>Coderoom %1</h3><p>Write and run code, on this computer or on "
                          "your class's server.</p>")
                           .arg(QCoreApplication::applicationVersion()));
}

} // namespace coderoom::ui
