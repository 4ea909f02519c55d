#pragma once

// How coderoomd writes its log to standard error: human text, or one JSON object per line for
// log collectors. Request ids appear in the messages ("request r1a2-7 ok 12 ms").
namespace coderoom::core {

enum class LogFormat
{
    Text,
    Json
};

void installLogHandler(LogFormat format);

} // namespace coderoom::core
