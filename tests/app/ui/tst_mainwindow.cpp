// MainWindow with a fake CodeService: runs stream into the output pane, stdin typed there
// reaches the job, error lines jump into the editor, the status bar follows the connection;
// and the diagnostic-line parser.
#include "codeeditor.h"
#include "diagnosticparser.h"
#include "editortabs.h"
#include "fakecodeservice.h"
#include "mainactions.h"
#include "mainwindow.h"
#include "outputpane.h"
#include "replwidget.h"
#include "runcontroller.h"
#include "statustext.h"

#include <QAction>
#include <QLineEdit>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>
#include <QTranslator>

using namespace coderoom;
using coderoom::protocol::OutputStream;
using coderoom::protocol::Status;
using coderoom::test::FakeCodeService;
using coderoom::test::FakeJob;

class TestMainWindow : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void constructsWithAnyServiceOrNone();
    void runStreamsOutputAndEndsWithAStatusLine();
    void stopCancelsTheRun();
    void inputTypedInTheOutputPaneReachesTheJob();
    void clickingATracebackLineMovesTheCursor();
    void aFailedRunMarksTheLinesItNames();
    void runFileInReplEvaluatesTheFile();
    void statusBarFollowsTheConnection_data();
    void statusBarFollowsTheConnection();
    void diagnosticLinesAreParsed_data();
    void diagnosticLinesAreParsed();
    void translationsAreEmbedded_data();
    void translationsAreEmbedded();

private:
    QTemporaryDir m_dir;
};

void TestMainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CoderoomTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow"));
    QVERIFY(m_dir.isValid());
}

void TestMainWindow::init()
{
    QSettings().clear();
}

void TestMainWindow::constructsWithAnyServiceOrNone()
{
    ui::MainWindow none(nullptr);
    QCOMPARE(none.connectionText(), QStringLiteral("Offline"));
    QVERIFY(!none.runController()->run()); // nothing to run on

    FakeCodeService service;
    service.changeState(app::ConnectionState::Connected, QStringLiteral("Local"));
    ui::MainWindow window(&service);
    QCOMPARE(window.connectionText(), QStringLiteral("Local"));
    QCOMPARE(window.tabs()->count(), 1); // a fresh untitled file to type into
    const test::FakeSession *session = service.lastSession();
    QVERIFY(session); // the REPL is ready at once
    QCOMPARE(session->language(), QStringLiteral("python"));
}

void TestMainWindow::runStreamsOutputAndEndsWithAStatusLine()
{
    FakeCodeService service;
    ui::MainWindow window(&service);
    window.tabs()->currentEditor()->setText(QStringLiteral("print('hi')\n"));
    window.actions()->run->trigger();
    QCOMPARE(service.runs.size(), 1);
    const app::RunSpec spec = service.runs.first();
    QCOMPARE(spec.language, QStringLiteral("python"));
    QCOMPARE(spec.files.size(), 1);
    QCOMPARE(spec.files.first().content, QStringLiteral("print('hi')\n"));
    QCOMPARE(spec.main, spec.files.first().name);
    QVERIFY(!spec.stdinData); // interactive
    QVERIFY(window.actions()->stop->isEnabled());

    FakeJob *job = service.lastJob();
    emit job->started();
    QCOMPARE(window.runStateText(), QStringLiteral("Running…"));
    job->emitOutput(OutputStream::Stdout, QStringLiteral("hi\n"));
    job->emitOutput(OutputStream::Stderr, QStringLiteral("oops\n"));
    QVERIFY(window.outputPane()->plainText().contains(QStringLiteral("hi\noops\n")));
    job->finish(Status::Error, 30, 1);
    QCOMPARE(window.outputPane()->lastStatusLine(), QStringLiteral("Error (exit code 1)"));
    QCOMPARE(window.runStateText(), QStringLiteral("Error (exit code 1)"));
    QVERIFY(!window.actions()->stop->isEnabled());
    QVERIFY(window.actions()->run->isEnabled());
}

void TestMainWindow::stopCancelsTheRun()
{
    FakeCodeService service;
    ui::MainWindow window(&service);
    window.actions()->run->trigger();
    window.actions()->stop->trigger();
    QCOMPARE(service.lastJob()->cancels, 1);
    service.lastJob()->finish(Status::Cancelled);
    QCOMPARE(window.outputPane()->lastStatusLine(), QStringLiteral("Cancelled"));
}

