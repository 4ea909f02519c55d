#include "wsjob.h"

#include "wscodeservice.h"
#include "wscodeservice_p.h"

namespace coderoom::client {

namespace proto = coderoom::protocol;

WsJob::WsJob(WsCodeService *service, proto::ClientMessage request, QObject *parent)
    : app::Job(parent)
    , m_service(service->d.get())
    , m_request(std::move(request))
{}

void WsJob::handleAccepted(const proto::Accepted &accepted)
{
    setRequestId(accepted.request);
    emit this->accepted(int(accepted.queuePosition));
    const auto waiting = std::exchange(m_waitingForRequestId, {});
    for (const auto &message : waiting)
        sendControl(message);
}

void WsJob::handleStarted()
{
    emit started();
}

void WsJob::handleOutput(const proto::Output &output)
{
    emit this->output(output.stream, output.data);
}

void WsJob::handleInputWait()
{
    emit inputWanted();
}

void WsJob::finishWith(proto::Result result)
{
    if (isFinished())
        return;
    if (result.request.isEmpty())
        result.request = requestId();
    markFinished();
    m_waitingForRequestId.clear();
    emit finished(result);
    deleteLater();
}

void WsJob::finishLocally(proto::Status status, const QString &message)
{
    m_service->forget(this);
    proto::Result result;
    result.status = status;
    result.message = message;
    finishWith(result);
}

void WsJob::sendControl(proto::ClientMessage message)
{
    if (isFinished())
        return;
    if (requestId().isEmpty()) {
        m_waitingForRequestId.append(std::move(message));
        return;
    }
    const QString id = m_service->newId();
    const QString request = requestId();
    std::visit(
        [&](auto &m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, proto::Input> || std::is_same_v<T, proto::Interrupt> ||
                          std::is_same_v<T, proto::Cancel>) {
                m.id = id;
                m.request = request;
            }
        },
        message);
    m_service->send(message);
}

void WsJob::doSendInput(const QString &data, bool eof)
{
    proto::Input input;
    input.data = data;
    input.eof = eof;
    sendControl(input);
}

void WsJob::doInterrupt()
{
    sendControl(proto::Interrupt{});
}

void WsJob::doCancel()
{
    if (isFinished())
        return;
    if (!m_sent) {
        // Never reached the server: nothing to stop there.
        finishLocally(proto::Status::Cancelled, tr("Cancelled before it was sent"));
        return;
    }
    sendControl(proto::Cancel{});
}

} // namespace coderoom::client
