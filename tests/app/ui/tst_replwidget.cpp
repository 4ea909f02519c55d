// ReplWidget and OutputPane against a fake session: prompts, continuation, history, Ctrl+C,
// restored notes, completion, interactive input; and the status sentences.
#include "fakecodeservice.h"
#include "outputpane.h"
#include "replwidget.h"
#include "statustext.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QTest>

using namespace coderoom;
using coderoom::protocol::OutputStream;
using coderoom::protocol::Status;
using coderoom::repl::OutputPane;
using coderoom::repl::ReplWidget;
using coderoom::repl::StatusText;
using coderoom::test::FakeJob;
using coderoom::test::FakeSession;

class TestReplWidget : public QObject
{
    Q_OBJECT
private slots:
    void promptPerLanguage_data();
    void promptPerLanguage();
    void expressionShowsItsValue();
    void incompleteInputContinuesAndResendsTheCell();
    void historyWalksUpAndDown();
    void ctrlCInterruptsTheRunningEval();
    void ctrlCDropsAnUnfinishedCell();
    void restoredSessionShowsANote();
    void restartAsksTheSession();
    void tabCompletesFromTheSession();
    void inputGoesToTheRunningEval();
    void aCellWaitingForItsInterpreterSaysHowManyAreAhead();
    void aSessionWaitingToStartSaysSo();
    void stderrAndStdoutBothShown();
    void outputPaneStreamsAndEndsWithAStatusLine();
    void outputPaneSendsTypedInputToTheJob();
    void runSummaryReadsAsASentence_data();
    void runSummaryReadsAsASentence();

private:
    static QLineEdit *input(ReplWidget &repl)
    {
        return repl.findChild<QLineEdit *>(QStringLiteral("replInput"));
    }
};

void TestReplWidget::promptPerLanguage_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("primary");
    QTest::addColumn<QString>("continuation");
    QTest::addRow("python prompts like python") << "python"
                                                << ">>> "
                                                << "... ";
    QTest::addRow("java prompts like jshell") << "java"
                                              << "jshell> "
                                              << "   ...> ";
    QTest::addRow("javascript prompts like node") << "javascript"
                                                  << "> "
                                                  << "... ";
}

void TestReplWidget::promptPerLanguage()
{
    QFETCH(QString, language);
    QFETCH(QString, primary);
    QFETCH(QString, continuation);
    FakeSession session(language);
    ReplWidget repl;
    QCOMPARE(repl.state(), ReplWidget::State::NoSession);
    repl.setSession(&session);
    QCOMPARE(repl.prompt(), primary);
    QCOMPARE(repl.findChild<QLabel *>(QStringLiteral("replPrompt"))->text(), primary);
    repl.submit(QStringLiteral("if x:"));
    session.lastJob()->finish(Status::Incomplete);
    QCOMPARE(repl.prompt(), continuation);
}

void TestReplWidget::expressionShowsItsValue()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    QTest::keyClicks(input(repl), QStringLiteral("40 + 2"));
    QTest::keyClick(input(repl), Qt::Key_Return);
    QCOMPARE(session.evals, QStringList{QStringLiteral("40 + 2")});
    QCOMPARE(repl.state(), ReplWidget::State::Busy);
    session.lastJob()->finish(Status::Ok, 1, {}, QStringLiteral("42"));
    QCOMPARE(repl.state(), ReplWidget::State::Ready);
    QVERIFY(repl.transcript().contains(QStringLiteral(">>> 40 + 2\n42\n")));
}

