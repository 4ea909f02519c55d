#pragma once

#include "messages.h"

#include <QList>

// Named example messages for both directions, chosen to hit every message type and every
// optional field both present and absent. The round-trip tests use them as rows, the coverage
// test checks every variant alternative appears, and the fuzz test mutates their encodings.
namespace coderoom::protocol::testing {

struct ClientSample
{
    const char *name;
    ClientMessage message;
};

struct ServerSample
{
    const char *name;
    ServerMessage message;
};

QList<ClientSample> clientSamples();
QList<ServerSample> serverSamples();

} // namespace coderoom::protocol::testing
