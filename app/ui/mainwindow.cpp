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
#include <QFileInfo>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
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
const QString OpenFilesKey = QStringLiteral("editor/openFiles");
const QString CurrentFileKey = QStringLiteral("editor/currentFile");
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

    if (reopenLastFiles() == 0)
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

int MainWindow::reopenLastFiles()
{
    const QStringList paths = QSettings().value(OpenFilesKey).toStringList();
    const QString current = QSettings().value(CurrentFileKey).toString();
    int opened = 0;
    for (const QString &path : paths) {
        if (QFileInfo::exists(path) && m_tabs->openFile(path))
            ++opened;
    }
    for (int i = 0; i < m_tabs->count(); ++i) {
        if (m_tabs->filePath(i) == current)
            m_tabs->setCurrentIndex(i);
    }
    return opened;
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    // Which files to open next time, before closing the tabs; untitled ones are asked about.
    const QStringList openFiles = m_tabs->openFilePaths();
    const QString currentFile = m_tabs->filePath(m_tabs->currentIndex());
    if (!m_tabs->closeAll()) {
        event->ignore();
        return;
    }
    QSettings settings;
    settings.setValue(OpenFilesKey, openFiles);
    settings.setValue(CurrentFileKey, currentFile);
    settings.setValue(GeometryKey, saveGeometry());
    settings.setValue(StateKey, saveState());
    event->accept();
}

void MainWindow::connectActions()
{
    MainActions *a = m_actions;
    // New files start as the language's hello world: something that runs at once.
    connect(a->newFile, &QAction::triggered, this,
            [this] { m_tabs->newFromTemplate(Language::Python); });
    connect(a->newCpp, &QAction::triggered, this,
            [this] { m_tabs->newFromTemplate(Language::Cpp); });
    connect(a->newJava, &QAction::triggered, this,
            [this] { m_tabs->newFromTemplate(Language::Java); });
    connect(a->newJavaScript, &QAction::triggered, this,
            [this] { m_tabs->newFromTemplate(Language::JavaScript); });
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
    // Edit commands go where the keyboard is: the prompt's or the input's line, a console's
    // text (copy, select all), otherwise the current file.
    auto routed = [this](auto onEditor, auto onLine, auto onText) {
        return [this, onEditor, onLine, onText] {
            QWidget *focus = QApplication::focusWidget();
            if (auto *line = qobject_cast<QLineEdit *>(focus)) {
                (line->*onLine)();
            } else if (auto *text = qobject_cast<QPlainTextEdit *>(focus)) {
                (text->*onText)();
            } else if (CodeEditor *editor = m_tabs->currentEditor()) {
                (editor->*onEditor)();
            }
        };
    };
    connect(a->undo, &QAction::triggered, this,
            routed(&CodeEditor::undo, &QLineEdit::undo, &QPlainTextEdit::undo));
    connect(a->redo, &QAction::triggered, this,
            routed(&CodeEditor::redo, &QLineEdit::redo, &QPlainTextEdit::redo));
    connect(a->cut, &QAction::triggered, this,
            routed(&CodeEditor::cut, &QLineEdit::cut, &QPlainTextEdit::cut));
    connect(a->copy, &QAction::triggered, this,
            routed(&CodeEditor::copy, &QLineEdit::copy, &QPlainTextEdit::copy));
    connect(a->paste, &QAction::triggered, this,
            routed(&CodeEditor::paste, &QLineEdit::paste, &QPlainTextEdit::paste));
    connect(a->selectAll, &QAction::triggered, this,
            routed(&CodeEditor::selectAll, &QLineEdit::selectAll, &QPlainTextEdit::selectAll));
    connect(a->toggleComment, &QAction::triggered, this, withEditor(&CodeEditor::toggleComment));
    connect(a->clearOutput, &QAction::triggered, m_output, &repl::OutputPane::clear);
    connect(a->guide, &QAction::triggered, this, &MainWindow::showGuide);
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
        m_bottomTabs->setCurrentWidget(m_runner->currentFileHasRepl()
                                           ? static_cast<QWidget *>(m_repl)
                                           : static_cast<QWidget *>(m_output));
        // The keyboard follows: an input() answered in the editor would land in the file.
        if (m_runner->runInRepl() && m_bottomTabs->currentWidget() == m_repl)
            m_repl->setFocus();
    });
    connect(m_runner, &RunController::ranInOutputPane, this,
            [this] { m_bottomTabs->setCurrentWidget(m_output); });
    connect(a->restartRepl, &QAction::triggered, m_repl, &repl::ReplWidget::restart);
    connect(m_repl, &repl::ReplWidget::sessionRequested, this, [this](const QString &language) {
        app::ReplSession *session = language.isEmpty() ? nullptr : m_runner->session(language);
        if (!session)
            session = m_runner->session(DefaultReplLanguage);
        if (session)
            m_repl->setSession(session);
    });
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