void TestReplWidget::incompleteInputContinuesAndResendsTheCell()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    repl.submit(QStringLiteral("def f(x):"));
    session.lastJob()->finish(Status::Incomplete);
    QCOMPARE(repl.state(), ReplWidget::State::Continuation);
    QCOMPARE(repl.prompt(), QStringLiteral("... "));

    repl.submit(QStringLiteral("    return x * 2"));
    session.lastJob()->finish(Status::Incomplete);
    repl.submit(QString());
    QCOMPARE(session.evals, (QStringList{QStringLiteral("def f(x):"),
                                         QStringLiteral("def f(x):\n    return x * 2"),
                                         QStringLiteral("def f(x):\n    return x * 2\n")}));
    session.lastJob()->finish(Status::Ok);
    QCOMPARE(repl.state(), ReplWidget::State::Ready);
    QCOMPARE(repl.prompt(), QStringLiteral(">>> "));

    repl.submit(QStringLiteral("f(2)")); // a fresh cell, not appended to the old one
    QCOMPARE(session.evals.last(), QStringLiteral("f(2)"));
}

void TestReplWidget::historyWalksUpAndDown()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    for (const char *line : {"a = 1", "b = 2", "a + b"}) {
        repl.submit(QString::fromLatin1(line));
        session.lastJob()->finish(Status::Ok);
    }
    QLineEdit *line = input(repl);
    QTest::keyClicks(line, QStringLiteral("draft"));
    QTest::keyClick(line, Qt::Key_Up);
    QCOMPARE(line->text(), QStringLiteral("a + b"));
    QTest::keyClick(line, Qt::Key_Up);
    QTest::keyClick(line, Qt::Key_Up);
    QCOMPARE(line->text(), QStringLiteral("a = 1"));
    QTest::keyClick(line, Qt::Key_Up); // stays at the oldest
    QCOMPARE(line->text(), QStringLiteral("a = 1"));
    QTest::keyClick(line, Qt::Key_Down);
    QCOMPARE(line->text(), QStringLiteral("b = 2"));
    QTest::keyClick(line, Qt::Key_Down);
    QTest::keyClick(line, Qt::Key_Down);
    QCOMPARE(line->text(), QStringLiteral("draft"));

    FakeSession other(QStringLiteral("python"));
    repl.setSession(&other);
    QVERIFY(repl.history().isEmpty()); // history belongs to a session
}

void TestReplWidget::ctrlCInterruptsTheRunningEval()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    repl.submit(QStringLiteral("while True: pass"));
    FakeJob *job = session.lastJob();
    QTest::keyClick(input(repl), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(job->interrupts, 1);
    QCOMPARE(repl.state(), ReplWidget::State::Busy); // until the result comes
    job->emitOutput(OutputStream::Stderr, QStringLiteral("KeyboardInterrupt\n"));
    job->finish(Status::Error);
    QCOMPARE(repl.state(), ReplWidget::State::Ready);
    QVERIFY(repl.transcript().contains(QStringLiteral("KeyboardInterrupt")));
}

void TestReplWidget::ctrlCDropsAnUnfinishedCell()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    repl.submit(QStringLiteral("for i in range(3):"));
    session.lastJob()->finish(Status::Incomplete);
    QTest::keyClick(input(repl), Qt::Key_C, Qt::ControlModifier);
    QCOMPARE(repl.state(), ReplWidget::State::Ready);
    repl.submit(QStringLiteral("1"));
    QCOMPARE(session.evals.last(), QStringLiteral("1"));
}

void TestReplWidget::restoredSessionShowsANote()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    session.emitRestored(protocol::RestoreReason::Crash, 12);
    QVERIFY2(repl.transcript().contains(QStringLiteral(
                 "Session restored after the interpreter crashed — 12 entries replayed")),
             qPrintable(repl.transcript()));
}

void TestReplWidget::restartAsksTheSession()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    repl.submit(QStringLiteral("x = 1"));
    session.lastJob()->finish(Status::Ok);
    repl.restart();
    QCOMPARE(session.restarts, 1);
    session.emitRestarted();
    QCOMPARE(repl.state(), ReplWidget::State::Ready);
    QVERIFY(repl.transcript().contains(QStringLiteral("Interpreter restarted")));
}

