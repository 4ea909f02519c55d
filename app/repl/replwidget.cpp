#include "replwidget.h"

#include "statustext.h"

#include <QAbstractItemView>
#include <QCompleter>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QStringListModel>
#include <QToolButton>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcRepl, "coderoom.app.repl", QtInfoMsg)

namespace coderoom::repl {

using Kind = ConsoleView::Kind;

namespace {
constexpr int MaxHistory = 500;

// The longest k such that the text before the cursor ends with the first k characters of item:
// how much of the completion the student has already typed.
qsizetype typedPrefixLength(const QString &before, const QString &item)
{
    for (qsizetype k = std::min(before.size(), item.size()); k > 0; --k) {
        if (before.endsWith(QStringView(item).left(k)))
            return k;
    }
    return 0;
}
} // namespace

ReplWidget::ReplWidget(QWidget *parent)
    : QWidget(parent)
    , m_console(new ConsoleView(this))
    , m_prompt(new QLabel(this))
    , m_input(new QLineEdit(this))
    , m_interrupt(new QToolButton(this))
    , m_restart(new QToolButton(this))
    , m_completer(new QCompleter(this))
    , m_completionModel(new QStringListModel(this))
{
    m_console->setObjectName(QStringLiteral("replConsole"));
    m_input->setObjectName(QStringLiteral("replInput"));
    m_prompt->setObjectName(QStringLiteral("replPrompt"));
    m_input->setFont(m_console->font());
    m_prompt->setFont(m_console->font());
    m_input->setFrame(false);
    m_input->installEventFilter(this);

    m_interrupt->setText(tr("Interrupt"));
    m_interrupt->setToolTip(tr("Interrupt the running code (Ctrl+C)"));
    m_restart->setText(tr("Restart"));
    m_restart->setToolTip(tr("Start a fresh interpreter; variables are forgotten"));
    m_restart->setObjectName(QStringLiteral("replRestart"));

    m_completer->setModel(m_completionModel);
    m_completer->setWidget(m_input);
    m_completer->setCompletionMode(QCompleter::UnfilteredPopupCompletion);
    connect(m_completer, qOverload<const QString &>(&QCompleter::activated), this,
            &ReplWidget::applyCompletion);

    auto *inputRow = new QHBoxLayout;
    inputRow->setSpacing(0);
    inputRow->addWidget(m_prompt);
    inputRow->addWidget(m_input, 1);
    inputRow->addWidget(m_interrupt);
    inputRow->addWidget(m_restart);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_console, 1);
    layout->addLayout(inputRow);
    setFocusProxy(m_input);

    connect(m_input, &QLineEdit::returnPressed, this, [this] {
        const QString line = m_input->text();
        m_input->clear();
        submit(line);
    });
    connect(m_interrupt, &QToolButton::clicked, this, &ReplWidget::interrupt);
    connect(m_restart, &QToolButton::clicked, this, &ReplWidget::restart);
    setState(State::NoSession);
}

void ReplWidget::setSession(app::ReplSession *session)
{
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    m_job = nullptr;
    m_pending.clear();
    m_history.clear();
    m_historyIndex = 0;
    m_draft.clear();
    m_failed = false;
    if (!session) {
        setState(State::NoSession);
        return;
    }
    connect(session, &app::ReplSession::restored, this,
            [this](protocol::RestoreReason reason, qint64 replayed, const QString &) {
                m_console->appendLine(StatusText::restoreNote(reason, replayed), Kind::Note);
            });
    connect(session, &app::ReplSession::restarted, this, [this] {
        m_pending.clear();
        m_console->appendLine(tr("Interpreter restarted"), Kind::Note);
        if (m_state != State::Busy)
            setState(State::Ready);
    });
    connect(session, &app::ReplSession::failed, this,
            [this, language = session->language()](const QString &message) {
        m_console->appendLine(tr("The interpreter could not start: %1").arg(message), Kind::Stderr);
        m_console->appendLine(tr("Press Restart to start a fresh interpreter."), Kind::Note);
        m_failed = true;
        m_failedLanguage = language;
        m_job = nullptr;
        m_pending.clear();
        setState(State::NoSession);
    });
    connect(session, &app::ReplSession::waiting, this, [this](qint64 ahead) {
        m_console->appendLine(
            tr("The server is busy: waiting for a free interpreter (%n ahead of you)", nullptr,
               int(ahead)),
            Kind::Note);
    });
    connect(session, &app::ReplSession::completions, this, &ReplWidget::showCompletions);
    connect(session, &QObject::destroyed, this, [this] { setState(State::NoSession); });
    setState(State::Ready);
}