void MainWindow::showGuide()
{
    const protocol::ServerLimits limits =
        m_service ? m_service->limits() : protocol::ServerLimits{};
    QMessageBox box(this);
    box.setWindowTitle(tr("Getting started"));
    box.setTextFormat(Qt::RichText);
    box.setText(guideText(limits));
    box.exec();
}

QString MainWindow::guideText(const protocol::ServerLimits &limits)
{
    const auto seconds = [](qint64 ms) { return QString::number((ms + 999) / 1000); };
    const auto minutes = [](qint64 ms) { return QString::number((ms + 59999) / 60000); };
    return tr("<h3>First steps</h3>"
              "<ol><li>Type your program in the editor (File, New file in… gives a starting "
              "point for C++, Java and JavaScript).</li>"
              "<li>Press <b>F5</b> to run it. What it prints appears in <b>Output</b>; when it "
              "asks for input, type the answer in the line under the output and press Enter.</li>"
              "<li>Press <b>Ctrl+F5</b> to run it in the <b>Interactive prompt</b>: afterwards "
              "you can type Python, Java or JavaScript lines there and look at your variables.</li>"
              "<li>Click a line of an error message to jump to the line in your file.</li></ol>"
              "<h3>Shortcuts</h3>"
              "<table><tr><td>F5</td><td>Run</td></tr>"
              "<tr><td>Shift+F5</td><td>Stop</td></tr>"
              "<tr><td>Ctrl+F5</td><td>Run in the interactive prompt</td></tr>"
              "<tr><td>Ctrl+/</td><td>Comment or uncomment lines</td></tr>"
              "<tr><td>Ctrl+F, Ctrl+H</td><td>Find, replace</td></tr>"
              "<tr><td>Ctrl+= / Ctrl+-</td><td>Bigger / smaller text</td></tr>"
              "<tr><td>Ctrl+C in the prompt</td><td>Interrupt the running code</td></tr>"
              "<tr><td>Tab, Up, Down in the prompt</td><td>Complete, earlier lines</td></tr>"
              "</table>"
              "<h3>What the limits mean</h3>"
              "<p>A program may <b>run</b> for %1 seconds; then it is stopped and the message "
              "says so. Time it spends <b>waiting for you to type</b> does not count: think as "
              "long as you need. If nobody answers for %2 minutes, it is stopped too. A program "
              "also has a memory limit (%3 MiB) and an output limit; the message after a run "
              "always names the limit that stopped it.</p>"
              "<p>The interactive prompt keeps your variables, even when the server restarts "
              "its interpreter; <b>Restart</b> gives you a fresh one.</p>")
        .arg(seconds(limits.runTimeMs), minutes(limits.inputWaitMs))
        .arg(limits.memoryMb);
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Coderoom"),
                       tr("<h3>Coderoom %1</h3><p>Write and run code, on this computer or on "
                          "your class's server.</p>")
                           .arg(QCoreApplication::applicationVersion()));
}

} // namespace coderoom::ui
