#pragma once

// SandboxProcess's private side, shared by sandboxprocess.cpp (start, observe, stop) and
// sandboxchannels.cpp (stdin, the control channel, arming a pre-started process).

#include "cgroups.h"
#include "childsetup_p.h"
#include "outcome_p.h"
#include "procstats_p.h"
#include "sandboxprocess.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QSocketNotifier>
#include <QTimer>

#include <optional>

#include <unistd.h>

namespace coderoom::sandbox {

inline constexpr int pollIntervalMs = 50;
// A control-channel driver or a process waiting for arm() is sampled this rarely (see start()).
inline constexpr int idlePollIntervalMs = 2000;
inline constexpr qsizetype maxControlLine = 1024 * 1024;
inline constexpr qsizetype maxPendingInput = 16 * 1024 * 1024; // stdin/control bytes not taken

inline void closeFd(int &fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

class SandboxProcessPrivate
{
public:
    explicit SandboxProcessPrivate(SandboxProcess *owner)
        : q(owner)
    {}
    ~SandboxProcessPrivate();

    bool prepare(QString *error);
    void closeChildEnds();
    void closeAll();
    void onStatusReadable();
    void handleStatusLine(const QByteArray &line);
    void onStdout();
    void drainOutput();
    void onStderr();
    void deliver(Stream stream, QByteArray data);
    void onControlReadable();
    void flushStdin();
    void flushControl();
    void beginJob(); // the job's clock and stdin start: in start(), or in arm() when armLater
    void poll();
    // Thinking time is not run time (Limits::inputWaitMs): the wall clock pauses while the
    // program waits for input nobody has typed yet, and resumes when input arrives or the wait
    // ends otherwise.
    void pauseWallClock();
    void resumeWallClock();
    qint64 inputWaitedMs() const;
    void applySample(const JobSample &sample);
    void beginKill(Outcome reason);
    void killNamespace();
    void onFinished(int exitCode, QProcess::ExitStatus status);
    void emitDone();
    void finishFailed(const QString &message);
    Result classify(int exitCode, QProcess::ExitStatus status) const;

    SandboxProcess *const q;
    QProcess m_process;
    Spec m_spec;
    SandboxProcess::State m_state = SandboxProcess::State::NotStarted;
    ChildSetup m_child;

    // Descriptors: ours (kept) and the child's ends (closed once bwrap runs).
    int m_stdinWrite = -1;
    int m_controlToDriver = -1;   // we write, the driver reads fd 3
    int m_controlFromDriver = -1; // the driver writes fd 4, we read
    int m_statusRead = -1;
    QList<int> m_childEnds;
    QByteArray m_stdinPipeLink;

    QSocketNotifier *m_stdinNotifier = nullptr;
    QSocketNotifier *m_controlNotifier = nullptr;
    QSocketNotifier *m_statusNotifier = nullptr;

    QByteArray m_stdinBuffer;
    bool m_stdinCloseRequested = false;
    QByteArray m_statusBuffer;
    QByteArray m_controlBuffer;    // from the driver, up to the next '\n'
    QByteArray m_controlOutBuffer; // to the driver, not yet taken by the pipe
    qint64 m_controlQueued = 0;    // bytes ever accepted by writeControl()
    qint64 m_controlDelivered = 0; // bytes ever taken by the pipe
    QSocketNotifier *m_controlOutNotifier = nullptr;

    pid_t m_initPid = 0; // host pid of the namespace's pid 1 (bwrap's init)
    int m_initPidfd = -1;
    QByteArray m_namespaceLink;
    std::optional<int> m_reportedExitCode;

    QElapsedTimer m_clock;
    QTimer m_wallTimer;
    QTimer m_pollTimer;
    QTimer m_graceTimer;
    QTimer m_inputWaitTimer;
    QElapsedTimer m_waitClock; // valid while the wall clock is paused for input
    qint64 m_wallLeftMs = 0;   // of the wall limit, when it was paused
    qint64 m_waitedMs = 0;     // input waits that ended
    std::optional<Outcome> m_killReason;
    bool m_inputWantedSent = false;
    bool m_armed = true; // false from start() to arm() when Spec::armLater

    qint64 m_outputBytes = 0;
    qint64 m_cpuMs = 0;
    qint64 m_memoryKb = 0;
    // The job's cgroups (none: rlimits only); measures its CPU and memory where it can.
    std::unique_ptr<cgroup::JobGroup> m_cgroup;
    bool m_cgroupCpu = false;    // its CPU time comes from the cgroup
    bool m_cgroupMemory = false; // its peak memory too
    qint64 m_oomKills = 0;
    qint64 m_pidsRefused = 0;
    void sampleCgroup();
    void releaseCgroup();
    int m_rootFd = -1; // the job's root tmpfs (its writable space), once bwrap has pivoted
    qint64 m_writableKb = 0;
    bool m_writableFull = false;
    void sampleWritable();
    StderrEvidence m_stderr;
    bool m_doneQueued = false;
    bool m_finishing = false; // bwrap has exited; waiting for the namespace to be gone
    QSocketNotifier *m_initExitNotifier = nullptr;
    Result m_result;
};

} // namespace coderoom::sandbox
