#pragma once

#include "logformat.h"
#include "messages.h"
#include "schedulertypes.h"

#include <QHostAddress>
#include <QString>

// Everything coderoomd is told at start: plain data, filled by main.cpp from flags.
namespace coderoom::core {

// Which event dispatcher runs coderoomd's main thread: server/eventloop's epoll one, or Qt's
// own (glib on Debian), kept for comparison and as a way out.
enum class EventDispatcherChoice
{
    Epoll,
    Qt,
};

struct ServerConfig
{
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 8765;  // 0 picks a free port
    QString dataDir;      // required: token, database, compile cache
    QString tokenFile;    // empty: <dataDir>/token, created 0600 when absent
    QString resourcesDir; // languages.json and drivers/; empty: the default
    QString node = QStringLiteral("node-a");
    protocol::ServerLimits limits; // the ceiling every request is clamped to
    scheduler::Config scheduler;
    // Default per-user limits (accounts::UserLimits); a class or a user may override them.
    int quotaLiveSessions = 4;
    int quotaActiveJobs = 8;
    int quotaJobsPerMinute = 600;
    qint64 maxFrameBytes = 2 * 1024 * 1024;
    qint64 clientBacklogBytes = 8 * 1024 * 1024; // beyond: output to that client is dropped
    int shutdownGraceMs = 5000; // SIGTERM: running jobs get this long, then are stopped
    int maxInterpreters = 64;   // live REPL interpreters; idle ones past it hibernate
    int warmPool = 1;           // pre-started interpreters per REPL language
    int interpreterStarts = -1; // interpreters starting or replaying at once; -1: workers
    int prestart = -1;          // pre-started Python sandboxes for batch runs; -1: one per worker
    QString databaseFile;       // empty: <dataDir>/coderoom.db
    // One quota per job for everything it writes (/work, /tmp, /var/tmp, /dev/shm together),
    // unless its language entry names its own (languages.json writableMb).
    qint64 writableMb = 64;
    // Where the host gives the server a cgroup cpu controller: each job's share of the CPU in
    // thousandths of a core (500 = half a core); 0: not capped (nice levels only).
    qint64 jobCpuMilliCores = 0;

    // Filled by server/config (file, CODEROOM_* environment, flags).
    QString tlsCertificate;        // PEM, leaf first then chain; with tlsKey: wss:// and https://
    QString tlsKey;                // PEM private key without passphrase
    bool restWithoutToken = false; // REST APIs answer without a token (trusted networks only)
    LogFormat logFormat = LogFormat::Text; // logformat.h: installLogHandler()
    bool verbose = false;                  // debug messages too
    EventDispatcherChoice eventDispatcher = EventDispatcherChoice::Epoll; // needs a restart

    // The admin view's token (/admin); empty: <dataDir>/admin-token, created 0600 when absent.
    QString adminTokenFile;
};

// The interactive lane's scheduler configuration, derived from the batch one (servercore.cpp):
// no slot limit (one cell per session), and a cell may wait behind its own session's previous
// cell for that cell's whole time limit on top of the queue TTL.
scheduler::Config interactiveLaneConfig(const ServerConfig &config);

} // namespace coderoom::core
