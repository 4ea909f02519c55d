#include "runcontroller.h"

#include "codeeditor.h"
#include "diagnosticparser.h"
#include "editortabs.h"
#include "outputpane.h"
#include "replwidget.h"
#include "statustext.h"

#include <QFileInfo>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcRun, "coderoom.app.ui.run", QtInfoMsg)

namespace coderoom::ui {

using repl::StatusText;

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
    app::ReplSession *opened = service->openSession(language);
    if (opened)
        m_sessions.insert(language, opened);
    return opened;
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
    editor->markError(diagnostic->line, line.trimmed());
    return true;
}

QString RunController::serverLanguageFor(const QString &fileName,
                                         const QString &editorLanguageId) const
{
    // Prefer the server's own list: it knows which extensions map to which of its languages.
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (const app::CodeService *service = m_service.data()) {
        const QList<protocol::LanguageInfo> languages = service->languages();
        for (const protocol::LanguageInfo &info : languages) {
            if (info.id == editorLanguageId)
                return info.id;
        }
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
        // A Python frame says where; the traceback's last line says what.
        QString message = lines.at(i).trimmed();
        if (lines.at(i).trimmed().startsWith(u"File \"")) {
            for (qsizetype j = i + 1; j < lines.size(); ++j) {
                const QString next = lines.at(j);
                if (!next.isEmpty() && !next.startsWith(u' ')) {
                    message = next;
                    break;
                }
            }
        }
        editor->markError(diagnostic->line, message);
        ++marks;
    }
}

} // namespace coderoom::ui
