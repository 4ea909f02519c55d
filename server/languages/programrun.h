#pragma once

#include "languageregistry.h"
#include "prestartpool.h"
#include "sandboxtypes.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

// Runs one whole program: validate the files, compile when the language needs it (inside the
// sandbox, with the compiler's own limits, cached by content), then run it in a fresh sandbox.
//
// State machine (state() and the signals that fire in each state):
//   NotStarted --start()--> Validating
//   Validating --bad request--> Finished                       done(invalidRequest, FailedToStart)
//   Validating --interpreted--> Running                        started()
//   Validating --compiled, cache hit--> Running                (cached Compile output replayed)
//   Validating --compiled, cache miss--> Compiling              compileStarted()
//   Compiling: output(Compile, ...)
//   Compiling --compiler failed/limit--> Finished               done(compileFailed)
//   Compiling --ok--> Running                                   started()
//   Running: output(Stdout|Stderr, ...), inputWanted()
//   Running --program ended--> Finished                         done(result)
// A run step that gets a pre-started sandbox (ProgramRunOptions::prestart) hands it the files
// and arms it instead of starting one: started() then fires from within the Running entry.
//   stop() in Validating/Compiling/Running --> Finished         done(run.outcome = Stopped)
// Exactly one done(), always from the event loop (never from inside start()), also for a bad
// request. stdin written before the run step starts is buffered and delivered when it starts.
//
// Java: javac writes class files into /out; they are cached like a C++ binary and passed into
// the run sandbox's /work with the sources, then `java -cp /work <mainBase>` runs.
namespace coderoom::languages {

// CPU priority of batch programs and their compile steps, below interactive interpreters
// (sandbox::Spec's default, 10 below the server): a REPL cell is a person waiting at a prompt,
// a batch run is throughput. A fork bomb's 64 busy processes at the interpreters' own level took
// most of the CPU from 300 typists (docs/benchmarks.md, R7).
inline constexpr int batchNiceness = 19;

enum class ProgramStream
{
    Compile,
    Stdout,
    Stderr
};

struct ProgramFile
{
    QString name; // flat: [A-Za-z0-9._+-], no leading ".", at most 128 chars
    QByteArray content;
};

// Per-request limits: each may only lower the language's default, never raise it.
struct ProgramLimits
{
    std::optional<qint64> wallMs;
    std::optional<qint64> cpuMs;
    std::optional<qint64> memoryMb;
    std::optional<qint64> outputBytes;
    std::optional<qint64> compileWallMs;
    // Not a lowering: how long the run may wait for input with its wall clock paused
    // (sandbox::Limits::inputWaitMs). Absent or 0: waiting for input counts as run time.
    std::optional<qint64> inputWaitMs;
};

struct ProgramRequest
{
    QList<ProgramFile> files; // at least one
    QString main;             // the entry file; empty = the first file
    QStringList args;
    // Given: the program's whole input, then EOF. Absent: interactive (writeStdin/closeStdin).
    std::optional<QByteArray> stdinData;
    ProgramLimits limits;
};

struct ProgramRunOptions
{
    // Host directory of the compile cache (created 0700 if missing). Empty: no cache.
    QString cacheDir;
    qint64 cacheMaxBytes = 256LL * 1024 * 1024;     // LRU-evicted past this total
    qint64 maxOutputFileBytes = 64LL * 1024 * 1024; // a compiler output larger than this fails
    // Where each compile step's fresh /out directory is made. It must be reachable by the
    // sandbox's uid (65534 when the server is root), so not under a 0700 data dir. Empty:
    // <tmp>/coderoom-out-<uid>, created 0711 and checked to be ours and not a symlink.
    QString scratchDir;
    // Pre-started sandboxes (not owned). A run uses one when the pool fits it (same language
    // setup and rlimits, files within maxPrestartFileBytes); otherwise it starts its own. Every
    // run step is counted in the pool's stats either way.
    QPointer<PrestartPool> prestart;
};

struct ProgramResult
{
    bool invalidRequest = false; // bad file names, no files, unknown main: nothing ran
    bool compileFailed = false;  // compile.outcome/exitCode say how; diagnostics were streamed
    bool compiled = false;       // a compile step ran (false for interpreted and cache hits)
    bool cacheHit = false;       // the compiled program came from the cache
    sandbox::Result compile;     // valid when compiled
    sandbox::Result run;         // the run step; Stopped when stop() came before it
    qint64 compileMs = 0;        // wall time of the compile step (0 on a cache hit)
    bool prestarted = false;     // the run step used a pre-started sandbox
    QString message;             // plain words for anything but a clean run
};

class ProgramRunPrivate;

class ProgramRun final : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        NotStarted,
        Validating,
        Compiling,
        Running,
        Finished
    };

    // `language` is copied (plain data); it must be available.
    ProgramRun(const Language &language, const ProgramRequest &request,
               const ProgramRunOptions &options, QObject *parent = nullptr);
    ~ProgramRun() override; // stops a running step; never leaves a process behind

    void start();
    State state() const;

    void writeStdin(const QByteArray &data);
    void closeStdin();
    void interrupt(); // SIGINT to the program (no effect while compiling)
    void stop();

    // Checks a file name as the request validation does; false + *why when it is refused.
    static bool isValidFileName(const QString &name, QString *why = nullptr);

signals:
    void compileStarted();
    void started(); // the run step is running
    void output(coderoom::languages::ProgramStream stream, const QByteArray &data);
    void inputWanted();
    void done(const coderoom::languages::ProgramResult &result);

private:
    std::unique_ptr<ProgramRunPrivate> d;
};

} // namespace coderoom::languages
