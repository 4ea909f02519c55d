#pragma once

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <optional>

// Plain data describing one sandboxed process and how it ended. Copyable, defaults in member
// initialisers; behaviour lives in SandboxProcess.
namespace coderoom::sandbox {

struct Limits
{
    qint64 wallMs = 10000;            // wall clock from start; then the whole namespace is killed
    // > 0: while the program is blocked reading an empty stdin (nobody has answered yet), the
    // wall clock above is paused and this one runs instead; past it the job ends InputTimeout.
    // Thinking time is not run time. 0: waiting for input counts as running (stdin given, REPL
    // drivers that report their waits themselves).
    qint64 inputWaitMs = 0;
    qint64 cpuMs = 10000;             // CPU time of the job (RLIMIT_CPU, rounded up to seconds)
    qint64 memoryMb = 256;            // address space per process (RLIMIT_AS) or cgroup memory.max
    qint64 outputBytes = 1024 * 1024; // stdout + stderr together; past it: OutputLimit
    int processes = 64;               // processes + threads inside the sandbox
    qint64 fileSizeMb = 16;           // RLIMIT_FSIZE: largest file a program may write
    int openFiles = 256;              // RLIMIT_NOFILE
    // One quota for everything the job can write: /work, /tmp, /var/tmp, /dev/shm and any
    // directory it makes live on one size-limited tmpfs (the sandbox's root). Past it writes
    // fail with ENOSPC. 0: defaultWritableMb(). Where the job has a memory cgroup, its tmpfs
    // pages are charged to it as well.
    qint64 writableMb = 0;
    // Where a cgroup cpu controller is available: the job's share of the CPU in thousandths of
    // a core (500 = half a core), whatever its processes and threads do. 0: the server's
    // job_cpu_millicores (0 there too: not capped).
    qint64 cpuMilliCores = 0;
};

// The quota of a job whose Limits::writableMb is 0 (the server's `writable_mb`). Thread-safe.
inline constexpr qint64 builtInWritableMb = 64;
void setDefaultWritableMb(qint64 megabytes);
qint64 defaultWritableMb();
qint64 writableMbOf(const Limits &limits); // the quota that applies
void setDefaultCpuMilliCores(qint64 milliCores);
qint64 cpuMilliCoresOf(const Limits &limits); // 0: not capped

struct Bind
{
    QString source; // host path
    QString target; // path inside the sandbox; empty = same as source
    bool writable = false;
};

// A file placed into the sandbox's /work before the program starts. Content goes in through a
// descriptor (bwrap --file), so the server never writes a path a program could have planted.
struct InputFile
{
    QString name; // relative to /work; no "..", no leading "/"
    QByteArray content;
    bool executable = false;
};

struct Spec
{
    QStringList command;     // argv inside the sandbox; command[0] an absolute path
    QList<InputFile> files;  // written into /work (the working directory)
    QList<Bind> binds;       // extra read-only (or writable) binds beyond the base set
    QStringList environment; // extra NAME=value on top of the fixed allow-list
    Limits limits;
    // Given: written to the program's stdin, then closed (EOF). Absent: stdin stays open for
    // writeStdin()/closeStdin() (interactive).
    std::optional<QByteArray> stdinData;
    // A control channel for REPL drivers: two pipes, the driver reads fd 3 and writes fd 4.
    bool controlChannel = false;
    // The driver says itself when its program waits for input (a REPL driver's input_wait on
    // the control channel): the server then never looks for a read on stdin, and a job with a
    // cgroup is sampled from the cgroup alone, without walking its processes in /proc.
    bool driverReportsInput = false;
    // Pre-start: the process starts now but its job comes later through arm(). Until then no
    // wall clock runs, stdinData is not written and it is sampled only every 2 s. The CPU it
    // uses while starting up (an interpreter's start-up) counts toward RLIMIT_CPU.
    bool armLater = false;
    // CPU priority below the server's own (a nice increment, 0..19): the job gets what the
    // server leaves, so a spinning program never starves the event loop that serves everyone.
    int niceness = 10;
};

// What arm() hands a pre-started process. Only limits enforced from outside the sandbox can
// still change; the rlimits (memory, CPU, files, processes) were fixed when it started.
struct Arming
{
    qint64 wallMs = 10000;               // counted from arm()
    qint64 inputWaitMs = 0;              // as Limits::inputWaitMs
    qint64 outputBytes = 1024 * 1024;    // stdout + stderr, including anything before arm()
    std::optional<QByteArray> stdinData; // as Spec::stdinData: given = written, then EOF
};

// How a sandboxed process ended. One value, not an (exitStatus, exitCode, error) triple.
enum class Outcome
{
    Exited,        // ran to completion; exitCode says how (0 = success)
    Signalled,     // killed by a signal of its own doing (segfault, abort); signal says which
    Timeout,       // wall-clock limit reached; the namespace was killed
    InputTimeout,  // waited for input longer than Limits::inputWaitMs; the namespace was killed
    CpuLimit,      // CPU-time limit reached
    MemoryLimit,   // allocation failed at the memory limit, or killed for it
    OutputLimit,   // output cap reached; the namespace was killed
    ProcessLimit,  // fork/thread bomb hit the process limit and the job failed
    Stopped,       // stop() was called (cancel, shutdown, eviction)
    FailedToStart, // bwrap or the program could not start; message says why
};

struct Result
{
    Outcome outcome = Outcome::FailedToStart;
    int exitCode = -1; // valid for Exited
    int signal = 0;    // valid for Signalled (and the signal that ended a killed job)
    qint64 wallMs = 0;      // from start (or arm) to the end, input waits included
    qint64 inputWaitMs = 0; // of wallMs, paused waiting for input (Limits::inputWaitMs > 0)
    qint64 cpuMs = 0;    // user + system of the job's processes, measured from outside
    qint64 memoryKb = 0; // peak resident set of the job's processes, measured from outside
    // The most the job had written at once (files in its writable space), measured from outside;
    // 0 when it ended before the first look. writableFull: it filled the quota (writes failed).
    qint64 writableKb = 0;
    bool writableFull = false;
    qint64 writableMb = 0; // the quota that applied
    qint64 outputBytes = 0;
    QString message; // plain words for anything but a clean exit
};

QString toString(Outcome outcome);

} // namespace coderoom::sandbox