void TestReplWidget::tabCompletesFromTheSession()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    repl.show();
    QLineEdit *line = input(repl);
    QTest::keyClicks(line, QStringLiteral("import ma"));
    QTest::keyClick(line, Qt::Key_Tab);
    QCOMPARE(session.completionRequests, QStringList{QStringLiteral("import ma")});
    session.emitCompletions({QStringLiteral("math")});
    QCOMPARE(line->text(), QStringLiteral("import math"));

    line->setText(QStringLiteral("math.s"));
    QTest::keyClick(line, Qt::Key_Tab);
    session.emitCompletions({QStringLiteral("math.sin"), QStringLiteral("math.sqrt")});
    auto *completer = repl.findChild<QCompleter *>();
    QVERIFY(completer);
    QCOMPARE(completer->completionModel()->rowCount(), 2);
    QTRY_VERIFY(completer->popup()->isVisible());
    emit completer->activated(QStringLiteral("math.sqrt"));
    QCOMPARE(line->text(), QStringLiteral("math.sqrt"));
}

void TestReplWidget::inputGoesToTheRunningEval()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    repl.submit(QStringLiteral("name = input('Name? ')"));
    FakeJob *job = session.lastJob();
    job->emitOutput(OutputStream::Stdout, QStringLiteral("Name? "));
    job->wantInput();
    QTest::keyClicks(input(repl), QStringLiteral("Ada"));
    QTest::keyClick(input(repl), Qt::Key_Return);
    QCOMPARE(job->inputs, QStringList{QStringLiteral("Ada\n")});
    QCOMPARE(session.evals.size(), 1); // not evaluated as code
    job->finish(Status::Ok);
    QVERIFY(repl.history().contains(QStringLiteral("name = input('Name? ')")));
    QVERIFY(!repl.history().contains(QStringLiteral("Ada")));
}

void TestReplWidget::aCellWaitingForItsInterpreterSaysHowManyAreAhead()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    repl.submit(QStringLiteral("x"));
    FakeJob *job = session.lastJob();
    job->accept(3);
    QVERIFY2(input(repl)->placeholderText().contains(QStringLiteral("3 ahead")),
             qPrintable(input(repl)->placeholderText()));
    job->start();
    QVERIFY(input(repl)->placeholderText().isEmpty());
    job->finish(Status::Ok, 1, {}, QStringLiteral("1"));
    QVERIFY(repl.transcript().contains(QStringLiteral("1")));
}

void TestReplWidget::aSessionWaitingToStartSaysSo()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    session.emitWaiting(2);
    QVERIFY2(repl.transcript().contains(QStringLiteral("waiting for a free interpreter (2 ahead")),
             qPrintable(repl.transcript()));
}

void TestReplWidget::stderrAndStdoutBothShown()
{
    FakeSession session(QStringLiteral("python"));
    ReplWidget repl;
    repl.setSession(&session);
    repl.submit(QStringLiteral("1/0"));
    session.lastJob()->emitOutput(OutputStream::Stdout, QStringLiteral("before\n"));
    session.lastJob()->emitOutput(OutputStream::Stderr,
                                  QStringLiteral("ZeroDivisionError: division by zero\n"));
    session.lastJob()->finish(Status::Error);
    QVERIFY(repl.transcript().contains(QStringLiteral("before\nZeroDivisionError")));
}

void TestReplWidget::outputPaneStreamsAndEndsWithAStatusLine()
{
    test::FakeCodeService service;
    OutputPane pane;
    auto *job = static_cast<FakeJob *>(service.run({}));
    pane.attach(job, QStringLiteral("Running main.py"));
    QVERIFY(pane.isRunning());
    job->emitOutput(OutputStream::Stdout, QStringLiteral("hel"));
    QVERIFY(pane.plainText().endsWith(QStringLiteral("hel"))); // shown before the line ends
    job->emitOutput(OutputStream::Stdout, QStringLiteral("lo\n"));
    job->emitOutput(OutputStream::Stderr, QStringLiteral("warning\n"));
    QSignalSpy finished(&pane, &OutputPane::runFinished);
    job->finish(Status::Ok, 120, 0);
    QCOMPARE(finished.count(), 1);
    QVERIFY(!pane.isRunning());
    QCOMPARE(pane.lastStatusLine(), QStringLiteral("Finished in 0.12 s"));
    QCOMPARE(pane.plainText(),
             QStringLiteral("Running main.py\nhello\nwarning\nFinished in 0.12 s\n"));
}

