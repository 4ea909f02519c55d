#pragma once

#include "codeservice.h"

// One run or eval on the wire. Correlation: the client `id` we chose until `accepted` names the
// server's `request`; from then on events are routed by request. input/eof/interrupt/cancel
// asked for before `accepted` are queued and sent with the request id once it is known.
// Exactly one finished(): the server's result, or a local one (connection lost, cancelled
// before it was sent, not connected).
namespace coderoom::client {

class WsCodeService;
class WsCodeServicePrivate;

class WsJob final : public app::Job
{
    Q_OBJECT
public:
    WsJob(WsCodeService *service, protocol::ClientMessage request, QObject *parent);

    protocol::ClientMessage &request() { return m_request; }
    bool isSent() const { return m_sent; }
    void markSent() { m_sent = true; }

    // Routing from the service.
    void handleAccepted(const protocol::Accepted &accepted);
    void handleStarted();
    void handleOutput(const protocol::Output &output);
    void handleInputWait();
    void finishWith(protocol::Result result); // emits finished() once; deleted later
    void finishLocally(protocol::Status status, const QString &message);

protected:
    void doSendInput(const QString &data, bool eof) override;
    void doInterrupt() override;
    void doCancel() override;

private:
    void sendControl(protocol::ClientMessage message);

    WsCodeServicePrivate *m_service; // outlives us: the service is our (grand)parent
    protocol::ClientMessage m_request;
    QList<protocol::ClientMessage> m_waitingForRequestId;
    bool m_sent = false;
};

} // namespace coderoom::client
