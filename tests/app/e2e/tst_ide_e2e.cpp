// The desktop IDE end to end, driven like a student: a real MainWindow on a real LocalCodeService
// (a private coderoomd from the build tree), offscreen. One window and one server for the whole
// suite, as a student has them; the slots run in order and build on each other (the REPL's
// variable defined early must survive the server's kill -9 later).
#include "codeeditor.h"
#include "consoleview.h"
#include "editortabs.h"
#include "localcodeservice.h"
#include "localserver.h"
#include "mainactions.h"
#include "mainwindow.h"
#include "outputpane.h"
#include "replwidget.h"

#include <QAction>
#include <QApplication>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBlock>

#include <memory>

#include <signal.h>

using namespace coderoom;
using repl::ReplWidget;

namespace {

// Generous for a loaded 2-core machine; a healthy run needs a fraction of these.
constexpr int ServerUpMs = 30000;
constexpr int RunMs = 20000;

// The text widget inside CodeEditor (a QsciScintilla, reached without its header: the tests
// type into it the way a keyboard would).
QWidget *textArea(editor::CodeEditor *editor)
{
    const QList<QWidget *> children = editor->findChildren<QWidget *>();
    for (QWidget *child : children) {
        if (child->inherits("QsciScintilla"))
            return child;
    }
    return nullptr;
}

// Types lines into the editor, pressing Enter between them. Only unindented lines: the editor
// auto-indents, so typed indentation would double up (indented code is pasted with setText).
void typeLines(QWidget *area, const QStringList &lines)
{
    for (qsizetype i = 0; i < lines.size(); ++i) {
        if (i > 0)
            QTest::keyClick(area, Qt::Key_Return);
        QTest::keyClicks(area, lines.at(i));
    }
}

// The first line of the console containing text, or an invalid block.
QTextBlock findLine(const repl::ConsoleView *console, const QString &text)
{
    for (QTextBlock block = console->document()->begin(); block.isValid(); block = block.next()) {
        if (block.text().contains(text))
            return block;
    }
    return {};
}

} // namespace

class TestIdeEndToEnd : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void theWindowComesUpInLocalMode();
    void typingAProgramAndPressingF5RunsIt();
    void inputTypedInTheOutputPaneReachesTheProgram();
    void shiftF5StopsAProgramWaitingForInput();
    void replContinuationAndHistory();
    void ctrlCInterruptsAnEndlessLoopAndTheReplStillWorks();
    void aKilledServerIsRestartedAndTheSessionRestored();
    void clickingATracebackLineMovesTheCursor();
    void ctrlF5WithInputKeepsTheKeyboardInThePrompt();
    void ctrlF5OnACppFileRunsItInTheOutputPane();

private:
    // Presses Enter in the REPL's input line after typing line; waits until the REPL is no
    // longer busy (or, for a continuation line, until the prompt is back).
    bool replEnter(const QString &line, ReplWidget::State expected);
    bool pressF5AndWaitForTheStatusLine();

    QTemporaryDir m_dir;
    std::unique_ptr<client::LocalCodeService> m_service;
    std::unique_ptr<ui::MainWindow> m_window;
    editor::CodeEditor *m_editor = nullptr;
    QWidget *m_text = nullptr;
    QLineEdit *m_replInput = nullptr;
};

void TestIdeEndToEnd::initTestCase()
{
    // Settings and data of the test stay out of the real user's home.
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CoderoomTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_ide_e2e"));
    QVERIFY(m_dir.isValid());

    localserver::LocalServerSetup setup;
    setup.program = QStringLiteral(CODEROOMD_PATH);
    setup.dataDir = m_dir.filePath(QStringLiteral("local-server"));
    m_service = std::make_unique<client::LocalCodeService>(setup);
    m_service->start();
    m_window = std::make_unique<ui::MainWindow>(m_service.get());
    m_window->resize(1100, 760);
    m_window->show();
    QApplication::setActiveWindow(m_window.get());
    QVERIFY(QTest::qWaitForWindowActive(m_window.get()));

    m_editor = m_window->tabs()->currentEditor();
    QVERIFY(m_editor);
    m_text = textArea(m_editor);
    QVERIFY(m_text);
    m_replInput = m_window->replPane()->findChild<QLineEdit *>(QStringLiteral("replInput"));
    QVERIFY(m_replInput);
}

void TestIdeEndToEnd::init()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral("QProcess: Destroyed")));
}

void TestIdeEndToEnd::cleanupTestCase()
{
    // The window goes first: nothing may hold the service when it is destroyed.
    m_window.reset();
    m_service.reset();
}