void TestMainWindow::inputTypedInTheOutputPaneReachesTheJob()
{
    FakeCodeService service;
    ui::MainWindow window(&service);
    window.show();
    window.actions()->run->trigger();
    FakeJob *job = service.lastJob();
    job->emitOutput(OutputStream::Stdout, QStringLiteral("How many? "));
    job->wantInput();
    auto *input = window.outputPane()->findChild<QLineEdit *>(QStringLiteral("stdinInput"));
    QVERIFY(input);
    QTRY_VERIFY(input->isVisible());
    QTest::keyClicks(input, QStringLiteral("3"));
    QTest::keyClick(input, Qt::Key_Return);
    QCOMPARE(job->inputs, QStringList{QStringLiteral("3\n")});
    QVERIFY(window.outputPane()->plainText().contains(QStringLiteral("How many? 3\n")));
}

void TestMainWindow::clickingATracebackLineMovesTheCursor()
{
    FakeCodeService service;
    ui::MainWindow window(&service);
    window.resize(900, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const QString path = m_dir.filePath(QStringLiteral("main.py"));
    editor::CodeEditor *editor = window.tabs()->currentEditor();
    editor->setText(QStringLiteral("a = 1\nb = 2\nprint(c)\n"));
    QVERIFY(window.tabs()->saveAs(window.tabs()->currentIndex(), path));
    window.tabs()->newFile(); // another tab is current when the error is clicked
    window.tabs()->setCurrentIndex(0);
    window.actions()->run->trigger();
    FakeJob *job = service.lastJob();
    job->emitOutput(OutputStream::Stderr,
                    QStringLiteral("Traceback (most recent call last):\n"
                                   "  File \"/sandbox/main.py\", line 3, in <module>\n"
                                   "NameError: name 'c' is not defined\n"));
    job->finish(Status::Error, 10, 1);
    window.tabs()->setCurrentIndex(1);
    editor->goToLine(1);

    repl::ConsoleView *console = window.outputPane()->console();
    QTextBlock block = console->document()->begin();
    while (block.isValid() && !block.text().contains(QStringLiteral("line 3")))
        block = block.next();
    QVERIFY(block.isValid());
    QTextCursor cursor(block);
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 4);
    const QPoint point = console->cursorRect(cursor).center();
    QTest::mouseClick(console->viewport(), Qt::LeftButton, {}, point);

    QCOMPARE(window.tabs()->currentEditor(), editor);
    QCOMPARE(editor->cursorLine(), 3);
    QCOMPARE(editor->errorLines(), QList<int>{3});
}

void TestMainWindow::aFailedRunMarksTheLinesItNames()
{
    FakeCodeService service;
    ui::MainWindow window(&service);
    editor::CodeEditor *editor = window.tabs()->currentEditor();
    editor->setText(QStringLiteral("int main() {\n  int x = 1\n  return x;\n}\n"));
    QVERIFY(window.tabs()->saveAs(0, m_dir.filePath(QStringLiteral("main.cpp"))));
    window.actions()->run->trigger();
    FakeJob *job = service.lastJob();
    job->emitOutput(OutputStream::Compile,
                    QStringLiteral("main.cpp: In function 'int main()':\n"
                                   "main.cpp:2:12: error: expected ',' or ';' before 'return'\n"));
    job->finish(Status::CompileError, 0, 1);
    QCOMPARE(editor->errorLines(), QList<int>{2});
    QVERIFY(editor->errorMessage(2).contains(QStringLiteral("expected ','")));

    window.actions()->run->trigger(); // a new run starts clean
    QVERIFY(editor->errorLines().isEmpty());
    service.lastJob()->finish(Status::Ok, 5, 0);
    QVERIFY(editor->errorLines().isEmpty());
}

void TestMainWindow::runFileInReplEvaluatesTheFile()
{
    FakeCodeService service;
    ui::MainWindow window(&service);
    window.tabs()->currentEditor()->setText(QStringLiteral("x = 41\n"));
    window.actions()->runInRepl->trigger();
    test::FakeSession *session = service.lastSession();
    QVERIFY(session);
    QCOMPARE(session->evals, QStringList{QStringLiteral("x = 41\n")});
    session->lastJob()->finish(Status::Ok);
    window.replPane()->submit(QStringLiteral("x + 1"));
    QCOMPARE(session->evals.last(), QStringLiteral("x + 1")); // same session: x is there
    QCOMPARE(service.sessions.size(), 1);
}

