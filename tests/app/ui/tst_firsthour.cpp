// A student's first hour with the window (offscreen, fake service): the traps a first-time
// student fell into, each as a spec. The keyboard goes where the program reads; Run in REPL
// on C++ runs in the Output pane; Restart always brings a working prompt back; the prompt
// indents; an untitled Java tab is named after its public class; new files start as hello
// world; files open at quit come back; error notes say what went wrong, also for JavaScript and
// Java, and clicking a traceback keeps them; Ctrl+= zooms; Clear output; the Edit menu; Help.
#include "codeeditor.h"
#include "editortabs.h"
#include "fakecodeservice.h"
#include "mainactions.h"
#include "mainwindow.h"
#include "outputpane.h"
#include "replwidget.h"
#include "runcontroller.h"

#include <QAction>
#include <QApplication>
#include <QContextMenuEvent>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QSettings>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolButton>

using namespace coderoom;
using coderoom::protocol::LanguageInfo;
using coderoom::protocol::OutputStream;
using coderoom::protocol::Status;
using coderoom::test::FakeCodeService;
using coderoom::test::FakeJob;
using coderoom::test::FakeSession;

namespace {

QList<LanguageInfo> serverLanguages()
{
    return {{QStringLiteral("python"), QStringLiteral("Python"), {}, true, {QStringLiteral("py")}},
            {QStringLiteral("cpp"), QStringLiteral("C++"), {}, false, {QStringLiteral("cpp")}},
            {QStringLiteral("java"), QStringLiteral("Java"), {}, true, {QStringLiteral("java")}},
            {QStringLiteral("javascript"), QStringLiteral("JavaScript"), {}, true,
             {QStringLiteral("js")}}};
}

QLineEdit *replInput(ui::MainWindow &window)
{
    return window.replPane()->findChild<QLineEdit *>(QStringLiteral("replInput"));
}

QAction *menuAction(ui::MainWindow &window, const QString &menu, const QString &text)
{
    for (QAction *top : window.menuBar()->actions()) {
        if (top->text().remove(u'&') != menu || !top->menu())
            continue;
        for (QAction *action : top->menu()->actions()) {
            if (action->text().remove(u'&') == text)
                return action;
        }
    }
    return nullptr;
}

} // namespace