bool TestIdeEndToEnd::replEnter(const QString &line, ReplWidget::State expected)
{
    ReplWidget *replPane = m_window->replPane();
    QTest::keyClicks(m_replInput, line);
    QTest::keyClick(m_replInput, Qt::Key_Return);
    return QTest::qWaitFor([&] { return replPane->state() == expected; }, RunMs);
}

bool TestIdeEndToEnd::pressF5AndWaitForTheStatusLine()
{
    repl::OutputPane *output = m_window->outputPane();
    QSignalSpy finished(output, &repl::OutputPane::runFinished);
    m_editor->setFocusToText();
    QTest::keyClick(m_text, Qt::Key_F5);
    return finished.wait(RunMs) || finished.count() == 1;
}

void TestIdeEndToEnd::theWindowComesUpInLocalMode()
{
    QCOMPARE(m_window->connectionText(), QStringLiteral("Starting the local server…"));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->connectionText(), QStringLiteral("Local"), ServerUpMs);
    QCOMPARE(m_window->tabs()->count(), 1);
    QCOMPARE(m_window->replPane()->state(), ReplWidget::State::Ready);
    QCOMPARE(m_window->replPane()->prompt(), QStringLiteral(">>> "));
    QCOMPARE(m_window->runStateText(), QStringLiteral("Ready"));
}

void TestIdeEndToEnd::typingAProgramAndPressingF5RunsIt()
{
    QCOMPARE(m_window->actions()->run->shortcut(), QKeySequence(Qt::Key_F5));
    m_editor->setFocusToText();
    typeLines(m_text,
              {QStringLiteral("print(\"Hello from Coderoom\")"), QStringLiteral("print(6 * 7)")});
    QCOMPARE(m_editor->text(), QStringLiteral("print(\"Hello from Coderoom\")\nprint(6 * 7)"));

    QVERIFY(pressF5AndWaitForTheStatusLine());
    const QString text = m_window->outputPane()->plainText();
    QVERIFY2(text.contains(QStringLiteral("Hello from Coderoom\n42\n")), qPrintable(text));
    QVERIFY2(m_window->outputPane()->lastStatusLine().startsWith(QStringLiteral("Finished in ")),
             qPrintable(m_window->outputPane()->lastStatusLine()));
    QVERIFY(text.trimmed().endsWith(m_window->outputPane()->lastStatusLine()));
    QCOMPARE(m_window->runStateText(), m_window->outputPane()->lastStatusLine());
    QVERIFY(m_window->actions()->run->isEnabled());
}

void TestIdeEndToEnd::inputTypedInTheOutputPaneReachesTheProgram()
{
    m_editor->setText({});
    m_editor->setFocusToText();
    typeLines(m_text, {QStringLiteral("name = input(\"Your name? \")"),
                       QStringLiteral("print(\"Hello, \" + name + \"!\")")});
    repl::OutputPane *output = m_window->outputPane();
    QSignalSpy finished(output, &repl::OutputPane::runFinished);
    QTest::keyClick(m_text, Qt::Key_F5);

    // The input line appears when the program reads, and has the focus: just type.
    QTRY_VERIFY_WITH_TIMEOUT(output->isInputVisible(), RunMs);
    auto *input = output->findChild<QLineEdit *>(QStringLiteral("stdinInput"));
    QVERIFY(input);
    QTRY_VERIFY(input->hasFocus());
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("Ada"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);

    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunMs);
    const QString text = output->plainText();
    QVERIFY2(text.contains(QStringLiteral("Ada\n")), qPrintable(text)); // the echo
    QVERIFY2(text.contains(QStringLiteral("Hello, Ada!\n")), qPrintable(text));
    QVERIFY(output->lastStatusLine().startsWith(QStringLiteral("Finished in ")));
    QVERIFY(!output->isInputVisible());
}

void TestIdeEndToEnd::shiftF5StopsAProgramWaitingForInput()
{
    m_editor->setText(QStringLiteral("input()\n"));
    repl::OutputPane *output = m_window->outputPane();
    QSignalSpy finished(output, &repl::OutputPane::runFinished);
    m_editor->setFocusToText();
    QTest::keyClick(m_text, Qt::Key_F5);
    QTRY_VERIFY_WITH_TIMEOUT(output->isInputVisible(), RunMs);
    QVERIFY(m_window->actions()->stop->isEnabled());
    QCOMPARE(m_window->actions()->stop->shortcut(), QKeySequence(Qt::SHIFT | Qt::Key_F5));

    QTest::keyClick(QApplication::focusWidget(), Qt::Key_F5, Qt::ShiftModifier);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, RunMs);
    QCOMPARE(output->lastStatusLine(), QStringLiteral("Cancelled"));
    QCOMPARE(m_window->runStateText(), QStringLiteral("Cancelled"));
    QVERIFY(!output->isInputVisible());
    QVERIFY(m_window->actions()->run->isEnabled());
}

