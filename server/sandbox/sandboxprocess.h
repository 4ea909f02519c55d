#pragma once

#include "sandboxtypes.h"

#include <QObject>

#include <memory>

namespace coderoom::cgroup {
class CgroupHost;
}

// One sandboxed process (bubblewrap + rlimits + seccomp), wrapped by composition.
//
// State machine:
//   NotStarted --start()--> Starting --(bwrap reports the child)--> Running --> Finished
//   Every path ends in exactly one done(Result), also when the process failed to start
//   (done is then emitted from the event loop, never from inside start()).
//   started() fires once on Starting -> Running; output() and inputWanted() only while Running.
//   stop() in Starting or Running kills the whole PID namespace (terminate, short grace, kill)
//   and ends in done() with Outcome::Stopped (or the limit outcome that was hit first).
//
// Pre-start (Spec::armLater): Starting and Running are each split in two by arm():
//   Starting/Running (waiting) --arm(Arming)--> Starting/Running (armed) --> Finished
//   While waiting: no wall clock, no stdin written, no inputWanted(), sampled every 2 s (CPU
//   and memory limits still apply). arm() starts the wall clock (Result::wallMs counts from
//   it), writes Arming::stdinData, samples every 50 ms. A process that dies while waiting ends
//   in done() as usual. Without armLater a process is armed from start().
namespace coderoom::sandbox {

class SandboxProcessPrivate;

enum class Stream
{
    Stdout,
    Stderr
};

class SandboxProcess final : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        NotStarted,
        Starting,
        Running,
        Finished
    };

    explicit SandboxProcess(QObject *parent = nullptr);
    ~SandboxProcess() override; // kills a still-running job; never leaves a process behind

    void start(const Spec &spec);
    State state() const;

    // Hands a pre-started (Spec::armLater) process its job; false when it was not waiting
    // (not armLater, already armed, finished or being stopped).
    bool arm(const Arming &arming);
    bool isArmed() const;

    void writeStdin(const QByteArray &data);
    void closeStdin();
    // One line to the driver's fd 3 (adds '\n'). Returns where the line ends in the control
    // stream, or -1 when it was dropped (process ending, driver not reading).
    qint64 writeControl(const QByteArray &line);
    // Control-stream bytes the pipe has taken. A line whose end is past this never reached the
    // driver: it died (the pipe said EPIPE) or stopped reading before it.
    qint64 controlBytesDelivered() const;
    void interrupt();                          // SIGINT to the program (Ctrl+C)
    void stop();                               // two-stage kill of the whole namespace

    // Bytes written to stdin that the program has not read yet (0 = it drained everything).
    qint64 pendingStdinBytes() const;

signals:
    void started();
    void output(coderoom::sandbox::Stream stream, const QByteArray &data);
    void controlLine(const QByteArray &line); // one line from the driver's fd 4, without '\n'
    void inputWanted(); // the program blocks reading stdin and nothing is buffered for it
    void done(const coderoom::sandbox::Result &result);

private:
    std::unique_ptr<SandboxProcessPrivate> d;
};

// What the machine's sandbox can enforce, for /ready and the log: which limits come from
// rlimits, which from a cgroup, whether seccomp is on, and why anything is missing.
struct Capabilities
{
    bool usable = false; // bwrap found and a trivial sandbox ran
    QString bwrapPath;
    QString bwrapVersion;
    bool seccomp = false;
    bool cgroup = false;          // a delegated cgroup v2 subtree is in use
    bool dropsPrivileges = false; // running as root: jobs run as an unprivileged uid
    QString problem;              // why not usable
    QStringList enforcement; // e.g. "memory: RLIMIT_AS", "processes: RLIMIT_NPROC in sandbox uid"
};

// Checks once (cached) by running a trivial sandbox. Cheap after the first call.
const Capabilities &probeCapabilities();

// The server's cgroups: every job started afterwards gets a group of its own there (memory of
// all its processes, its process count, its CPU share; peak memory and CPU time measured
// there). nullptr, the default: rlimits only. Thread-safe.
void useCgroups(std::shared_ptr<cgroup::CgroupHost> host);
std::shared_ptr<cgroup::CgroupHost> cgroups();

// Which mechanism enforces which limit right now (the probe's lines with the cgroups in use),
// for /ready and coderoomd --check-config.
QStringList enforcement();

} // namespace coderoom::sandbox