class TestFirstHour : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setOrganizationName(QStringLiteral("CoderoomTest"));
        QCoreApplication::setApplicationName(QStringLiteral("tst_firsthour"));
        QVERIFY(m_dir.isValid());
    }
    void init() { QSettings().clear(); }

    void runInReplMovesTheKeyboardToThePromptAndInputKeepsItThere()
    {
        FakeCodeService service;
        service.announceLanguages(serverLanguages());
        ui::MainWindow window(&service);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        editor::CodeEditor *editor = window.tabs()->currentEditor();
        editor->setText(QStringLiteral("name = input('name? ')\n"));
        editor->setFocusToText();
        window.actions()->runInRepl->trigger();
        QCOMPARE(QApplication::focusWidget(), replInput(window));

        // The student clicks back into the editor; then the program asks.
        editor->setFocusToText();
        FakeSession *session = service.lastSession();
        QVERIFY(session);
        FakeJob *job = session ? session->lastJob() : nullptr;
        QVERIFY(job);
        if (!job)
            return;
        job->wantInput();
        QCOMPARE(QApplication::focusWidget(), replInput(window));
        QTest::keyClicks(replInput(window), QStringLiteral("Bob"));
        QTest::keyClick(replInput(window), Qt::Key_Return);
        QCOMPARE(job->inputs, QStringList{QStringLiteral("Bob\n")});
        QCOMPARE(editor->text(), QStringLiteral("name = input('name? ')\n")); // untouched
    }

    void runInReplOnALanguageWithoutAPromptRunsInTheOutputPane()
    {
        FakeCodeService service;
        service.announceLanguages(serverLanguages());
        ui::MainWindow window(&service);
        window.tabs()->newFromTemplate(editor::Language::Cpp);
        const int sessionsBefore = int(service.sessions.size());
        window.actions()->runInRepl->trigger();
        QCOMPARE(service.runs.size(), 1); // ran as a program
        QCOMPARE(service.runs.first().language, QStringLiteral("cpp"));
        QCOMPARE(int(service.sessions.size()), sessionsBefore); // no C++ session asked for
        QVERIFY(window.outputPane()->plainText().contains(
            QStringLiteral("C++ has no interactive prompt")));
        // The Output tab is the one in front, not the prompt's.
        auto *bottom = qobject_cast<QTabWidget *>(
            window.outputPane()->parentWidget() ? window.outputPane()->parentWidget()->parentWidget()
                                                : nullptr);
        QVERIFY(bottom);
        QCOMPARE(bottom->currentWidget(), static_cast<QWidget *>(window.outputPane()));
        // The prompt is untouched and still answers.
        QCOMPARE(window.replPane()->state(), repl::ReplWidget::State::Ready);
        QCOMPARE(window.replPane()->session()->language(), QStringLiteral("python"));
    }

    void restartAlwaysBringsAWorkingPromptBack()
    {
        FakeCodeService service;
        ui::MainWindow window(&service);
        FakeSession *first = service.lastSession();
        first->emitFailed(QStringLiteral("the server had no room"));
        QCOMPARE(window.replPane()->state(), repl::ReplWidget::State::NoSession);
        auto *restart = window.replPane()->findChild<QToolButton *>(QStringLiteral("replRestart"));
        QVERIFY(restart && restart->isEnabled());
        window.actions()->restartRepl->trigger();
        FakeSession *second = service.lastSession();
        QVERIFY(second != first); // a new session, not a restart of the dead one
        QCOMPARE(window.replPane()->session(), second);
        QCOMPARE(window.replPane()->state(), repl::ReplWidget::State::Ready);
        QCOMPARE(first->restarts, 0);
    }

    void thePromptIndentsBlocks_data()
    {
        QTest::addColumn<QString>("cell");
        QTest::addColumn<QString>("indent");
        QTest::addRow("after a line ending in a colon, one level deeper")
            << QStringLiteral("def f():") << QStringLiteral("    ");
        QTest::addRow("a body line keeps its indentation")
            << QStringLiteral("def f():\n    x = 1") << QStringLiteral("    ");
        QTest::addRow("nested blocks go deeper")
            << QStringLiteral("for i in range(3):\n    if i:") << QStringLiteral("        ");
        QTest::addRow("an open brace (Java, JavaScript) indents")
            << QStringLiteral("for (int i = 0; i < 3; i++) {") << QStringLiteral("    ");
        QTest::addRow("an open bracket indents")
            << QStringLiteral("xs = [") << QStringLiteral("    ");
        QTest::addRow("a line inside brackets keeps its indentation, none at top level")
            << QStringLiteral("xs = [1,") << QStringLiteral("");
    }
    void thePromptIndentsBlocks()
    {
        QFETCH(QString, cell);
        QFETCH(QString, indent);
        QCOMPARE(repl::ReplWidget::continuationIndent(cell), indent);
    }

    void anIncompleteLineLeavesTheIndentationInThePrompt()
    {
        FakeSession session(QStringLiteral("python"));
        repl::ReplWidget repl;
        repl.setSession(&session);
        auto *input = repl.findChild<QLineEdit *>(QStringLiteral("replInput"));
        repl.submit(QStringLiteral("def f():"));
        session.lastJob()->finish(Status::Incomplete);
        QCOMPARE(input->text(), QStringLiteral("    "));
        input->end(false);
        QTest::keyClicks(input, QStringLiteral("return 1"));
        QTest::keyClick(input, Qt::Key_Return);
        QCOMPARE(session.evals.last(), QStringLiteral("def f():\n    return 1"));
        session.lastJob()->finish(Status::Incomplete);
        QCOMPARE(input->text(), QStringLiteral("    "));
        QTest::keyClick(input, Qt::Key_Return); // Enter on the offered indentation ends it
        QCOMPARE(session.evals.last(), QStringLiteral("def f():\n    return 1\n"));
    }

    void anUntitledJavaTabIsNamedAfterItsPublicClass()
    {
        FakeCodeService service;
        service.announceLanguages(serverLanguages());
        ui::MainWindow window(&service);
        window.actions()->newJava->trigger();
        editor::EditorTabs *tabs = window.tabs();
        QCOMPARE(tabs->displayName(tabs->currentIndex()), QStringLiteral("Main.java"));
        tabs->currentEditor()->setText(QStringLiteral(
            "public final class Greeter {\n    public static void main(String[] a) {}\n}\n"));
        QCOMPARE(tabs->displayName(tabs->currentIndex()), QStringLiteral("Greeter.java"));
        window.actions()->run->trigger();
        QCOMPARE(service.runs.last().main, QStringLiteral("Greeter.java"));
        QCOMPARE(service.runs.last().files.first().name, QStringLiteral("Greeter.java"));
    }

    void newFilesStartAsHelloWorld_data()
    {
        QTest::addColumn<QString>("action");
        QTest::addColumn<QString>("needle");
        QTest::addRow("Python") << QStringLiteral("newFile") << QStringLiteral("print(");
        QTest::addRow("C++") << QStringLiteral("newCpp") << QStringLiteral("std::cout");
        QTest::addRow("Java") << QStringLiteral("newJava") << QStringLiteral("System.out.println");
        QTest::addRow("JavaScript") << QStringLiteral("newJavaScript")
                                    << QStringLiteral("console.log");
    }
    void newFilesStartAsHelloWorld()
    {
        QFETCH(QString, action);
        QFETCH(QString, needle);
        FakeCodeService service;
        ui::MainWindow window(&service);
        ui::MainActions *a = window.actions();
        const QHash<QString, QAction *> actions{{QStringLiteral("newFile"), a->newFile},
                                                {QStringLiteral("newCpp"), a->newCpp},
                                                {QStringLiteral("newJava"), a->newJava},
                                                {QStringLiteral("newJavaScript"), a->newJavaScript}};
        actions.value(action)->trigger();
        const QString text = window.tabs()->currentEditor()->text();
        QVERIFY2(text.contains(needle) && text.contains(QStringLiteral("Hello, world!")),
                 qPrintable(text));
        QVERIFY(!window.tabs()->currentEditor()->isModified()); // closing asks nothing
    }

    void theFilesOpenAtQuitReopenAtStart()
    {
        const QString first = m_dir.filePath(QStringLiteral("first.py"));
        const QString second = m_dir.filePath(QStringLiteral("second.py"));
        for (const QString &path : {first, second}) {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("print(1)\n");
        }
        {
            FakeCodeService service;
            ui::MainWindow window(&service);
            window.openFiles({first, second});
            window.tabs()->setCurrentIndex(window.tabs()->indexOf(
                window.tabs()->editorForFile(QStringLiteral("first.py"))));
            QVERIFY(window.close());
        }
        FakeCodeService service;
        ui::MainWindow window(&service);
        QCOMPARE(window.tabs()->count(), 2); // no extra untitled tab
        QCOMPARE(window.tabs()->filePath(0), first);
        QCOMPARE(window.tabs()->filePath(1), second);
        QCOMPARE(window.tabs()->filePath(window.tabs()->currentIndex()), first);
    }

    void errorNotesSayWhatWentWrong_data()
    {
        QTest::addColumn<QString>("fileName");
        QTest::addColumn<QString>("code");
        QTest::addColumn<QString>("stderrText");
        QTest::addColumn<int>("line");
        QTest::addColumn<QString>("note");
        QTest::addRow("JavaScript: the error, not the stack line")
            << QStringLiteral("main.js") << QStringLiteral("let a = 1;\nfoo();\n")
            << QStringLiteral("/work/main.js:2\nfoo();\n^\n\nReferenceError: foo is not defined\n"
                              "    at Object.<anonymous> (/work/main.js:2:1)\n"
                              "    at Module._compile (node:internal/modules/cjs/loader:1105:14)\n")
            << 2 << QStringLiteral("ReferenceError: foo is not defined");
        QTest::addRow("Java: the exception, not the frame")
            << QStringLiteral("Main.java")
            << QStringLiteral("public class Main {\n  public static void main(String[] a) {\n"
                              "    int x = 1 / 0;\n  }\n}\n")
            << QStringLiteral("Exception in thread \"main\" java.lang.ArithmeticException: / by "
                              "zero\n\tat Main.main(Main.java:3)\n")
            << 3
            << QStringLiteral(
                   "Exception in thread \"main\" java.lang.ArithmeticException: / by zero");
        QTest::addRow("Python: the last line of the traceback")
            << QStringLiteral("main.py") << QStringLiteral("x = 1\nprint(y)\n")
            << QStringLiteral("Traceback (most recent call last):\n  File \"/work/main.py\", "
                              "line 2, in <module>\n    print(y)\nNameError: name 'y' is not "
                              "defined\n")
            << 2 << QStringLiteral("NameError: name 'y' is not defined");
    }
    void errorNotesSayWhatWentWrong()
    {
        QFETCH(QString, fileName);
        QFETCH(QString, code);
        QFETCH(QString, stderrText);
        QFETCH(int, line);
        QFETCH(QString, note);
        FakeCodeService service;
        ui::MainWindow window(&service);
        editor::CodeEditor *editor = window.tabs()->currentEditor();
        editor->setText(code);
        QVERIFY(window.tabs()->saveAs(0, m_dir.filePath(fileName)));
        window.actions()->run->trigger();
        service.lastJob()->emitOutput(OutputStream::Stderr, stderrText);
        service.lastJob()->finish(Status::Error, 10, 1);
        QCOMPARE(editor->errorLines(), QList<int>{line});
        QCOMPARE(editor->errorMessage(line), note);

        // Clicking each line of the traceback moves there and keeps the note.
        for (const QString &text : stderrText.split(u'\n'))
            window.runController()->jumpToDiagnostic(text);
        QCOMPARE(editor->errorMessage(line), note);
    }

    void ctrlEqualsZoomsInsteadOfTyping()
    {
        FakeCodeService service;
        ui::MainWindow window(&service);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        editor::CodeEditor *editor = window.tabs()->currentEditor();
        editor->setFocusToText();
        const int before = editor->zoomLevel();
        QTest::keyClick(QApplication::focusWidget(), Qt::Key_Equal, Qt::ControlModifier);
        QVERIFY2(editor->zoomLevel() > before, qPrintable(QString::number(editor->zoomLevel())));
        QCOMPARE(editor->text(), QString()); // no "=" typed
    }

    void clearOutputFromTheButtonTheMenuAndTheConsole()
    {
        FakeCodeService service;
        ui::MainWindow window(&service);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        const auto fill = [&] {
            window.actions()->run->trigger();
            service.lastJob()->emitOutput(OutputStream::Stdout, QStringLiteral("lots\n"));
            service.lastJob()->finish(Status::Ok);
            QVERIFY(!window.outputPane()->plainText().isEmpty());
        };
        fill();
        auto *button = window.outputPane()->findChild<QToolButton *>(QStringLiteral("clearOutput"));
        QVERIFY(button && button->isVisible());
        button->click();
        QCOMPARE(window.outputPane()->plainText(), QString());

        fill();
        QAction *fromMenu = menuAction(window, QStringLiteral("Run"), QStringLiteral("Clear output"));
        QVERIFY(fromMenu);
        fromMenu->trigger();
        QCOMPARE(window.outputPane()->plainText(), QString());

        fill();
        repl::ConsoleView *console = window.outputPane()->console();
        QContextMenuEvent event(QContextMenuEvent::Mouse, QPoint(5, 5),
                                console->mapToGlobal(QPoint(5, 5)));
        QApplication::sendEvent(console->viewport(), &event);
        QMenu *menu = nullptr;
        QTRY_VERIFY((menu = qobject_cast<QMenu *>(QApplication::activePopupWidget())));
        auto *clear = menu->findChild<QAction *>(QStringLiteral("clearOutputAction"));
        QVERIFY(clear && clear->isEnabled());
        clear->trigger();
        menu->close();
        QCOMPARE(window.outputPane()->plainText(), QString());
    }

    void theEditMenuEditsTheFile()
    {
        FakeCodeService service;
        ui::MainWindow window(&service);
        for (const QString &text : {QStringLiteral("Undo"), QStringLiteral("Redo"),
                                    QStringLiteral("Cut"), QStringLiteral("Copy"),
                                    QStringLiteral("Paste"), QStringLiteral("Select all"),
                                    QStringLiteral("Comment or uncomment lines")})
            QVERIFY2(menuAction(window, QStringLiteral("Edit"), text), qPrintable(text));

        editor::CodeEditor *editor = window.tabs()->currentEditor();
        editor->setText(QStringLiteral("a = 1\nb = 2\n"));
        window.actions()->selectAll->trigger();
        window.actions()->copy->trigger();
        window.actions()->toggleComment->trigger();
        QCOMPARE(editor->text(), QStringLiteral("# a = 1\n# b = 2\n"));
        window.actions()->toggleComment->trigger();
        QCOMPARE(editor->text(), QStringLiteral("a = 1\nb = 2\n"));
        window.actions()->undo->trigger();
        QCOMPARE(editor->text(), QStringLiteral("# a = 1\n# b = 2\n"));
        window.actions()->redo->trigger();
        QCOMPARE(editor->text(), QStringLiteral("a = 1\nb = 2\n"));
        window.actions()->selectAll->trigger();
        window.actions()->cut->trigger();
        QCOMPARE(editor->text(), QString());
        window.actions()->paste->trigger();
        QCOMPARE(editor->text(), QStringLiteral("a = 1\nb = 2\n"));
    }

    void helpHasAGuideWithTheLimits()
    {
        FakeCodeService service;
        ui::MainWindow window(&service);
        QAction *guide =
            menuAction(window, QStringLiteral("Help"), QStringLiteral("Getting started"));
        QVERIFY(guide);
        QCOMPARE(guide->shortcut(), QKeySequence(QKeySequence::HelpContents));
        protocol::ServerLimits limits;
        limits.runTimeMs = 10000;
        limits.inputWaitMs = 15 * 60000;
        const QString text = ui::MainWindow::guideText(limits);
        QVERIFY(text.contains(QStringLiteral("F5")));
        QVERIFY(text.contains(QStringLiteral("10 seconds")));
        QVERIFY(text.contains(QStringLiteral("waiting for you to type")));
        QVERIFY(text.contains(QStringLiteral("15 minutes")));
    }

private:
    QTemporaryDir m_dir;
};

QTEST_MAIN(TestFirstHour)
#include "tst_firsthour.moc"
