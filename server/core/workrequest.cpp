#include "workrequest.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcCore, "coderoom.server.core")

namespace coderoom::core {

using namespace coderoom::protocol;
using languages::ProgramStream;

namespace {

OutputStream toWireStream(ProgramStream stream)
{
    switch (stream) {
    case ProgramStream::Compile:
        return OutputStream::Compile;
    case ProgramStream::Stderr:
        return OutputStream::Stderr;
    case ProgramStream::Stdout:
        break;
    }
    return OutputStream::Stdout;
}

constexpr qint64 maxBufferedInput = 1024 * 1024;

} // namespace

WorkRequest::WorkRequest(Setup setup, Sink sink, QObject *parent)
    : QObject(parent)
    , m_setup(std::move(setup))
    , m_sink(std::move(sink))
{
    m_queued.start();
    for (QStringDecoder &decoder : m_decoders)
        decoder = QStringDecoder(QStringDecoder::Utf8); // stateful: a character split across
                                                        // two reads is decoded whole
}

WorkRequest::~WorkRequest()
{
    if (m_run) {
        m_run->disconnect(this);
        delete m_run; // kills the sandbox
    }
    if (m_eval) {
        m_eval->disconnect(this);
        if (!m_eval->isDone())
            m_eval->cancel();
        m_eval->deleteLater(); // the session goes on; only this cell is abandoned
    }
}

void WorkRequest::send(const ServerMessage &message)
{
    if (m_sink.guard && m_sink.send)
        m_sink.send(message);
}

void WorkRequest::start()
{
    m_running.start();
    if (isEval()) {
        startEval();
        return;
    }
    send(Started{m_setup.request});
    m_run = new languages::ProgramRun(m_setup.language, m_setup.program, m_setup.options, this);
    connect(m_run, &languages::ProgramRun::output, this, &WorkRequest::onOutput);
    connect(m_run, &languages::ProgramRun::inputWanted, this, [this] {
        setWaitingForUser(true);
        send(InputWait{m_setup.request});
    });
    connect(m_run, &languages::ProgramRun::done, this, &WorkRequest::onDone);
    m_run->start();
    if (!m_pendingInput.isEmpty())
        m_run->writeStdin(std::exchange(m_pendingInput, {}));
    if (m_inputClosed)
        m_run->closeStdin();
}

void WorkRequest::startEval()
{
    m_eval = m_setup.sessions->eval(m_setup.user, m_setup.session, m_setup.code);
    m_eval->setParent(this);
    connect(m_eval, &sessions::EvalJob::started, this, [this] { send(Started{m_setup.request}); });
    connect(m_eval, &sessions::EvalJob::output, this,
            [this](sandbox::Stream stream, const QByteArray &data) {
                onOutput(stream == sandbox::Stream::Stderr ? ProgramStream::Stderr
                                                           : ProgramStream::Stdout,
                         data);
            });
    connect(m_eval, &sessions::EvalJob::inputWanted, this, [this] {
        setWaitingForUser(true);
        send(InputWait{m_setup.request});
    });
    connect(m_eval, &sessions::EvalJob::done, this, [this](const sessions::EvalOutcome &o) {
        Result result;
        result.status = o.status;
        result.value = o.value;
        result.message = o.message;
        result.timeMs = o.wallMs;
        result.truncated = o.truncated || m_dropped;
        result.limit = o.limit;
        if (result.limit == QLatin1String("input_wait"))
            result.message = inputTimeoutMessage(QStringLiteral("the cell"),
                                                 m_setup.limits.inputWaitMs) +
                             QStringLiteral(" Your variables are kept.");
        if (result.status == Status::Cancelled && !m_stopReason.isEmpty())
            result.message = m_stopReason;
        sendResult(result);
    });
    if (!m_pendingInput.isEmpty())
        m_eval->writeStdin(std::exchange(m_pendingInput, {}));
}

void WorkRequest::finishWithoutRunning(Status status, const QString &message)
{
    Result result;
    result.status = status;
    result.message = message;
    sendResult(result);
}

void WorkRequest::setWaitingForUser(bool waiting)
{
    if (waiting == m_waitingForUser)
        return;
    m_waitingForUser = waiting;
    emit waitingForUser(waiting);
}

void WorkRequest::writeInput(const QByteArray &data)
{
    if (m_inputClosed)
        return;
    if (!data.isEmpty())
        setWaitingForUser(false);
    if (m_run) {
        m_run->writeStdin(data);
    } else if (m_eval) {
        m_eval->writeStdin(data);
    } else if (m_pendingInput.size() + data.size() <= maxBufferedInput) {
        m_pendingInput += data;
    }
}

void WorkRequest::closeInput()
{
    setWaitingForUser(false);
    m_inputClosed = true;
    if (m_run)
        m_run->closeStdin();
    if (m_eval)
        m_eval->closeStdin();
}

void WorkRequest::interrupt()
{
    if (m_run)
        m_run->interrupt();
    if (m_eval)
        m_eval->interrupt();
}

void WorkRequest::stop(const QString &reason)
{
    m_stopReason = reason;
    if (m_run)
        m_run->stop();
    if (m_eval)
        m_eval->cancel();
}

void WorkRequest::onOutput(ProgramStream stream, const QByteArray &data)
{
    if (!m_sink.guard)
        return;
    // A client that does not read must not make the server buffer without bound.
    if (m_sink.backlog && m_sink.backlog() > m_setup.backlogCapBytes) {
        m_dropped = true;
        return;
    }
    QStringDecoder &decoder = m_decoders[int(stream)];
    const QString text = decoder(data); // invalid UTF-8 becomes U+FFFD; NUL passes as \u0000
    if (!text.isEmpty())
        send(Output{m_setup.request, toWireStream(stream), text});
}

void WorkRequest::onDone(const languages::ProgramResult &programResult)
{
    Result result = describeProgramResult(programResult, m_setup.limits);
    // A compile step that never got going (its sandbox or its output directory) or a run step
    // whose sandbox could not start; a bad request or a compile error is not the sandbox's.
    const bool compileExpected = m_setup.language.compile.has_value() && !programResult.cacheHit;
    if (programResult.compiled && programResult.compile.outcome == sandbox::Outcome::FailedToStart)
        m_sandboxFailure = QStringLiteral("compile_failed_to_start");
    else if (!programResult.invalidRequest && !programResult.compileFailed &&
             programResult.run.outcome == sandbox::Outcome::FailedToStart)
        m_sandboxFailure = compileExpected && !programResult.compiled
                               ? QStringLiteral("compile_failed_to_start")
                               : QStringLiteral("run_failed_to_start");
    if (result.status == Status::Cancelled && !m_stopReason.isEmpty())
        result.message = m_stopReason;
    if (m_dropped) {
        result.truncated = true;
        result.message += QStringLiteral(" Some output was dropped because the connection could "
                                         "not keep up.");
        result.message = result.message.trimmed();
    }
    sendResult(result);
}

void WorkRequest::sendResult(Result result)
{
    if (m_resultSent)
        return;
    m_resultSent = true;
    result.id = m_setup.clientId;
    result.request = m_setup.request;
    if (!m_setup.notes.isEmpty()) {
        const QString notes = m_setup.notes.join(QLatin1Char(' '));
        result.message =
            result.message.isEmpty() ? notes : result.message + QLatin1Char(' ') + notes;
    }
    send(result);
    qCDebug(lcCore) << "request" << m_setup.request << toWire(result.status) << result.timeMs
                    << "ms";
    emit finished(m_setup.request, result.status, result.timeMs);
}

} // namespace coderoom::core
