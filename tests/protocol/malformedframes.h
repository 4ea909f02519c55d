#pragma once

#include "protocolenums.h"

#include <QByteArray>
#include <QMetaType>

// The table of frames the decoders must refuse, with the error code, the echoed id and a
// fragment of the reason each must give. Kept apart from the test class to keep files short.
namespace coderoom::protocol::testing {

enum class Direction
{
    ClientToServer,
    ServerToClient
};

// Adds the columns direction, frame, code, id (the expected echo: empty when the frame's id
// cannot be read) and reason (a fragment the message must contain), then one row per frame.
void addMalformedFrameRows();

// A ping whose extra field nests arrays so that the frame is `depth` levels deep in all.
QByteArray nestedFrame(int depth);

} // namespace coderoom::protocol::testing

Q_DECLARE_METATYPE(coderoom::protocol::testing::Direction)
Q_DECLARE_METATYPE(coderoom::protocol::ErrorCode)