QString ReplWidget::prompt() const
{
    switch (m_state) {
    case State::Ready:
        return primaryPrompt();
    case State::Continuation:
        return continuationPrompt();
    case State::Busy:
    case State::NoSession:
        break;
    }
    return {};
}

void ReplWidget::submit(const QString &typed)
{
    // The prefilled indentation left alone: the block ends, as with an empty line.
    const QString line =
        m_state == State::Continuation && typed.trimmed().isEmpty() ? QString() : typed;
    switch (m_state) {
    case State::NoSession:
        return;
    case State::Busy:
        if (app::Job *job = m_job.data()) {
            m_console->appendText(line + u'\n', Kind::Input);
            job->sendInput(line + u'\n');
        }
        return;
    case State::Ready:
    case State::Continuation:
        break;
    }
    m_console->ensureNewLine();
    m_console->appendText(prompt() + line + u'\n', Kind::Echo);
    if (!line.trimmed().isEmpty() && (m_history.isEmpty() || m_history.last() != line)) {
        m_history.append(line);
        if (m_history.size() > MaxHistory)
            m_history.removeFirst();
    }
    m_historyIndex = int(m_history.size());
    m_draft.clear();
    if (m_state == State::Ready && line.trimmed().isEmpty())
        return; // nothing to run: just a fresh prompt, as in a terminal
    const QString cell = m_state == State::Continuation ? m_pending + u'\n' + line : line;
    startEval(cell);
}

bool ReplWidget::evaluate(const QString &code, const QString &title)
{
    if (m_state != State::Ready && m_state != State::Continuation)
        return false;
    m_pending.clear();
    m_console->ensureNewLine();
    m_console->appendLine(title, Kind::Note);
    startEval(code);
    return true;
}

void ReplWidget::startEval(const QString &cell)
{
    app::ReplSession *session = m_session.data();
    app::Job *job = session ? session->eval(cell) : nullptr;
    if (!job) {
        m_console->appendLine(tr("The interpreter is not available"), Kind::Stderr);
        setState(State::Ready);
        return;
    }
    m_job = job;
    setState(State::Busy);
    connect(job, &app::Job::output, this,
            [this](protocol::OutputStream stream, const QString &text) {
                m_console->appendText(
                    text, stream == protocol::OutputStream::Stdout ? Kind::Stdout : Kind::Stderr);
            });
    // A cell for a session whose interpreter must be started first (a hibernated session on a
    // busy server) waits for the starts ahead of it: say so, never a silent prompt.
    connect(job, &app::Job::accepted, this, [this](int position) {
        if (position > 0)
            m_input->setPlaceholderText(
                tr("Waiting for the server to start your interpreter: %n ahead of you", nullptr,
                   position));
    });
    connect(job, &app::Job::started, this, [this] { m_input->setPlaceholderText({}); });
    connect(job, &app::Job::inputWanted, this, [this] {
        m_input->setPlaceholderText(tr("The code is waiting for input"));
        // What the student types next is the answer: it must not land in the editor.
        m_input->setFocus();
    });
    connect(job, &app::Job::finished, this,
            [this, cell](const protocol::Result &result) { onEvalFinished(result, cell); });
}

void ReplWidget::onEvalFinished(const protocol::Result &result, const QString &cell)
{
    m_job = nullptr;
    m_input->setPlaceholderText({});
    if (result.status == protocol::Status::Incomplete) {
        m_pending = cell;
        setState(State::Continuation);
        m_input->setText(continuationIndent(cell));
        return;
    }
    m_pending.clear();
    if (result.value && !result.value->isEmpty())
        m_console->appendLine(*result.value, Kind::Value);
    const QString summary = StatusText::evalSummary(result, m_limits);
    if (!summary.isEmpty())
        m_console->appendLine(summary, Kind::Status);
    setState(m_session ? State::Ready : State::NoSession);
}

void ReplWidget::interrupt()
{
    switch (m_state) {
    case State::Busy:
        if (app::Job *job = m_job.data()) {
            qCDebug(lcRepl) << "interrupting" << job->requestId();
            job->interrupt();
        }
        break;
    case State::Continuation:
        m_console->appendText(continuationPrompt() + m_input->text() + QStringLiteral("^C\n"),
                              Kind::Echo);
        m_pending.clear();
        m_input->clear();
        setState(State::Ready);
        break;
    case State::Ready:
        m_input->clear();
        break;
    case State::NoSession:
        break;
    }
}

