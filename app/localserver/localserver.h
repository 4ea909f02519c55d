#pragma once

#include <QObject>
#include <QString>
#include <QUrl>

#include <memory>

// A private coderoomd for offline local mode: the desktop takes the same path as a classroom
// (WebSocket on loopback, a random token) instead of linking any server code.
//
// State machine (stateChanged() fires on every transition):
//
//   Stopped --start()--> Starting --first stdout line "coderoomd listening on ws://..."--> Running
//   Starting --no such line within startTimeoutMs / exits / cannot start--> Crashed
//   Running --the child exits or is killed--> Crashed
//   Crashed --after a backoff (0.5, 1, 2, 4, 8 s)--> Starting   (ready() again, with a NEW url:
//            the port is picked afresh; clients reconnect to it and resume sessions by replay)
//   Crashed --maxRestarts crashes in a row without a stable run--> Stopped + done(GaveUp)
//   any --stop()--> Stopping --SIGTERM, wait stopTimeoutMs, then SIGKILL--> Stopped + done(Stopped)
//   start() when the binary is missing --> Stopped + done(NotFound)
//
// done() is the one terminal signal: it fires exactly once per start(), also when the server
// never came up. The token never goes on the command line: it is written to a 0600 file in the
// data directory and handed over with --token-file.
namespace coderoom::localserver {

enum class LocalServerState
{
    Stopped,
    Starting,
    Running,
    Crashed,
    Stopping
};

enum class LocalServerOutcome
{
    Stopped,     // stop() was called (or the object destroyed): a normal end
    NotFound,    // no coderoomd binary could be found
    GaveUp,      // it kept crashing or never announced its URL; errorString() says the last reason
    SetupFailed, // the data directory or the token file could not be written
};

// Plain set-up data; defaults suit the desktop app.
struct LocalServerSetup
{
    QString program;       // empty: findProgram()
    QString dataDir;       // empty: <AppDataLocation>/local-server
    QStringList extraArgs; // appended to the command line (tests: extra flags)
    int startTimeoutMs = 20000;
    int stopTimeoutMs = 5000;
    int maxRestarts = 5;     // consecutive crashes before giving up
    int stableRunMs = 30000; // a run this long resets the crash count
};

class LocalServerPrivate;

class LocalServer final : public QObject
{
    Q_OBJECT
public:
    explicit LocalServer(const LocalServerSetup &setup = {}, QObject *parent = nullptr);
    ~LocalServer() override; // stops the child synchronously (SIGTERM, wait, SIGKILL)

    // Where coderoomd is looked for: next to the app, then ../server/coderoomd relative to the
    // app (the build tree), then PATH. Empty when not found.
    static QString findProgram();

    void setSetup(const LocalServerSetup &setup); // takes effect at the next start()
    LocalServerSetup setup() const;

    void start();
    void stop();

    LocalServerState state() const;
    QUrl url() const;          // ws://127.0.0.1:PORT/api/v1/ws while Running; else empty
    QString token() const;     // the token the client must send in hello
    QString tokenFile() const; // its file (mode 0600)
    QString program() const;   // the binary actually used
    qint64 processId() const;  // of the running child, 0 if none (tests kill it)
    QString errorString() const;

signals:
    void stateChanged(coderoom::localserver::LocalServerState state);
    void ready(const QUrl &url);         // Running: connect (again) to this URL
    void crashed(const QString &reason); // Running/Starting -> Crashed; a restart is planned
    void done(coderoom::localserver::LocalServerOutcome outcome, const QString &message);

private:
    void setState(LocalServerState state);
    void finish(LocalServerOutcome outcome, const QString &message);
    bool writeTokenFile();
    void launch();
    void readStdout();
    void onProcessEnded(const QString &reason);

    std::unique_ptr<LocalServerPrivate> d;
};

} // namespace coderoom::localserver
