#include "runcontroller.h"

#include "codeeditor.h"
#include "diagnosticparser.h"
#include "editortabs.h"
#include "outputpane.h"
#include "replwidget.h"
#include "statustext.h"

#include <QFileInfo>
#include <QLoggingCategory>
#include <QRegularExpression>

Q_LOGGING_CATEGORY(lcRun, "coderoom.app.ui.run", QtInfoMsg)

namespace coderoom::ui {

using repl::StatusText;

namespace {

bool isIndented(const QString &line)
{
    return !line.isEmpty() && line.at(0).isSpace();
}

// What went wrong, for the note under the line that lines[at] names. A Python frame
// ('File "main.py", line 3') is followed by the code and then the error; a JavaScript or Java
// frame ("    at main (main.js:3:5)", "\tat Main.main(Main.java:3)") follows the error; node
// also prints the bare location ("/work/main.js:3") above the code and the error. A compiler
// line ("main.cpp:3:5: error: ...") is its own message.
QString errorMessageFor(const QStringList &lines, qsizetype at)
{
    const QString line = lines.at(at).trimmed();
    static const QRegularExpression bareLocation(QStringLiteral(R"(^\S+:\d+$)"));
    if (line.startsWith(u"at ")) {
        for (qsizetype j = at - 1; j >= 0; --j) {
            const QString previous = lines.at(j);
            if (!previous.trimmed().isEmpty() && !isIndented(previous))
                return previous.trimmed();
        }
    } else if (line.startsWith(u"File \"")) {
        for (qsizetype j = at + 1; j < lines.size(); ++j) {
            const QString next = lines.at(j);
            if (!next.trimmed().isEmpty() && !isIndented(next))
                return next.trimmed();
        }
    } else if (bareLocation.match(line).hasMatch()) {
        // node: the location, the code line, a caret line, a blank line, then the error.
        bool blankSeen = false;
        for (qsizetype j = at + 1; j < lines.size(); ++j) {
            const QString next = lines.at(j).trimmed();
            if (next.isEmpty())
                blankSeen = true;
            else if (blankSeen)
                return next;
        }
    }
    return line;
}

} // namespace

RunController::RunController(editor::EditorTabs *tabs, repl::OutputPane *output,
                             repl::ReplWidget *repl, QObject *parent)
    : QObject(parent)
    , m_tabs(tabs)
    , m_output(output)
    , m_repl(repl)
{
    connect(m_output, &repl::OutputPane::lineClicked, this, &RunController::jumpToDiagnostic);
    connect(m_repl->console(), &repl::ConsoleView::lineClicked, this,
            &RunController::jumpToDiagnostic);
    connect(m_output, &repl::OutputPane::runFinished, this, &RunController::onFinished);
}

void RunController::setService(app::CodeService *service)
{
    if (service == m_service)
        return;
    m_service = service;
    // Sessions belong to the old service; the REPL starts over on the new one.
    m_sessions.clear();
    m_repl->setSession(nullptr);
}

app::ReplSession *RunController::session(const QString &language)
{
    app::CodeService *service = m_service.data();
    if (!service || language.isEmpty())
        return nullptr;
    if (app::ReplSession *existing = m_sessions.value(language).data())
        return existing;
    if (const auto info = languageInfo(language); info && !info->repl)
        return nullptr; // asking would only earn "no interactive session" from the server
    app::ReplSession *opened = service->openSession(language);
    if (!opened)
        return nullptr;
    m_sessions.insert(language, opened);
    connect(opened, &app::ReplSession::failed, this, [this, language, opened] {
        if (m_sessions.value(language) == opened)
            m_sessions.remove(language);
    });
    return opened;
}

QString RunController::currentLanguage() const
{
    const editor::CodeEditor *editor = m_tabs->currentEditor();
    if (!editor)
        return {};
    return serverLanguageFor(m_tabs->displayName(m_tabs->currentIndex()),
                             editor::languageId(editor->language()));
}

bool RunController::currentFileHasRepl() const
{
    const QString language = currentLanguage();
    if (const auto info = languageInfo(language))
        return info->repl;
    return !language.isEmpty(); // not told otherwise: try the prompt
}

bool RunController::run()
{
    app::CodeService *service = m_service.data();
    editor::CodeEditor *editor = m_tabs->currentEditor();
    if (!service || !editor || isRunning())
        return false;
    const QString name = m_tabs->displayName(m_tabs->currentIndex());
    const QString language = serverLanguageFor(name, editor::languageId(editor->language()));
    if (language.isEmpty()) {
        emit runStateChanged(tr("This file's language cannot be run"));
        return false;
    }
    editor->clearErrors();
    app::RunSpec spec;
    spec.language = language;
    spec.files = {{name, editor->text()}};
    spec.main = name;
    app::Job *job = service->run(spec);
    if (!job)
        return false;
    m_job = job;
    m_output->clear();
    m_output->attach(job, tr("Running %1").arg(name), service->limits());
    m_outputStart = int(m_output->plainText().size());
    connect(job, &app::Job::accepted, this, [this](int position) {
        if (position > 0)
            emit runStateChanged(StatusText::queued(position));
    });
    connect(job, &app::Job::started, this, [this] { emit runStateChanged(StatusText::running()); });
    qCDebug(lcRun) << "run" << name << "as" << language;
    emit runStateChanged(StatusText::running());
    emit runningChanged(true);
    return true;
}

void RunController::stop()
{
    if (app::Job *job = m_job.data())
        job->cancel();
    if (m_repl->state() == repl::ReplWidget::State::Busy)
        m_repl->interrupt();
}

bool RunController::runInRepl()
{
    editor::CodeEditor *editor = m_tabs->currentEditor();
    if (!editor)
        return false;
    const QString name = m_tabs->displayName(m_tabs->currentIndex());
    const QString language = serverLanguageFor(name, editor::languageId(editor->language()));
    if (!currentFileHasRepl()) {
        if (!run())
            return false;
        m_output->console()->appendLine(
            tr("%1 has no interactive prompt, so the program runs here instead.")
                .arg(languageName(language)),
            repl::ConsoleView::Kind::Note);
        emit ranInOutputPane();
        return true;
    }
    app::ReplSession *replSession = session(language);
    if (!replSession) {
        emit runStateChanged(tr("No interactive prompt for this language"));
        return false;
    }
    if (m_repl->session() != replSession)
        m_repl->setSession(replSession);
    if (app::CodeService *service = m_service.data())
        m_repl->setLimits(service->limits());
    editor->clearErrors();
    return m_repl->evaluate(editor->text(), tr("Running %1 in the interactive prompt").arg(name));
}

bool RunController::jumpToDiagnostic(const QString &line)
{
    const std::optional<Diagnostic> diagnostic = DiagnosticParser::parse(line);
    if (!diagnostic)
        return false;
    editor::CodeEditor *editor = m_tabs->editorForFile(diagnostic->file);
    // The REPL and stdin-less runs report "<stdin>" or "<string>": that is the current file.
    if (!editor && diagnostic->file.startsWith(u'<'))
        editor = m_tabs->currentEditor();
    if (!editor)
        return false;
    m_tabs->setCurrentIndex(m_tabs->indexOf(editor));
    editor->goToLine(diagnostic->line, std::max(1, diagnostic->column));
    // The note under the line says what went wrong; a click on a traceback line only moves
    // there and must not replace that with the frame's text.
    if (!editor->errorLines().contains(diagnostic->line))
        editor->markError(diagnostic->line, line.trimmed());
    return true;
}

std::optional<protocol::LanguageInfo> RunController::languageInfo(const QString &id) const
{
    if (const app::CodeService *service = m_service.data()) {
        for (const protocol::LanguageInfo &info : service->languages()) {
            if (info.id == id)
                return info;
        }
    }
    return std::nullopt;
}

QString RunController::languageName(const QString &language) const
{
    const auto info = languageInfo(language);
    return info && !info->name.isEmpty() ? info->name : language;
}

QString RunController::serverLanguageFor(const QString &fileName,
                                         const QString &editorLanguageId) const
{
    // Prefer the server's own list: it knows which extensions map to which of its languages.
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (const app::CodeService *service = m_service.data()) {
        if (languageInfo(editorLanguageId))
            return editorLanguageId;
        const QList<protocol::LanguageInfo> languages = service->languages();
        for (const protocol::LanguageInfo &info : languages) {
            if (info.extensions.contains(suffix))
                return info.id;
        }
    }
    return editorLanguageId;
}

void RunController::onFinished(const protocol::Result &result)
{
    m_job = nullptr;
    if (result.status == protocol::Status::Error || result.status == protocol::Status::CompileError)
        markErrorsFromOutput(m_output->plainText().mid(m_outputStart));
    const app::CodeService *service = m_service.data();
    emit runStateChanged(
        StatusText::runSummary(result, service ? service->limits() : protocol::ServerLimits{}));
    emit runningChanged(false);
}

void RunController::markErrorsFromOutput(const QString &output)
{
    // Bounded: a flood of diagnostics marks the first few, which are the ones to fix first.
    constexpr int MaxMarks = 20;
    const QStringList lines = output.split(u'\n');
    int marks = 0;
    for (qsizetype i = 0; i < lines.size() && marks < MaxMarks; ++i) {
        const std::optional<Diagnostic> diagnostic = DiagnosticParser::parse(lines.at(i));
        if (!diagnostic)
            continue;
        editor::CodeEditor *editor = m_tabs->editorForFile(diagnostic->file);
        if (!editor)
            continue;
        const QString message = errorMessageFor(lines, i);
        // Several lines may name the same place (a frame and the line above it): the first
        // message that says what went wrong stays.
        if (editor->errorLines().contains(diagnostic->line)) {
            const QString existing = editor->errorMessage(diagnostic->line);
            if (!DiagnosticParser::parse(existing) || message == lines.at(i).trimmed())
                continue;
        }
        editor->markError(diagnostic->line, message);
        ++marks;
    }
}

} // namespace coderoom::ui
