#include "wsreplsession.h"

#include "wscodeservice.h"
#include "wscodeservice_p.h"
#include "wsjob.h"

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcClient)

namespace coderoom::client {

namespace proto = coderoom::protocol;
using Kind = WsCodeServicePrivate::ReplyKind;

WsReplSession::WsReplSession(WsCodeService *service, const QString &language, QObject *parent)
    : app::ReplSession(parent)
    , m_service(service->d.get())
{
    setLanguage(language);
}

proto::SessionOpen WsReplSession::openMessage()
{
    m_opening = true;
    proto::SessionOpen open;
    if (isOpen())
        open.session = sessionId();
    else
        open.language = language();
    return open;
}

void WsReplSession::handleOpened(const proto::SessionOpened &opened, bool resume)
{
    m_opening = false;
    if (m_closed)
        return;
    setSessionId(opened.session);
    if (resume) {
        if (opened.restored && !std::exchange(m_restoredDuringResume, false)) {
            emit restored(proto::RestoreReason::Restart, opened.history,
                          tr("The session was restored after a reconnect (%n entries replayed)",
                             nullptr, int(opened.history)));
        }
    } else {
        emit this->opened(opened.restored, opened.history);
    }
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &job : waiting) {
        WsJob *waitingJob = job.data();
        if (!waitingJob)
            continue;
        if (auto *eval = std::get_if<proto::Eval>(&waitingJob->request()))
            eval->session = sessionId();
        m_service->submit(waitingJob);
    }
}

void WsReplSession::handleOpenFailed(const QString &message, bool resume)
{
    m_opening = false;
    m_closed = true;
    setSessionId({});
    failWaiting(message);
    emit failed(resume ? tr("The session could not be resumed: %1").arg(message) : message);
}

void WsReplSession::handleRestarted()
{
    emit restarted();
}

void WsReplSession::handleRestored(const proto::SessionRestored &event)
{
    if (m_opening)
        m_restoredDuringResume = true;
    emit restored(event.reason, event.replayed, event.message);
}

void WsReplSession::handleCompletions(const QStringList &items)
{
    emit completions(items);
}

void WsReplSession::connectionLost()
{
    m_opening = false;
}

void WsReplSession::failWaiting(const QString &message)
{
    const auto waiting = std::exchange(m_waiting, {});
    for (const auto &job : waiting) {
        if (job)
            job->finishLocally(proto::Status::InternalError, message);
    }
}

app::Job *WsReplSession::doEval(const QString &code)
{
    proto::Eval eval;
    eval.code = code;
    eval.session = sessionId();
    auto *job = new WsJob(m_service->q, eval, this);
    if (m_closed) {
        QMetaObject::invokeMethod(
            job, [job] { job->finishLocally(proto::Status::Error, tr("The session is closed")); },
            Qt::QueuedConnection);
    } else if (isOpen()) {
        m_service->submit(job);
    } else {
        m_waiting.append(job);
    }
    return job;
}

void WsReplSession::doComplete(const QString &code, int cursor)
{
    if (!isOpen() || !m_service->isConnected()) {
        QMetaObject::invokeMethod(
            this, [this] { emit completions({}); }, Qt::QueuedConnection);
        return;
    }
    proto::Complete complete;
    complete.session = sessionId();
    complete.code = code;
    complete.cursor = cursor;
    m_service->sendSessionRequest(Kind::Complete, this, complete);
}

void WsReplSession::doRestart()
{
    if (!isOpen() || !m_service->isConnected()) {
        qCWarning(lcClient) << "restart ignored: the session is not open or not connected";
        return;
    }
    proto::SessionRestart restart;
    restart.session = sessionId();
    m_service->sendSessionRequest(Kind::Restart, this, restart);
}

void WsReplSession::doClose()
{
    if (m_closed)
        return;
    if (isOpen() && m_service->isConnected()) {
        proto::SessionClose close;
        close.session = sessionId();
        m_service->sendSessionRequest(Kind::Close, this, close);
    }
    m_closed = true;
    setSessionId({});
    failWaiting(tr("The session was closed"));
}

} // namespace coderoom::client
