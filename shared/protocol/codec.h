#pragma once

#include "messages.h"

#include <QByteArray>
#include <QJsonObject>

// JSON text <-> typed messages. Decoding never throws: it returns the message or why the frame
// is invalid, as the ErrorCode and message the server sends back. Parsing is kept free of I/O.
namespace coderoom::protocol {

struct DecodeError
{
    ErrorCode code = ErrorCode::BadRequest;
    QString message;
    QString id;   // the frame's "id" when it could be read, so the error still correlates
    QString type; // the frame's "type" when it could be read
};

template<typename T>
class Decoded
{
public:
    Decoded(T message) : m_message(std::move(message)) {}
    Decoded(DecodeError error) : m_error(std::move(error)) {}

    bool isValid() const { return m_message.has_value(); }
    const T &message() const { return *m_message; }
    const DecodeError &error() const { return m_error; }

private:
    std::optional<T> m_message;
    DecodeError m_error;
};

struct CodecLimits
{
    qint64 maxFrameBytes = 2 * 1024 * 1024; // larger frames: too_large
    int maxDepth = 32;                      // deeper JSON nesting: bad_request
};

Decoded<ClientMessage> decodeClientMessage(const QByteArray &frame, const CodecLimits &limits = {});
Decoded<ServerMessage> decodeServerMessage(const QByteArray &frame, const CodecLimits &limits = {});

QJsonObject toJson(const ClientMessage &message);
QJsonObject toJson(const ServerMessage &message);
QByteArray encode(const ClientMessage &message); // compact JSON, UTF-8
QByteArray encode(const ServerMessage &message);

} // namespace coderoom::protocol
