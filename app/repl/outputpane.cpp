#include "outputpane.h"

#include "statustext.h"

#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QLoggingCategory>
#include <QToolButton>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcOutput, "coderoom.app.repl.output", QtInfoMsg)

namespace coderoom::repl {

using Kind = ConsoleView::Kind;

OutputPane::OutputPane(QWidget *parent)
    : QWidget(parent)
    , m_console(new ConsoleView(this))
    , m_inputRow(new QWidget(this))
    , m_input(new QLineEdit(m_inputRow))
    , m_clear(new QToolButton(this))
{
    m_console->setObjectName(QStringLiteral("outputConsole"));
    m_input->setObjectName(QStringLiteral("stdinInput"));
    m_input->setPlaceholderText(tr("The program is waiting for input: type and press Enter"));
    m_input->setFont(m_console->font());
    m_input->installEventFilter(this);

    auto *rowLayout = new QHBoxLayout(m_inputRow);
    rowLayout->setContentsMargins(0, 0, 0, 0);
    auto *label = new QLabel(tr("Input:"), m_inputRow);
    rowLayout->addWidget(label);
    rowLayout->addWidget(m_input, 1);

    m_clear->setText(tr("Clear"));
    m_clear->setToolTip(tr("Clear the output"));
    m_clear->setObjectName(QStringLiteral("clearOutput"));
    connect(m_clear, &QToolButton::clicked, this, &OutputPane::clear);

    auto *bottom = new QHBoxLayout;
    bottom->setSpacing(4);
    bottom->addWidget(m_inputRow, 1);
    bottom->addStretch(0);
    bottom->addWidget(m_clear);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(m_console, 1);
    layout->addLayout(bottom);
    m_inputRow->hide();

    connect(m_input, &QLineEdit::returnPressed, this, &OutputPane::sendInputLine);
    connect(m_console, &ConsoleView::lineClicked, this, &OutputPane::lineClicked);
}

void OutputPane::attach(app::Job *job, const QString &title, const protocol::ServerLimits &limits)
{
    if (m_job)
        disconnect(m_job, nullptr, this, nullptr);
    m_job = job;
    m_limits = limits;
    m_lastStatus.clear();
    m_console->ensureNewLine();
    if (!title.isEmpty())
        m_console->appendLine(title, Kind::Note);
    showInput(false);
    if (!job)
        return;

    connect(job, &app::Job::output, this,
            [this](protocol::OutputStream stream, const QString &text) {
                const Kind kind = stream == protocol::OutputStream::Stderr    ? Kind::Stderr
                                  : stream == protocol::OutputStream::Compile ? Kind::Compile
                                                                              : Kind::Stdout;
                m_console->appendText(text, kind);
            });
    connect(job, &app::Job::inputWanted, this, [this] { showInput(true); });
    connect(job, &app::Job::finished, this, &OutputPane::onFinished);
    if (job->isFinished())
        qCWarning(lcOutput) << "attached a job that already finished; its result is lost";
}

void OutputPane::clear()
{
    m_console->clear();
    m_lastStatus.clear();
}

QString OutputPane::plainText() const
{
    return m_console->toPlainText();
}

bool OutputPane::isInputVisible() const
{
    return !m_inputRow->isHidden();
}

bool OutputPane::eventFilter(QObject *watched, QEvent *event)
{
    if (watched == m_input && event->type() == QEvent::KeyPress) {
        const auto *key = static_cast<QKeyEvent *>(event);
        app::Job *job = m_job.data();
        if (key->key() == Qt::Key_D && key->modifiers() == Qt::ControlModifier && job) {
            job->sendEof();
            m_console->appendLine(tr("[end of input]"), Kind::Note);
            showInput(false);
            return true;
        }
    }
    return QWidget::eventFilter(watched, event);
}

void OutputPane::sendInputLine()
{
    app::Job *job = m_job.data();
    if (!job)
        return;
    const QString line = m_input->text();
    m_input->clear();
    // Echo what was typed, as a terminal would, in the input colour.
    m_console->appendText(line + u'\n', Kind::Input);
    job->sendInput(line + u'\n');
}

void OutputPane::onFinished(const protocol::Result &result)
{
    m_lastStatus = StatusText::runSummary(result, m_limits);
    if (result.truncated)
        m_console->appendLine(tr("(output was cut short)"), Kind::Note);
    m_console->appendLine(m_lastStatus, Kind::Status);
    if (!result.message.isEmpty() && result.status != protocol::Status::InternalError &&
        result.status != protocol::Status::Ok)
        m_console->appendLine(result.message, Kind::Note);
    showInput(false);
    m_job = nullptr;
    emit runFinished(result);
}

void OutputPane::showInput(bool visible)
{
    m_inputRow->setVisible(visible);
    if (visible)
        m_input->setFocus();
}

} // namespace coderoom::repl