QString ReplWidget::continuationIndent(const QString &cell)
{
    const QStringList lines = cell.split(u'\n');
    QStringView last;
    for (qsizetype i = lines.size() - 1; i >= 0; --i) {
        if (!lines.at(i).trimmed().isEmpty()) {
            last = lines.at(i);
            break;
        }
    }
    qsizetype depth = 0;
    while (depth < last.size() && (last.at(depth) == u' ' || last.at(depth) == u'\t'))
        ++depth;
    QString indent = last.left(depth).toString();
    const QStringView code = last.trimmed();
    if (code.endsWith(u':') || code.endsWith(u'{') || code.endsWith(u'(') ||
        code.endsWith(u'['))
        indent += QStringLiteral("    ");
    return indent;
}

void ReplWidget::restart()
{
    app::ReplSession *session = m_session.data();
    if (!session || m_failed) {
        // Nothing to restart: a fresh session instead, so the prompt never stays dead.
        m_console->appendLine(tr("Starting a fresh interpreter…"), Kind::Note);
        emit sessionRequested(m_failed ? m_failedLanguage : QString());
        return;
    }
    if (app::Job *job = m_job.data())
        job->cancel();
    session->restart();
}

void ReplWidget::setState(State state)
{
    m_state = state;
    m_prompt->setText(prompt());
    m_input->setEnabled(state != State::NoSession);
    m_interrupt->setEnabled(state == State::Busy || state == State::Continuation);
    m_restart->setEnabled(true); // see restart(): it always leads to a working prompt
    emit stateChanged(state);
}

bool ReplWidget::eventFilter(QObject *watched, QEvent *event)
{
    if (watched != m_input || event->type() != QEvent::KeyPress)
        return QWidget::eventFilter(watched, event);
    const auto *key = static_cast<QKeyEvent *>(event);
    if (key->matches(QKeySequence::Copy) && !m_input->hasSelectedText()) {
        interrupt();
        return true;
    }
    if (m_state == State::Busy)
        return QWidget::eventFilter(watched, event);
    switch (key->key()) {
    case Qt::Key_Up:
        historyStep(-1);
        return true;
    case Qt::Key_Down:
        historyStep(+1);
        return true;
    case Qt::Key_Tab:
        requestCompletion();
        return true;
    default:
        break;
    }
    return QWidget::eventFilter(watched, event);
}

void ReplWidget::historyStep(int delta)
{
    const int size = int(m_history.size());
    const int next = std::clamp(m_historyIndex + delta, 0, size);
    if (next == m_historyIndex)
        return;
    if (m_historyIndex == size)
        m_draft = m_input->text();
    m_historyIndex = next;
    m_input->setText(next == size ? m_draft : m_history.at(next));
}

void ReplWidget::requestCompletion()
{
    const QString before = m_input->text().left(m_input->cursorPosition());
    if (before.trimmed().isEmpty()) {
        // Tab at the start of a line indents, as in every Python prompt.
        m_input->insert(QStringLiteral("    "));
        return;
    }
    app::ReplSession *session = m_session.data();
    if (!session)
        return;
    m_completionWanted = true;
    session->complete(m_input->text(), int(m_input->cursorPosition()));
}

void ReplWidget::showCompletions(const QStringList &items)
{
    if (!m_completionWanted || items.isEmpty())
        return;
    m_completionWanted = false;
    if (items.size() == 1) {
        applyCompletion(items.first());
        return;
    }
    m_completionModel->setStringList(items);
    m_completer->complete();
}

void ReplWidget::applyCompletion(const QString &item)
{
    const int cursor = int(m_input->cursorPosition());
    const QString text = m_input->text();
    const QString before = text.left(cursor);
    const qsizetype typed = typedPrefixLength(before, item);
    m_input->setText(before.left(before.size() - typed) + item + text.mid(cursor));
    m_input->setCursorPosition(int(cursor - typed + item.size()));
}

QString ReplWidget::primaryPrompt() const
{
    const app::ReplSession *session = m_session.data();
    const QString language = session ? session->language() : QString();
    if (language == u"python")
        return QStringLiteral(">>> ");
    if (language == u"java")
        return QStringLiteral("jshell> ");
    return QStringLiteral("> ");
}

QString ReplWidget::continuationPrompt() const
{
    const app::ReplSession *session = m_session.data();
    const QString language = session ? session->language() : QString();
    if (language == u"java")
        return QStringLiteral("   ...> ");
    return QStringLiteral("... ");
}

} // namespace coderoom::repl
