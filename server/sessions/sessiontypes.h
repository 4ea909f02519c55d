#pragma once

#include "messages.h"

#include <QHash>
#include <QString>

#include <optional>

// Plain data of the sessions module.
namespace coderoom::sessions {

struct SessionConfig
{
    QString resourcesDir;     // languages.json and drivers/
    int maxInterpreters = 64; // live driver processes bound to sessions; LRU idle evicted
    int maxStarting = 2;      // interpreters starting or replaying at once (starts are CPU-bound)
    QHash<QString, int> warmPool; // language -> pre-started drivers waiting (default below)
    int defaultWarmPool = 1;
    qint64 evalTimeMs = 10000; // wall clock per eval; then interrupt, then rebuild
    qint64 inputWaitMs = 900000; // a cell waiting for input: evalTimeMs paused, this runs
    qint64 evalOutputBytes = 1024 * 1024;
    qint64 interruptGraceMs = 1000; // after an interrupt the cell has this long to stop
    qint64 healthIntervalMs = 1000; // one health tick: pings the quiet ones, checks deadlines
    qint64 healthQuietMs = 5000;    // an interpreter quiet this long is pinged
    qint64 healthTimeoutMs = 3000;  // a ping unanswered this long: hung, rebuilt
    int healthBatch = 64;           // pings per tick at most (no busy loop over thousands)
    qint64 retentionMs = 30LL * 24 * 3600 * 1000; // closed or idle sessions kept this long
};

struct OpenResult
{
    bool ok = false;
    protocol::ErrorCode error = protocol::ErrorCode::InternalError;
    QString message;
    QString session;
    QString language;
    bool restored = false;
    qint64 history = 0;
};

struct EvalOutcome
{
    protocol::Status status = protocol::Status::Ok;
    std::optional<QString> value;
    QString message;
    qint64 wallMs = 0;
    bool truncated = false;
    QString limit = {}; // as protocol::Result::limit
};

// Store statuses beyond the protocol's: cells with these never replay (their effects were cut
// short, or replaying them would hang or crash again).
inline constexpr const char *StatusRunning = "running";
inline constexpr const char *StatusInterrupted = "interrupted";
inline constexpr const char *StatusCrashed = "crashed";

} // namespace coderoom::sessions
