#include "clientconnection.h"

#include <QLoggingCategory>
#include <QUuid>
#include <QWebSocket>

Q_DECLARE_LOGGING_CATEGORY(lcFront)

namespace coderoom::transport {

using namespace coderoom::protocol;

ClientConnection::ClientConnection(QWebSocket *socket, const CodecLimits &limits, QObject *parent)
    : QObject(parent)
    , m_socket(socket)
    , m_limits(limits)
    , m_id(QUuid::createUuid().toString(QUuid::WithoutBraces))
    , m_peer(socket->peerAddress())
{
    m_socket->setParent(this);
    // Qt closes the connection on a message above this; we want to answer too_large and keep
    // the connection, so Qt's ceiling sits well above ours and we check the size ourselves.
    m_socket->setMaxAllowedIncomingMessageSize(quint64(limits.maxFrameBytes) * 4 + 4096);
    connect(m_socket, &QWebSocket::textMessageReceived, this,
            [this](const QString &text) { onFrame(text.toUtf8()); });
    // Binary frames are decoded like text ones: the codec checks UTF-8 itself.
    connect(m_socket, &QWebSocket::binaryMessageReceived, this, &ClientConnection::onFrame);
    connect(m_socket, &QWebSocket::disconnected, this, [this] {
        if (m_closed)
            return;
        m_closed = true;
        emit disconnected();
    });
}

ClientConnection::~ClientConnection() = default;

void ClientConnection::accept(const QString &user)
{
    m_user = user;
}

void ClientConnection::send(const ServerMessage &message)
{
    if (m_closed)
        return;
    m_socket->sendTextMessage(QString::fromUtf8(encode(message)));
    // A buffered QTcpSocket only queues the frame and switches its write notifier on: the
    // bytes would leave on a later pass of the event loop, one more wake-up (and two
    // epoll_ctl calls) per message. Write now; what the kernel does not take waits for the
    // notifier as before.
    m_socket->flush();
}

void ClientConnection::sendError(ErrorCode code, const QString &message, const QString &id)
{
    send(Error{id, code, message});
}

void ClientConnection::close()
{
    if (m_closed)
        return;
    m_socket->flush();
    m_socket->close(QWebSocketProtocol::CloseCodeNormal);
}

qint64 ClientConnection::backlogBytes() const
{
    return m_socket->bytesToWrite();
}

void ClientConnection::onFrame(const QByteArray &frame)
{
    const Decoded<ClientMessage> decoded = decodeClientMessage(frame, m_limits);
    if (!decoded.isValid()) {
        const DecodeError &e = decoded.error();
        qCDebug(lcFront) << "refused frame from" << m_peer << toWire(e.code) << e.message;
        sendError(e.code, e.message, e.id);
        return;
    }
    const ClientMessage &message = decoded.message();
    if (!isReady() && !std::holds_alternative<Hello>(message)) {
        const QString id = std::visit([](const auto &m) { return m.id; }, message);
        sendError(ErrorCode::HelloRequired, QStringLiteral("say hello first"), id);
        return;
    }
    emit received(message);
}

} // namespace coderoom::transport
