#include "sandboxprocess.h"

#include "cgroups.h"

#include "bwrapcommand_p.h"
#include "sandboxlog_p.h"
#include "seccompfilter_p.h"

#include <QEventLoop>
#include <QMutex>
#include <QFileInfo>
#include <QProcess>
#include <QTimer>

#include <unistd.h>

namespace coderoom::sandbox {

namespace {

Capabilities probe()
{
    Capabilities caps;
    caps.bwrapPath = QLatin1String(bwrapPath);
    if (!QFileInfo(caps.bwrapPath).isExecutable()) {
        caps.problem = QStringLiteral("%1 not found (install bubblewrap)").arg(caps.bwrapPath);
        return caps;
    }
    QProcess version;
    version.start(caps.bwrapPath, {QStringLiteral("--version")});
    if (version.waitForFinished(5000))
        caps.bwrapVersion = QString::fromUtf8(version.readAllStandardOutput()).trimmed();
    if (!QFileInfo(QLatin1String(prlimitPath)).isExecutable()) {
        caps.problem = QStringLiteral("%1 not found (util-linux)").arg(QLatin1String(prlimitPath));
        return caps;
    }
    caps.seccomp = seccompProgram().isValid();
    caps.dropsPrivileges = ::geteuid() == 0;

    // A trivial sandbox, run the way every job runs.
    SandboxProcess process;
    Spec spec;
    spec.command = {QStringLiteral("/usr/bin/true")};
    spec.stdinData = QByteArray();
    spec.limits.wallMs = 10000;
    Result result;
    QEventLoop loop;
    QObject::connect(&process, &SandboxProcess::done, &loop, [&](const Result &r) {
        result = r;
        loop.quit();
    });
    process.start(spec);
    loop.exec();
    caps.usable = result.outcome == Outcome::Exited && result.exitCode == 0;
    if (!caps.usable)
        caps.problem = QStringLiteral("a trivial sandbox failed: %1 %2")
                           .arg(toString(result.outcome), result.message);

    caps.enforcement = {
        QStringLiteral("isolation: bwrap user+pid+mount+ipc+uts+net+cgroup namespaces, "
                       "no network, caps dropped, nested user namespaces disabled"),
        QStringLiteral("filesystem: /usr read-only; the job's root is one tmpfs of writable_mb "
                       "(/work, /tmp, /var/tmp, /dev/shm together)"),
        QStringLiteral("wall time: QTimer, then SIGKILL of the PID namespace's init"),
        QStringLiteral("cpu: RLIMIT_CPU per process + the job's total (its cgroup where there "
                       "is one, else sampled from /proc) every 50 ms"),
        QStringLiteral("cpu priority: interpreters 10, batch programs 19 nice levels below the "
                       "server (process and scheduler autogroup)"),
        QStringLiteral("memory: RLIMIT_AS per process (address space, not RSS)"),
        QStringLiteral("processes: RLIMIT_NPROC set inside the job's own user namespace"),
        QStringLiteral("file size: RLIMIT_FSIZE; open files: RLIMIT_NOFILE; core: 0"),
        QStringLiteral("output: counted in the server, job stopped at the cap"),
        caps.seccomp
            ? QStringLiteral("syscalls: seccomp deny-list (EPERM); sockets: allow-list of "
                             "families (unix, inet, inet6, netlink route)")
            : QStringLiteral("syscalls: NO seccomp filter (%1)").arg(seccompProgram().error),
        caps.dropsPrivileges ? QStringLiteral("uid: server is root; jobs run as 65534")
                             : QStringLiteral("uid: jobs run as the server's own uid"),
    };
    qCInfo(lcSandbox) << "sandbox capabilities: usable" << caps.usable << caps.bwrapVersion
                      << "seccomp" << caps.seccomp << caps.problem;
    return caps;
}

} // namespace

const Capabilities &probeCapabilities()
{
    static const Capabilities capabilities = probe();
    return capabilities;
}

namespace {
QMutex g_cgroupsLock;
std::shared_ptr<cgroup::CgroupHost> g_cgroups;
} // namespace

void useCgroups(std::shared_ptr<cgroup::CgroupHost> host)
{
    const QMutexLocker lock(&g_cgroupsLock);
    g_cgroups = std::move(host);
}

std::shared_ptr<cgroup::CgroupHost> cgroups()
{
    const QMutexLocker lock(&g_cgroupsLock);
    return g_cgroups;
}

QStringList enforcement()
{
    QStringList lines = probeCapabilities().enforcement;
    const std::shared_ptr<cgroup::CgroupHost> host = cgroups();
    if (!host || host->placements().isEmpty()) {
        lines << QStringLiteral("cgroup: none (%1): memory, processes and CPU are limited per "
                                "process by the rlimits above; no CPU share")
                     .arg(!host ? QStringLiteral("not in use")
                                : host->problem().isEmpty()
                                    ? QStringLiteral("this host gives the server no cgroup")
                                    : host->problem());
        return lines;
    }
    for (const QString &line : host->describe())
        lines << QStringLiteral("cgroup: ") + line;
    using cgroup::Controller;
    for (const auto &[controller, fallback] :
         {std::pair{Controller::Memory, "memory per job: none (RLIMIT_AS per process only)"},
          std::pair{Controller::Pids, "processes per job: RLIMIT_NPROC only"},
          std::pair{Controller::Cpu, "cpu share per job: none (nice levels only)"},
          std::pair{Controller::CpuAccounting, "cpu time per job: sampled from /proc"}}) {
        if (!host->enforces(controller))
            lines << QStringLiteral("cgroup: ") + QLatin1String(fallback);
    }
    return lines;
}

} // namespace coderoom::sandbox