void TestReplWidget::outputPaneSendsTypedInputToTheJob()
{
    test::FakeCodeService service;
    OutputPane pane;
    pane.show();
    auto *job = static_cast<FakeJob *>(service.run({}));
    pane.attach(job, {});
    QVERIFY(!pane.isInputVisible());
    job->wantInput();
    QVERIFY(pane.isInputVisible());
    auto *line = pane.findChild<QLineEdit *>(QStringLiteral("stdinInput"));
    QTest::keyClicks(line, QStringLiteral("5"));
    QTest::keyClick(line, Qt::Key_Return);
    QCOMPARE(job->inputs, QStringList{QStringLiteral("5\n")});
    QTest::keyClick(line, Qt::Key_D, Qt::ControlModifier);
    QVERIFY(job->eof);
    job->finish(Status::Ok);
    QVERIFY(!pane.isInputVisible());
}

void TestReplWidget::runSummaryReadsAsASentence_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<qint64>("timeMs");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("sentence");
    QTest::addColumn<QString>("limit");
    QTest::addRow("ok says how long it took")
        << int(Status::Ok) << qint64(120) << 0 << "Finished in 0.12 s" << "";
    QTest::addRow("timeout names the limit")
        << int(Status::Timeout) << qint64(10003) << -1 << "Stopped: ran longer than 10 s" << "";
    QTest::addRow("a question nobody answered is not running too long")
        << int(Status::Timeout) << qint64(200) << -1
        << "Stopped: nobody answered its input for 15 min" << "input_wait";
    QTest::addRow("the CPU limit is named as such")
        << int(Status::Timeout) << qint64(3000) << -1 << "Stopped: used up its CPU time"
        << "cpu_time";
    QTest::addRow("overloaded says retrying is safe")
        << int(Status::Overloaded) << qint64(0) << -1 << "Server busy — retrying is safe" << "";
    QTest::addRow("queue timeout says retrying is safe")
        << int(Status::QueueTimeout) << qint64(0) << -1 << "Server busy — retrying is safe" << "";
    QTest::addRow("compile error")
        << int(Status::CompileError) << qint64(0) << 1 << "Compile error" << "";
    QTest::addRow("memory limit is out of memory")
        << int(Status::MemoryLimit) << qint64(0) << -1 << "Out of memory" << "";
    QTest::addRow("output limit is too much output")
        << int(Status::OutputLimit) << qint64(0) << -1 << "Too much output" << "";
    QTest::addRow("cancelled") << int(Status::Cancelled) << qint64(0) << -1 << "Cancelled" << "";
    QTest::addRow("error names the exit code")
        << int(Status::Error) << qint64(5) << 1 << "Error (exit code 1)" << "";
}

void TestReplWidget::runSummaryReadsAsASentence()
{
    QFETCH(int, status);
    QFETCH(qint64, timeMs);
    QFETCH(int, exitCode);
    QFETCH(QString, sentence);
    QFETCH(QString, limit);
    protocol::Result result;
    result.status = Status(status);
    result.limit = limit;
    result.timeMs = timeMs;
    if (exitCode >= 0)
        result.exitCode = exitCode;
    protocol::ServerLimits limits;
    limits.runTimeMs = 10000;
    limits.inputWaitMs = 15 * 60000;
    QCOMPARE(StatusText::runSummary(result, limits), sentence);
}

QTEST_MAIN(TestReplWidget)
#include "tst_replwidget.moc"