void TestIdeEndToEnd::replContinuationAndHistory()
{
    ReplWidget *replPane = m_window->replPane();
    auto *prompt = replPane->findChild<QLabel *>(QStringLiteral("replPrompt"));
    QVERIFY(prompt);
    m_replInput->setFocus();

    QVERIFY(replEnter(QStringLiteral("def f():"), ReplWidget::State::Continuation));
    QCOMPARE(prompt->text(), QStringLiteral("... "));
    // The prompt indents the block's body itself (as the editor does): the student types only
    // the statement, and Enter on the indentation it offers next ends the block.
    QCOMPARE(m_replInput->text(), QStringLiteral("    "));
    QVERIFY(replEnter(QStringLiteral("return 41"), ReplWidget::State::Continuation));
    QCOMPARE(prompt->text(), QStringLiteral("... "));
    QCOMPARE(m_replInput->text(), QStringLiteral("    ")); // the indentation is kept
    QVERIFY(replEnter(QString(), ReplWidget::State::Ready));
    QCOMPARE(prompt->text(), QStringLiteral(">>> "));

    QVERIFY(replEnter(QStringLiteral("f() + 1"), ReplWidget::State::Ready));
    const QString transcript = replPane->transcript();
    QVERIFY2(transcript.contains(QStringLiteral(">>> f() + 1\n42\n")), qPrintable(transcript));
    QVERIFY2(transcript.contains(QStringLiteral(">>> def f():\n...     return 41\n")),
             qPrintable(transcript));

    // Up walks back through what was typed, newest first; Down returns to the new line.
    QTest::keyClick(m_replInput, Qt::Key_Up);
    QCOMPARE(m_replInput->text(), QStringLiteral("f() + 1"));
    QTest::keyClick(m_replInput, Qt::Key_Up);
    QCOMPARE(m_replInput->text(), QStringLiteral("    return 41"));
    QTest::keyClick(m_replInput, Qt::Key_Down);
    QTest::keyClick(m_replInput, Qt::Key_Down);
    QCOMPARE(m_replInput->text(), QString());

    // A variable for the restart test below.
    QVERIFY(replEnter(QStringLiteral("answer = f()"), ReplWidget::State::Ready));
}

void TestIdeEndToEnd::ctrlCInterruptsAnEndlessLoopAndTheReplStillWorks()
{
    ReplWidget *replPane = m_window->replPane();
    // One line that never ends; the marker says the loop really runs before Ctrl+C.
    QTest::keyClicks(m_replInput, QStringLiteral("print('spinning', flush=True); "
                                                 "any(False for _ in iter(int, 1))"));
    QTest::keyClick(m_replInput, Qt::Key_Return);
    QCOMPARE(replPane->state(), ReplWidget::State::Busy);
    QTRY_VERIFY_WITH_TIMEOUT(replPane->transcript().contains(QStringLiteral("spinning\n")), RunMs);
    QVERIFY(replPane->state() == ReplWidget::State::Busy);

    QTest::keyClick(m_replInput, Qt::Key_C, Qt::ControlModifier);
    QTRY_COMPARE_WITH_TIMEOUT(replPane->state(), ReplWidget::State::Ready, RunMs);
    QVERIFY2(replPane->transcript().contains(QStringLiteral("KeyboardInterrupt")),
             qPrintable(replPane->transcript()));

    const qsizetype before = replPane->transcript().size();
    QVERIFY(replEnter(QStringLiteral("answer * 2"), ReplWidget::State::Ready));
    QVERIFY2(replPane->transcript().mid(before).contains(QStringLiteral("\n82\n")),
             qPrintable(replPane->transcript().mid(before)));
}

void TestIdeEndToEnd::aKilledServerIsRestartedAndTheSessionRestored()
{
    ReplWidget *replPane = m_window->replPane();
    QStringList labels;
    connect(m_service.get(), &app::CodeService::stateChanged, this,
            [&] { labels << m_window->connectionText(); });
    const qint64 pid = m_service->server()->processId();
    QVERIFY(pid > 0);
    QCOMPARE(::kill(pid_t(pid), SIGKILL), 0);

    QTRY_VERIFY_WITH_TIMEOUT(!labels.isEmpty(), ServerUpMs);
    QTRY_VERIFY_WITH_TIMEOUT(labels.contains(QStringLiteral("Starting the local server…")),
                             ServerUpMs);
    QVERIFY2(labels.first() != QStringLiteral("Local"), qPrintable(labels.join(u'|')));
    QTRY_COMPARE_WITH_TIMEOUT(m_window->connectionText(), QStringLiteral("Local"), ServerUpMs);
    QVERIFY(m_service->server()->processId() != pid);

    QTRY_VERIFY_WITH_TIMEOUT(replPane->transcript().contains(
                                 QStringLiteral("Session restored after the server restarted")),
                             ServerUpMs);
    const qsizetype before = replPane->transcript().size();
    QVERIFY(replEnter(QStringLiteral("answer + 1"), ReplWidget::State::Ready));
    QVERIFY2(replPane->transcript().mid(before).contains(QStringLiteral("\n42\n")),
             qPrintable(replPane->transcript()));
}

