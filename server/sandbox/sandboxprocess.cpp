#include "sandboxprocess.h"

#include "bwrapcommand_p.h"
#include "sandboxlog_p.h"
#include "sandboxprocess_p.h"
#include "seccompfilter_p.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QProcessEnvironment>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcSandbox, "coderoom.server.sandbox")

namespace coderoom::sandbox {

namespace {

constexpr int killGraceMs = 200;
constexpr int namespaceExitTimeoutMs = 3000;

// glibc 2.36's <sys/pidfd.h> lacks extern "C" guards, so C++ cannot link its wrappers.
int pidfdOpen(pid_t pid)
{
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

void pidfdKill(int pidfd)
{
    if (pidfd >= 0)
        ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0);
}

int memfdWith(const char *name, const QByteArray &content)
{
    const int fd = ::memfd_create(name, MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    qsizetype written = 0;
    while (written < content.size()) {
        const ssize_t n = ::write(fd, content.constData() + written,
                                  static_cast<size_t>(content.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ::close(fd);
            return -1;
        }
        written += n;
    }
    ::lseek(fd, 0, SEEK_SET);
    return fd;
}

} // namespace

SandboxProcessPrivate::~SandboxProcessPrivate()
{
    closeAll();
    releaseCgroup();
}

void SandboxProcessPrivate::releaseCgroup()
{
    // ~JobGroup kills what is left and removes the groups: a job never outlives its object.
    m_cgroup.reset();
}

bool SandboxProcessPrivate::prepare(QString *error)
{
    const QString invalid = validateSpec(m_spec);
    if (!invalid.isEmpty()) {
        *error = invalid;
        return false;
    }
    const bool root = ::geteuid() == 0;
    m_child = ChildSetup();
    m_child.dropPrivileges = root;

    int stdinPipe[2];
    if (::pipe2(stdinPipe, O_CLOEXEC) != 0) {
        *error = QStringLiteral("cannot create the stdin pipe: %1").arg(qt_error_string(errno));
        return false;
    }
    m_stdinWrite = stdinPipe[1];
    m_childEnds << stdinPipe[0];
    m_child.addFd(stdinPipe[0], 0);
    m_stdinPipeLink = descriptorLink(stdinPipe[0]);
    ::fcntl(m_stdinWrite, F_SETFL, O_NONBLOCK);

    if (m_spec.controlChannel) {
        int toDriver[2];
        int fromDriver[2];
        if (::pipe2(toDriver, O_CLOEXEC) != 0) {
            *error = QStringLiteral("cannot create the control pipes");
            return false;
        }
        if (::pipe2(fromDriver, O_CLOEXEC) != 0) {
            ::close(toDriver[0]);
            ::close(toDriver[1]);
            *error = QStringLiteral("cannot create the control pipes");
            return false;
        }
        m_controlToDriver = toDriver[1];
        m_controlFromDriver = fromDriver[0];
        m_childEnds << toDriver[0] << fromDriver[1];
        if (root) {
            // A pipe's inode keeps its creator as owner: after the drop to the sandbox uid, a
            // driver that reopens /proc/self/fd/N (Java has no other way to use an inherited
            // descriptor) would get EACCES. Hand the driver's ends to the sandbox user.
            for (const int fd : {toDriver[0], fromDriver[1]}) {
                if (::fchown(fd, m_child.uid, m_child.gid) != 0)
                    qCWarning(lcSandbox) << "cannot hand a control pipe to the sandbox user";
            }
        }
        m_child.addFd(toDriver[0], controlReadFd);
        m_child.addFd(fromDriver[1], controlWriteFd);
        ::fcntl(m_controlToDriver, F_SETFL, O_NONBLOCK);
        ::fcntl(m_controlFromDriver, F_SETFL, O_NONBLOCK);
    }

    int next = firstBwrapFd;
    BwrapFds fds;
    const auto pass = [this, &next](int fd) {
        if (fd < 0)
            return -1;
        m_childEnds << fd;
        if (!m_child.addFd(fd, next))
            return -1;
        return next++;
    };

    int status[2];
    if (::pipe2(status, O_CLOEXEC) != 0) {
        *error = QStringLiteral("cannot create the status pipe");
        return false;
    }
    m_statusRead = status[0];
    ::fcntl(m_statusRead, F_SETFL, O_NONBLOCK);
    fds.jsonStatus = pass(status[1]);

    if (seccompProgram().isValid()) {
        fds.seccomp = pass(seccompProgramFd());
        if (fds.seccomp < 0) {
            *error = QStringLiteral("cannot pass the seccomp filter");
            return false;
        }
    } else {
        qCWarning(lcSandbox) << "running without seccomp:" << seccompProgram().error;
    }
    fds.passwd = pass(memfdWith("coderoom-passwd", sandboxPasswd()));
    fds.group = pass(memfdWith("coderoom-group", sandboxGroup()));
    for (const InputFile &file : std::as_const(m_spec.files)) {
        const int fd = pass(memfdWith("coderoom-file", file.content));
        if (fd < 0) {
            *error = QStringLiteral("cannot pass the file %1").arg(file.name);
            return false;
        }
        fds.files << fd;
    }
    if (fds.jsonStatus < 0 || fds.passwd < 0 || fds.group < 0) {
        *error = QStringLiteral("cannot create descriptors for bwrap");
        return false;
    }

    const Limits &limits = m_spec.limits;
    const auto mb = [](qint64 value) {
        return static_cast<rlim_t>(std::max<qint64>(value, 1)) << 20;
    };
    m_child.addLimit(RLIMIT_AS, mb(limits.memoryMb));
    const qint64 cpuSeconds = std::max<qint64>((limits.cpuMs + 999) / 1000, 1);
    // Soft below hard: the kernel sends SIGXCPU at the soft limit (recognisable), SIGKILL only
    // a second later at the hard one.
    m_child.addLimit(RLIMIT_CPU, static_cast<rlim_t>(cpuSeconds),
                     static_cast<rlim_t>(cpuSeconds + 1));
    m_child.addLimit(RLIMIT_FSIZE, mb(limits.fileSizeMb));
    const int openFiles = std::max(limits.openFiles, m_child.firstFreeFd() + 16);
    m_child.addLimit(RLIMIT_NOFILE, static_cast<rlim_t>(openFiles));
    m_child.addLimit(RLIMIT_CORE, 0);
    // See bwrapArguments(): the per-job process limit is set inside the namespace.
    // Unprivileged servers cannot raise it; the call then fails harmlessly in the child.
    m_child.addLimit(RLIMIT_NPROC, RLIM_INFINITY);
    if (const std::shared_ptr<cgroup::CgroupHost> host = cgroups()) {
        // bwrap, its init and prlimit come before the program's own processes.
        cgroup::JobLimits jobLimits;
        jobLimits.memoryBytes = qint64(limits.memoryMb) << 20;
        jobLimits.pids = limits.processes + 2;
        jobLimits.cpuMilliCores = cpuMilliCoresOf(limits);
        QString cgroupError;
        m_cgroup = host->createJob(jobLimits, &cgroupError);
        if (!m_cgroup) {
            qCWarning(lcSandbox).noquote() << "no cgroup for this job, rlimits only:" << cgroupError;
        } else {
            for (int fd : m_cgroup->procsFds()) {
                if (m_child.cgroupFdCount < ChildSetup::MaxCgroups)
                    m_child.cgroupFds[m_child.cgroupFdCount++] = fd;
            }
            m_cgroupCpu = host->enforces(cgroup::Controller::CpuAccounting);
            m_cgroupMemory = host->enforces(cgroup::Controller::Memory);
            fds.cgroupPids = host->enforces(cgroup::Controller::Pids);
        }
    }
    if (m_spec.niceness > 0) {
        // Relative to the server: a server an admin already niced keeps its lead. errno tells a
        // failed getpriority() from a legitimate -1.
        errno = 0;
        const int own = ::getpriority(PRIO_PROCESS, 0);
        m_child.lowerPriority = true;
        m_child.priority = std::min(19, (errno == 0 ? own : 0) + std::min(m_spec.niceness, 19));
        const QByteArray text = QByteArray::number(m_child.priority);
        m_child.autogroupNiceLength = int(text.size());
        std::copy(text.cbegin(), text.cend(), m_child.autogroupNice);
    }

    m_process.setProgram(QLatin1String(bwrapPath));
    m_process.setArguments(bwrapArguments(m_spec, fds));
    // bwrap's own pid 1 keeps this environment and shows it in /proc/1/environ.
    QProcessEnvironment environment;
    environment.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    m_process.setProcessEnvironment(environment);
    m_process.setWorkingDirectory(QStringLiteral("/"));
    const ChildSetup *setup = &m_child;
    m_process.setChildProcessModifier([setup] { setup->apply(); });
    return true;
}

void SandboxProcessPrivate::closeChildEnds()
{
    for (int &fd : m_childEnds)
        closeFd(fd);
    m_childEnds.clear();
}

void SandboxProcessPrivate::closeAll()
{
    closeChildEnds();
    delete m_stdinNotifier;
    m_stdinNotifier = nullptr;
    delete m_controlNotifier;
    m_controlNotifier = nullptr;
    delete m_controlOutNotifier;
    m_controlOutNotifier = nullptr;
    delete m_statusNotifier;
    m_statusNotifier = nullptr;
    closeFd(m_stdinWrite);
    closeFd(m_controlToDriver);
    closeFd(m_controlFromDriver);
    closeFd(m_statusRead);
    closeFd(m_initPidfd);
    closeFd(m_rootFd);
}

void SandboxProcessPrivate::onStatusReadable()
{
    char buffer[1024];
    for (;;) {
        const ssize_t n = ::read(m_statusRead, buffer, sizeof buffer);
        if (n > 0) {
            m_statusBuffer.append(buffer, n);
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 && m_statusNotifier) // bwrap closed it: it has said all it will say
            m_statusNotifier->setEnabled(false);
        break;
    }
    // bwrap writes one JSON document per line ("{ "child-pid": ... }", "{ "exit-code": N }").
    qsizetype newline;
    while ((newline = m_statusBuffer.indexOf('\n')) >= 0) {
        handleStatusLine(m_statusBuffer.left(newline));
        m_statusBuffer.remove(0, newline + 1);
    }
    if (m_statusBuffer.size() > 65536)
        m_statusBuffer.clear(); // bwrap never writes this much; do not grow on garbage
}

void SandboxProcessPrivate::handleStatusLine(const QByteArray &line)
{
    const QJsonObject object = QJsonDocument::fromJson(line).object();
    if (object.contains(QLatin1String("exit-code"))) {
        m_reportedExitCode = object.value(QLatin1String("exit-code")).toInt(-1);
        return;
    }
    if (!object.contains(QLatin1String("child-pid")) || m_initPid != 0)
        return;
    m_initPid = static_cast<pid_t>(object.value(QLatin1String("child-pid")).toInteger());
    const quint64 ns =
        static_cast<quint64>(object.value(QLatin1String("pid-namespace")).toInteger());
    m_namespaceLink = pidNamespaceLink(ns);
    // A pidfd pins the process: a later kill can never hit a recycled pid. The namespace check
    // confirms the pid still is bwrap's init and not a stranger that got its number.
    m_initPidfd = pidfdOpen(m_initPid);
    if (m_initPidfd < 0 || pidNamespaceOf(m_initPid) != m_namespaceLink) {
        qCWarning(lcSandbox) << "cannot pin the sandbox init" << m_initPid;
        closeFd(m_initPidfd);
    }
    if (m_state == SandboxProcess::State::Starting) {
        m_state = SandboxProcess::State::Running;
        m_pollTimer.start();
        emit q->started();
        if (m_killReason)
            killNamespace(); // stop() arrived while bwrap was still setting up
    }
}

void SandboxProcessPrivate::drainOutput()
{
    // waitForReadyRead(0) polls both pipes once and reads what is there, emitting the readyRead
    // signals (and so onStdout/onStderr) synchronously.
    for (int i = 0; i < 16 && m_process.state() == QProcess::Running; ++i) {
        if (!m_process.waitForReadyRead(0))
            break;
    }
    onStdout();
    onStderr();
}

void SandboxProcessPrivate::onStdout()
{
    deliver(Stream::Stdout, m_process.readAllStandardOutput());
}

void SandboxProcessPrivate::onStderr()
{
    const QByteArray data = m_process.readAllStandardError();
    m_stderr.scan(data);
    deliver(Stream::Stderr, data);
}

void SandboxProcessPrivate::deliver(Stream stream, QByteArray data)
{
    if (data.isEmpty() || m_killReason == Outcome::OutputLimit)
        return;
    const qint64 room = m_spec.limits.outputBytes - m_outputBytes;
    const bool over = data.size() > room;
    if (over)
        data.truncate(std::max<qint64>(room, 0));
    m_outputBytes += data.size();
    if (!data.isEmpty())
        emit q->output(stream, data);
    if (over)
        beginKill(Outcome::OutputLimit);
}

void SandboxProcessPrivate::poll()
{
    if (m_state != SandboxProcess::State::Running || m_namespaceLink.isEmpty())
        return;
    // Before arm() nobody can be waited for; a driver that reports its own waits needs no look.
    const bool wantStdin = !m_spec.stdinData && m_stdinWrite >= 0 && m_stdinBuffer.isEmpty() &&
                           m_armed && !m_spec.driverReportsInput;
    sampleWritable(); // first: applySample may announce an input wait, and with it this figure
    if (m_cgroupCpu && !wantStdin) {
        // A few small files instead of walking the job's processes in /proc.
        sampleCgroup();
        JobSample sample;
        sample.pids = {m_initPid};
        applySample(sample);
        return;
    }
    applySample(sampleJob(m_initPid, m_namespaceLink, wantStdin ? m_stdinPipeLink : QByteArray()));
    sampleCgroup();
}

void SandboxProcessPrivate::sampleCgroup()
{
    if (!m_cgroup)
        return;
    const cgroup::JobUsage usage = m_cgroup->usage();
    if (usage.cpuUsec)
        m_cpuMs = std::max(m_cpuMs, *usage.cpuUsec / 1000);
    if (usage.memoryPeakBytes)
        m_memoryKb = std::max(m_memoryKb, *usage.memoryPeakBytes / 1024);
    m_oomKills = std::max(m_oomKills, usage.oomKills);
    m_pidsRefused = std::max(m_pidsRefused, usage.pidsRefused);
}

void SandboxProcessPrivate::sampleWritable()
{
    if (m_rootFd < 0 && m_initPid != 0 && m_state == SandboxProcess::State::Running)
        m_rootFd = openJobRoot(m_initPid, writableMbOf(m_spec.limits) * 1024 * 1024);
    const std::optional<WritableUsage> usage = writableUsage(m_rootFd);
    if (!usage)
        return;
    m_writableKb = std::max(m_writableKb, usage->usedKb);
    // A write that did not fit failed with ENOSPC; tmpfs hands out whole pages, so "full"
    // leaves less than a few pages free.
    if (usage->freeKb <= 64)
        m_writableFull = true;
}

void SandboxProcessPrivate::applySample(const JobSample &sample)
{
    if (sample.pids.isEmpty())
        return; // between samples the job ended; keep the last figures
    // The job's cgroup counts better where there is one: every process, shared pages once.
    if (!m_cgroupCpu)
        m_cpuMs = std::max(m_cpuMs, sample.cpuMs);
    if (!m_cgroupMemory)
        m_memoryKb = std::max({m_memoryKb, sample.rssKb, sample.peakKb});
    // RLIMIT_CPU is per process; a job that spreads over processes is caught here.
    if (m_cpuMs > m_spec.limits.cpuMs + 2 * pollIntervalMs && !m_killReason)
        beginKill(Outcome::CpuLimit);

    int pending = 0;
    if (m_stdinWrite >= 0)
        ::ioctl(m_stdinWrite, FIONREAD, &pending);
    // Before arm() a pre-started process waits on its control channel, never for the user.
    const bool wanting = m_armed && sample.readingStdin && pending == 0 && m_stdinBuffer.isEmpty();
    // Thinking time only while nothing of the job computes: a thread that spins while another
    // blocks on stdin is run time. By thread state, not by CPU used: on a loaded machine a
    // spinning job at nice 19 may get almost no CPU and would look idle.
    const bool computing = sample.computing;
    if (wanting && !m_inputWantedSent && !m_killReason) {
        m_inputWantedSent = true;
        if (!computing)
            pauseWallClock();
        emit q->inputWanted();
    } else if (!wanting) {
        m_inputWantedSent = false;
        resumeWallClock();
    } else if (computing) {
        resumeWallClock();
    } else if (!m_killReason) {
        pauseWallClock(); // still waiting, and now quiet
    }
}

void SandboxProcessPrivate::pauseWallClock()
{
    if (m_spec.limits.inputWaitMs <= 0 || m_waitClock.isValid() || !m_wallTimer.isActive())
        return;
    const int left = m_wallTimer.remainingTime();
    if (left <= 0)
        return; // the limit is due now: let it fire
    m_wallLeftMs = left;
    m_wallTimer.stop();
    m_waitClock.start();
    m_inputWaitTimer.start(static_cast<int>(std::clamp<qint64>(m_spec.limits.inputWaitMs, 1,
                                                               INT_MAX)));
}

void SandboxProcessPrivate::resumeWallClock()
{
    if (!m_waitClock.isValid())
        return;
    m_waitedMs += m_waitClock.elapsed();
    m_waitClock.invalidate();
    m_inputWaitTimer.stop();
    if (!m_killReason && !m_finishing && m_state != SandboxProcess::State::Finished)
        m_wallTimer.start(static_cast<int>(std::max<qint64>(m_wallLeftMs, 1)));
}

qint64 SandboxProcessPrivate::inputWaitedMs() const
{
    return m_waitedMs + (m_waitClock.isValid() ? m_waitClock.elapsed() : 0);
}

void SandboxProcessPrivate::beginKill(Outcome reason)
{
    if (m_state == SandboxProcess::State::Finished || m_finishing || m_killReason)
        return;
    m_killReason = reason;
    m_wallTimer.stop();
    m_inputWaitTimer.stop();
    if (m_waitClock.isValid()) {
        m_waitedMs += m_waitClock.elapsed();
        m_waitClock.invalidate();
    }
    qCDebug(lcSandbox) << "stopping job:" << toString(reason);
    if (m_state == SandboxProcess::State::Starting) {
        // No namespace yet: bwrap itself is the only handle; --die-with-parent takes the rest.
        m_process.kill();
        return;
    }
    // First stage: SIGTERM to the program's processes (not the init), so a polite program can
    // flush; then the whole namespace goes with its init after the grace period.
    for (const pid_t pid : jobProcesses(m_initPid, m_namespaceLink)) {
        if (pid != m_initPid)
            ::kill(pid, SIGTERM);
    }
    m_graceTimer.start(killGraceMs);
}

void SandboxProcessPrivate::killNamespace()
{
    // SIGKILL to a PID namespace's init kills every process in it, daemons included; the
    // job's cgroup holds bwrap too, and whatever escaped the namespace.
    pidfdKill(m_initPidfd);
    if (m_cgroup)
        m_cgroup->kill();
    if (m_process.state() != QProcess::NotRunning)
        m_process.kill();
}

void SandboxProcessPrivate::onFinished(int exitCode, QProcess::ExitStatus status)
{
    if (m_finishing || m_state == SandboxProcess::State::Finished)
        return;
    m_finishing = true;
    onStdout();
    onStderr();
    if (m_statusRead >= 0)
        onStatusReadable();
    if (m_controlFromDriver >= 0)
        onControlReadable();
    m_wallTimer.stop();
    m_inputWaitTimer.stop();
    m_pollTimer.stop();
    m_graceTimer.stop();
    sampleWritable(); // the descriptor still reads the tmpfs of a namespace that is gone
    sampleCgroup();   // the group's counters outlive its processes
    m_result = classify(exitCode, status);
    const int pidfd = m_initPidfd;
    m_initPidfd = -1; // closeAll() must not close it yet
    closeAll();
    m_initPidfd = pidfd;
    // bwrap exits as soon as the program's main process does; its init then dies of
    // --die-with-parent and takes the namespace with it, asynchronously. done() promises that
    // nothing is left, so wait for the init's exit, which the kernel completes only after every
    // other process of the namespace is gone. The pidfd turns readable at that moment.
    pidfdKill(m_initPidfd);
    pollfd exited{m_initPidfd, POLLIN, 0};
    if (m_initPidfd < 0 || ::poll(&exited, 1, 0) != 0) {
        emitDone();
        return;
    }
    m_initExitNotifier = new QSocketNotifier(m_initPidfd, QSocketNotifier::Read, q);
    QObject::connect(m_initExitNotifier, &QSocketNotifier::activated, q, [this] { emitDone(); });
    m_graceTimer.disconnect();
    QObject::connect(&m_graceTimer, &QTimer::timeout, q, [this] {
        qCWarning(lcSandbox) << "the sandbox namespace did not go away in time";
        emitDone();
    });
    m_graceTimer.start(namespaceExitTimeoutMs);
}

void SandboxProcessPrivate::emitDone()
{
    if (m_state == SandboxProcess::State::Finished)
        return;
    m_state = SandboxProcess::State::Finished;
    m_graceTimer.stop();
    delete m_initExitNotifier;
    m_initExitNotifier = nullptr;
    closeFd(m_initPidfd);
    releaseCgroup(); // the namespace is gone: the groups are empty and go
    qCDebug(lcSandbox) << "job done:" << toString(m_result.outcome) << m_result.exitCode
                       << m_result.signal << m_result.wallMs << "ms";
    emit q->done(m_result); // last: a receiver may delete us
}

void SandboxProcessPrivate::finishFailed(const QString &message)
{
    if (m_doneQueued || m_state == SandboxProcess::State::Finished)
        return;
    m_doneQueued = true;
    m_wallTimer.stop();
    m_inputWaitTimer.stop();
    m_pollTimer.stop();
    m_graceTimer.stop();
    closeAll();
    Result result;
    result.outcome = Outcome::FailedToStart;
    result.message = message;
    result.wallMs = m_clock.isValid() ? m_clock.elapsed() : 0;
    qCWarning(lcSandbox) << "job failed to start:" << message;
    // Never synchronously inside start(): the caller may not have connected yet.
    QTimer::singleShot(0, q, [this, result] {
        m_state = SandboxProcess::State::Finished;
        emit q->done(result);
    });
}

Result SandboxProcessPrivate::classify(int exitCode, QProcess::ExitStatus status) const
{
    JobEvidence evidence;
    evidence.limits = m_spec.limits;
    evidence.programStarted = m_initPid != 0;
    evidence.killReason = m_killReason;
    evidence.reportedExitCode = m_reportedExitCode;
    evidence.bwrapExitCode = exitCode;
    evidence.bwrapCrashed = status == QProcess::CrashExit;
    evidence.wallMs = m_clock.elapsed();
    evidence.inputWaitMs = std::min(inputWaitedMs(), evidence.wallMs);
    evidence.cpuMs = m_cpuMs;
    evidence.memoryKb = m_memoryKb;
    evidence.oomKills = m_oomKills;
    evidence.pidsRefused = m_pidsRefused;
    evidence.writableKb = m_writableKb;
    evidence.writableFull = m_writableFull;
    evidence.outputBytes = m_outputBytes;
    evidence.errors = m_stderr;
    return classifyOutcome(evidence);
}

// ---------------------------------------------------------------------------------------------

SandboxProcess::SandboxProcess(QObject *parent)
    : QObject(parent)
    , d(std::make_unique<SandboxProcessPrivate>(this))
{
    d->m_wallTimer.setSingleShot(true);
    d->m_wallTimer.setTimerType(Qt::PreciseTimer); // a coarse timer may fire 5% early
    d->m_graceTimer.setSingleShot(true);
    d->m_inputWaitTimer.setSingleShot(true);
    d->m_pollTimer.setInterval(pollIntervalMs);
    connect(&d->m_wallTimer, &QTimer::timeout, this, [this] { d->beginKill(Outcome::Timeout); });
    connect(&d->m_graceTimer, &QTimer::timeout, this, [this] { d->killNamespace(); });
    connect(&d->m_inputWaitTimer, &QTimer::timeout, this,
            [this] { d->beginKill(Outcome::InputTimeout); });
    connect(&d->m_pollTimer, &QTimer::timeout, this, [this] { d->poll(); });
    connect(&d->m_process, &QProcess::readyReadStandardOutput, this, [this] { d->onStdout(); });
    connect(&d->m_process, &QProcess::readyReadStandardError, this, [this] { d->onStderr(); });
    connect(&d->m_process, &QProcess::finished, this,
            [this](int code, QProcess::ExitStatus status) { d->onFinished(code, status); });
    connect(&d->m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            d->finishFailed(d->m_process.errorString());
    });
}

SandboxProcess::~SandboxProcess()
{
    if (d->m_process.state() != QProcess::NotRunning) {
        d->m_process.disconnect(this);
        d->killNamespace();
        if (!d->m_process.waitForFinished(2000))
            qCWarning(lcSandbox) << "bwrap did not exit after SIGKILL";
    }
}

void SandboxProcess::start(const Spec &spec)
{
    if (d->m_state != State::NotStarted) {
        qCWarning(lcSandbox) << "start() called twice; ignored";
        return;
    }
    d->m_spec = spec;
    // Sampling scans /proc, so its cost grows with every process on the host. A REPL driver
    // (control channel) lives as long as its session and reports input waits itself: sampling
    // it every 50 ms made hundreds of idle sessions cost O(n^2) (docs/benchmarks.md). Its CPU
    // and memory stay bounded by rlimits in between.
    // A pre-started process waiting for arm() is idle the same way until it gets its job.
    d->m_armed = !spec.armLater;
    d->m_pollTimer.setInterval(spec.controlChannel || !d->m_armed ? idlePollIntervalMs
                                                                  : pollIntervalMs);
    d->m_clock.start();
    d->m_state = State::Starting;
    QString error;
    if (!d->prepare(&error)) {
        d->finishFailed(error);
        return;
    }
    d->m_statusNotifier = new QSocketNotifier(d->m_statusRead, QSocketNotifier::Read, this);
    connect(d->m_statusNotifier, &QSocketNotifier::activated, this,
            [this] { d->onStatusReadable(); });
    if (d->m_controlFromDriver >= 0) {
        d->m_controlNotifier =
            new QSocketNotifier(d->m_controlFromDriver, QSocketNotifier::Read, this);
        connect(d->m_controlNotifier, &QSocketNotifier::activated, this,
                [this] { d->onControlReadable(); });
        d->m_controlOutNotifier =
            new QSocketNotifier(d->m_controlToDriver, QSocketNotifier::Write, this);
        d->m_controlOutNotifier->setEnabled(false);
        connect(d->m_controlOutNotifier, &QSocketNotifier::activated, this,
                [this] { d->flushControl(); });
    }
    d->m_stdinNotifier = new QSocketNotifier(d->m_stdinWrite, QSocketNotifier::Write, this);
    d->m_stdinNotifier->setEnabled(false);
    connect(d->m_stdinNotifier, &QSocketNotifier::activated, this, [this] { d->flushStdin(); });

    d->m_process.start();
    // The child has its copies now (or failed to fork); ours of its ends must go, or the
    // program would never see EOF on stdin and we would never see EOF on its pipes.
    d->closeChildEnds();
    if (d->m_doneQueued)
        return;
    d->m_process.closeWriteChannel(); // QProcess's own stdin pipe is unused (fd 0 is ours)
    if (d->m_armed)
        d->beginJob();
}

SandboxProcess::State SandboxProcess::state() const
{
    return d->m_state;
}

void SandboxProcess::interrupt()
{
    if (d->m_state != State::Running)
        return;
    for (const pid_t pid : jobProcesses(d->m_initPid, d->m_namespaceLink)) {
        if (pid != d->m_initPid)
            ::kill(pid, SIGINT);
    }
}

void SandboxProcess::stop()
{
    d->beginKill(Outcome::Stopped);
}

} // namespace coderoom::sandbox
