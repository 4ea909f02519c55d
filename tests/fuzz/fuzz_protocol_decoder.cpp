// libFuzzer target: every byte string a peer can send must come back from the decoders as a
// message or a clear error, never a crash, a hang or undefined behaviour (ASan + UBSan). A frame
// that decodes must also survive encode -> decode.
#include "codec.h"

#include <cstddef>
#include <cstdint>
#include <cstdlib>

using namespace coderoom::protocol;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray frame = QByteArray::fromRawData(reinterpret_cast<const char *>(data),
                                                     static_cast<qsizetype>(size));
    const Decoded<ClientMessage> client = decodeClientMessage(frame);
    // What a decoder accepted, the encoder must be able to say again.
    if (client.isValid() && !decodeClientMessage(encode(client.message())).isValid())
        std::abort();
    const Decoded<ServerMessage> server = decodeServerMessage(frame);
    if (server.isValid() && !decodeServerMessage(encode(server.message())).isValid())
        std::abort();
    return 0;
}