void TestMainWindow::statusBarFollowsTheConnection_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("detail");
    QTest::addColumn<int>("retryIn");
    QTest::addColumn<QString>("text");
    QTest::addRow("local mode says Local")
        << int(app::ConnectionState::Connected) << "Local" << 0 << "Local";
    QTest::addRow("a server is named")
        << int(app::ConnectionState::Connected) << "school.example:8765" << 0
        << "Connected to school.example:8765";
    QTest::addRow("reconnecting counts down")
        << int(app::ConnectionState::Reconnecting) << "" << 4 << "Reconnecting in 4 s";
    QTest::addRow("offline says why")
        << int(app::ConnectionState::Offline) << "token refused" << 0 << "Offline: token refused";
    QTest::addRow("starting the local server")
        << int(app::ConnectionState::Starting) << "" << 0 << "Starting the local server…";
}

void TestMainWindow::statusBarFollowsTheConnection()
{
    QFETCH(int, state);
    QFETCH(QString, detail);
    QFETCH(int, retryIn);
    QFETCH(QString, text);
    FakeCodeService service;
    ui::MainWindow window(&service);
    service.changeState(app::ConnectionState(state), detail, retryIn);
    QCOMPARE(window.connectionText(), text);
}

void TestMainWindow::diagnosticLinesAreParsed_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("file");
    QTest::addColumn<int>("lineNumber");
    QTest::addColumn<int>("column");
    QTest::addRow("python traceback frame") << "  File \"main.py\", line 3, in <module>"
                                            << "main.py" << 3 << 0;
    QTest::addRow("python syntax error with a sandbox path")
        << "  File \"/sandbox/main.py\", line 12"
        << "/sandbox/main.py" << 12 << 0;
    QTest::addRow("g++ error with a column") << "main.cpp:4:5: error: expected ';' before '}' token"
                                             << "main.cpp" << 4 << 5;
    QTest::addRow("g++ warning") << "util.h:10:1: warning: unused"
                                 << "util.h" << 10 << 1;
    QTest::addRow("javac error") << "Main.java:3: error: ';' expected"
                                 << "Main.java" << 3 << 0;
    QTest::addRow("java stack trace frame") << "\tat Main.main(Main.java:5)"
                                            << "Main.java" << 5 << 0;
    QTest::addRow("node stack frame") << "    at Object.<anonymous> (/sandbox/main.js:3:9)"
                                      << "/sandbox/main.js" << 3 << 9;
    QTest::addRow("node error header") << "/sandbox/main.js:7"
                                       << "/sandbox/main.js" << 7 << 0;
    QTest::addRow("plain output is not a diagnostic") << "hello world"
                                                      << "" << 0 << 0;
    QTest::addRow("a time is not a diagnostic") << "at 12:30:45 we eat"
                                                << "" << 0 << 0;
}

void TestMainWindow::diagnosticLinesAreParsed()
{
    QFETCH(QString, line);
    QFETCH(QString, file);
    QFETCH(int, lineNumber);
    QFETCH(int, column);
    const std::optional<ui::Diagnostic> d = ui::DiagnosticParser::parse(line);
    if (file.isEmpty()) {
        QVERIFY2(!d, qPrintable(d ? d->file : QString()));
        return;
    }
    QVERIFY(d);
    QCOMPARE(d->file, file);
    QCOMPARE(d->line, lineNumber);
    QCOMPARE(d->column, column);
}

void TestMainWindow::translationsAreEmbedded_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("finished");
    QTest::addRow("German is compiled in") << "de"
                                           << "Fertig in 0.12 s";
    QTest::addRow("Spanish is compiled in") << "es"
                                            << "Terminado en 0.12 s";
}

void TestMainWindow::translationsAreEmbedded()
{
    QFETCH(QString, language);
    QFETCH(QString, finished);
    QTranslator translator;
    QVERIFY(translator.load(QStringLiteral(":/i18n/coderoom_%1.qm").arg(language)));
    QVERIFY(QCoreApplication::installTranslator(&translator));
    protocol::Result result;
    result.timeMs = 120;
    const QString text = repl::StatusText::runSummary(result);
    QCoreApplication::removeTranslator(&translator);
    QCOMPARE(text, finished);
}

QTEST_MAIN(TestMainWindow)
#include "tst_mainwindow.moc"