void TestIdeEndToEnd::clickingATracebackLineMovesTheCursor()
{
    // Pasted, not typed: indentation (see typeLines).
    m_editor->setText(QStringLiteral("def half(n):\n"
                                     "    return n / 0\n"
                                     "\n"
                                     "print(half(4))\n"));
    m_editor->goToLine(4);
    QVERIFY(pressF5AndWaitForTheStatusLine());
    repl::OutputPane *output = m_window->outputPane();
    QCOMPARE(output->lastStatusLine(), QStringLiteral("Error (exit code 1)"));
    QVERIFY2(output->plainText().contains(QStringLiteral("ZeroDivisionError")),
             qPrintable(output->plainText()));
    QVERIFY(m_editor->errorLines().contains(2)); // marked without a click
    m_editor->goToLine(4);
    QCOMPARE(m_editor->cursorLine(), 4);

    repl::ConsoleView *console = output->console();
    const QTextBlock block = findLine(console, QStringLiteral("line 2, in half"));
    QVERIFY2(block.isValid(), qPrintable(output->plainText()));
    QTextCursor cursor(block);
    cursor.movePosition(QTextCursor::Right, QTextCursor::MoveAnchor, 4);
    console->setTextCursor(cursor);
    console->ensureCursorVisible();
    const QPoint point = console->cursorRect(cursor).center();
    QVERIFY(console->viewport()->rect().contains(point));
    QTest::mouseClick(console->viewport(), Qt::LeftButton, {}, point);

    QCOMPARE(m_editor->cursorLine(), 2);
}

void TestIdeEndToEnd::ctrlF5WithInputKeepsTheKeyboardInThePrompt()
{
    // The trap: the answer to input() was typed into the source file.
    const QString code = QStringLiteral("name = input('name? ')\nprint('hi', name)\n");
    m_editor->setText(code);
    m_editor->setFocusToText();
    ReplWidget *replPane = m_window->replPane();
    QTest::keyClick(m_text, Qt::Key_F5, Qt::ControlModifier);
    QTRY_VERIFY_WITH_TIMEOUT(replPane->transcript().contains(QStringLiteral("name? ")), RunMs);
    QTRY_COMPARE(QApplication::focusWidget(), m_replInput);
    QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("Bob"));
    QTest::keyClick(QApplication::focusWidget(), Qt::Key_Return);
    QTRY_COMPARE_WITH_TIMEOUT(replPane->state(), ReplWidget::State::Ready, RunMs);
    QVERIFY2(replPane->transcript().contains(QStringLiteral("hi Bob\n")),
             qPrintable(replPane->transcript()));
    QCOMPARE(m_editor->text(), code);
}

void TestIdeEndToEnd::ctrlF5OnACppFileRunsItInTheOutputPane()
{
    m_window->actions()->newCpp->trigger();
    editor::CodeEditor *cpp = m_window->tabs()->currentEditor();
    QVERIFY(cpp != m_editor);
    repl::OutputPane *output = m_window->outputPane();
    QSignalSpy finished(output, &repl::OutputPane::runFinished);
    m_window->actions()->runInRepl->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000); // the compile is part of it
    const QString text = output->plainText();
    QVERIFY2(text.contains(QStringLiteral("C++ has no interactive prompt")), qPrintable(text));
    QVERIFY2(text.contains(QStringLiteral("Hello, world!\n")), qPrintable(text));
    QVERIFY(output->lastStatusLine().startsWith(QStringLiteral("Finished in ")));

    // The prompt was never touched and still answers.
    ReplWidget *replPane = m_window->replPane();
    QCOMPARE(replPane->state(), ReplWidget::State::Ready);
    const qsizetype before = replPane->transcript().size();
    QVERIFY(replEnter(QStringLiteral("6 * 7"), ReplWidget::State::Ready));
    QVERIFY2(replPane->transcript().mid(before).contains(QStringLiteral("\n42\n")),
             qPrintable(replPane->transcript()));
    QVERIFY(m_window->tabs()->closeTab(m_window->tabs()->indexOf(cpp)));
}

QTEST_MAIN(TestIdeEndToEnd)
#include "tst_ide_e2e.moc"
