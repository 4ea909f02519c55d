// coderoom_screenshot: the real main window on a real private coderoomd, left the way a student
// leaves it after a first few minutes (a program run with input, a few lines in the prompt), and
// saved as a PNG. Not a test and not in CTest: it needs a real display (Xvfb) for faithful
// fonts and styles. The command is in docs/desktop.md.
//
//   coderoom_screenshot [--pane repl|output] [--size 1280x800] <file.png>
//
// Waits on conditions (QTest::qWaitFor), never on guessed delays; every wait is bounded and a
// timeout ends the program with a message and exit code 1.
#include "codeeditor.h"
#include "editortabs.h"
#include "localcodeservice.h"
#include "localserver.h"
#include "mainactions.h"
#include "mainwindow.h"
#include "outputpane.h"
#include "replwidget.h"

#include <QAction>
#include <QApplication>
#include <QCommandLineParser>
#include <QDockWidget>
#include <QLineEdit>
#include <QPixmap>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <cstdio>
#include <functional>

using namespace coderoom;

namespace {

constexpr int WaitMs = 30000;

const QString Program = QStringLiteral(R"py(import sys


def greet(name):
    return f"Hello, {name}!"


name = input("What is your name? ")
print(greet(name))

for i in range(1, 4):
    print(f"{i} squared is {i * i}")

if not name.istitle():
    print("Tip: names usually start with a capital letter", file=sys.stderr)
)py");

bool waitFor(const std::function<bool()> &condition, const char *what)
{
    if (QTest::qWaitFor(condition, WaitMs))
        return true;
    std::fprintf(stderr, "coderoom_screenshot: timed out waiting until %s\n", what);
    return false;
}

// Types a line into a line edit and presses Enter, as the student would.
void enterLine(QLineEdit *input, const QString &line)
{
    QTest::keyClicks(input, line);
    QTest::keyClick(input, Qt::Key_Return);
}

bool replLine(repl::ReplWidget *replPane, QLineEdit *input, const QString &line)
{
    enterLine(input, line);
    return waitFor([replPane] { return replPane->state() != repl::ReplWidget::State::Busy; },
                   "the prompt is back");
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    // A first-time user's settings (light theme, default layout), not the caller's.
    QStandardPaths::setTestModeEnabled(true);
    QApplication::setOrganizationName(QStringLiteral("CoderoomScreenshot"));
    QApplication::setApplicationName(QStringLiteral("Coderoom"));

    QCommandLineParser parser;
    parser.addHelpOption();
    QCommandLineOption paneOption(QStringLiteral("pane"),
                                  QStringLiteral("Bottom pane to show: output or repl."),
                                  QStringLiteral("pane"), QStringLiteral("repl"));
    QCommandLineOption sizeOption(QStringLiteral("size"), QStringLiteral("Window size, WxH."),
                                  QStringLiteral("size"), QStringLiteral("1280x800"));
    parser.addOptions({paneOption, sizeOption});
    parser.addPositionalArgument(QStringLiteral("file"), QStringLiteral("PNG to write."));
    parser.process(app);
    if (parser.positionalArguments().size() != 1)
        parser.showHelp(2);
    const QString path = parser.positionalArguments().constFirst();
    const bool showRepl = parser.value(paneOption) == u"repl";
    const QStringList size = parser.value(sizeOption).split(u'x');
    if (size.size() != 2)
        parser.showHelp(2);

    QTemporaryDir dataDir;
    localserver::LocalServerSetup setup;
    setup.program = QStringLiteral(CODEROOMD_PATH);
    setup.dataDir = dataDir.filePath(QStringLiteral("local-server"));
    client::LocalCodeService service(setup);
    service.start();
    ui::MainWindow window(&service);
    window.resize(size.at(0).toInt(), size.at(1).toInt());
    window.show();
    // As if the student dragged the splitter up a little: room for the whole transcript.
    if (auto *dock = window.findChild<QDockWidget *>(QStringLiteral("bottomDock")))
        window.resizeDocks({dock}, {window.height() * 45 / 100}, Qt::Vertical);
    if (!waitFor([&] { return window.connectionText() == u"Local"; }, "the local server is up"))
        return 1;

    // Save under a real name so the tab and the traceback say main.py, not untitled.py.
    editor::CodeEditor *editor = window.tabs()->currentEditor();
    editor->setText(Program);
    if (!window.tabs()->saveAs(0, dataDir.filePath(QStringLiteral("main.py")))) {
        std::fprintf(stderr, "coderoom_screenshot: %s\n", qPrintable(window.tabs()->lastError()));
        return 1;
    }

    // F5, answer the question in the input line under the output, wait for the status line.
    window.actions()->run->trigger();
    repl::OutputPane *output = window.outputPane();
    if (!waitFor([output] { return output->isInputVisible(); }, "the program asks for input"))
        return 1;
    enterLine(output->findChild<QLineEdit *>(QStringLiteral("stdinInput")), QStringLiteral("ada"));
    if (!waitFor([output] { return !output->isRunning(); }, "the run finished"))
        return 1;

    repl::ReplWidget *replPane = window.replPane();
    auto *replInput = replPane->findChild<QLineEdit *>(QStringLiteral("replInput"));
    if (showRepl) {
        // The two panes are tabs, so one picture shows one of them. For the prompt: Ctrl+F5
        // (Run in REPL) runs the same program there, answered in the prompt's input line; the
        // status bar keeps the F5 run's "Finished in". Then a value and a continuation.
        window.actions()->runInRepl->trigger();
        if (!waitFor([replInput] { return !replInput->placeholderText().isEmpty(); },
                     "the program in the prompt asks for input") ||
            !replLine(replPane, replInput, QStringLiteral("ada")))
            return 1;
    }
    // The prompt indents the body of a block itself, as for a student typing.
    const QStringList lines{QStringLiteral("greet(\"Grace\")"), QStringLiteral("def double(x):"),
                            QStringLiteral("return 2 * x"), QString(),
                            QStringLiteral("[double(n) for n in range(5)]")};
    for (const QString &line : lines) {
        if (!replLine(replPane, replInput, line))
            return 1;
    }
    if (showRepl)
        replInput->setFocus();
    else
        editor->goToLine(8, 1);
    QApplication::processEvents();

    const QPixmap shot = window.grab();
    if (!shot.save(path, "PNG")) {
        std::fprintf(stderr, "coderoom_screenshot: cannot write %s\n", qPrintable(path));
        return 1;
    }
    std::printf("wrote %s (%dx%d)\n", qPrintable(path), shot.width(), shot.height());
    return 0;
}
