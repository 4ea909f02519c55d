#include "cgroups.h"

#include <QDir>
#include <QFileInfo>
#include <QFile>
#include <QLoggingCategory>
#include <QRegularExpression>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcCgroup, "coderoom.server.cgroup")

namespace coderoom::cgroup {

namespace {

const QRegularExpression &serverDirName()
{
    static const QRegularExpression re(QStringLiteral("^coderoom-(\\d+)-(\\d+)-\\d+$"));
    return re;
}

std::optional<QByteArray> readFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Unbuffered))
        return std::nullopt;
    return file.readAll();
}

// One write(2) of the whole value: cgroup files take a value per write.
bool writeFile(const QString &path, const QByteArray &value, int *error = nullptr)
{
    const int fd = ::open(QFile::encodeName(path).constData(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        if (error)
            *error = errno;
        return false;
    }
    const bool ok = ::write(fd, value.constData(), size_t(value.size())) == value.size();
    if (!ok && error)
        *error = errno;
    ::close(fd);
    return ok;
}

std::optional<qint64> readNumber(const QString &path)
{
    const std::optional<QByteArray> text = readFile(path);
    if (!text)
        return std::nullopt;
    bool ok = false;
    const qint64 value = text->trimmed().toLongLong(&ok);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

// "key value" lines (cpu.stat, memory.events, pids.events, memory.oom_control).
std::optional<qint64> readKey(const QString &path, const QByteArray &key)
{
    const std::optional<QByteArray> text = readFile(path);
    if (!text)
        return std::nullopt;
    for (const QByteArray &line : text->split('\n')) {
        const QByteArrayList parts = line.simplified().split(' ');
        if (parts.size() == 2 && parts.first() == key)
            return parts.last().toLongLong();
    }
    return std::nullopt;
}

QList<qint64> readPids(const QString &dir)
{
    QList<qint64> pids;
    if (const std::optional<QByteArray> text = readFile(dir + QStringLiteral("/cgroup.procs"))) {
        for (const QByteArray &line : text->split('\n')) {
            if (!line.isEmpty())
                pids << line.toLongLong();
        }
    }
    return pids;
}

// Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. With the pid it names a
// process uniquely (a recycled pid starts later).
std::optional<qint64> startTime(const QString &procRoot, qint64 pid)
{
    const std::optional<QByteArray> stat =
        readFile(QStringLiteral("%1/%2/stat").arg(procRoot).arg(pid));
    if (!stat)
        return std::nullopt;
    const qsizetype paren = stat->lastIndexOf(')');
    const QByteArrayList fields = stat->mid(paren + 2).split(' ');
    // After "pid (comm) ": state is field 3, so start time (22) is index 19.
    if (paren < 0 || fields.size() < 20)
        return std::nullopt;
    return fields.at(19).toLongLong();
}

void pause10ms()
{
    const timespec step{0, 10 * 1000 * 1000};
    ::nanosleep(&step, nullptr);
}

// Kills every member (cgroup.kill on v2 when the kernel has it) and removes the group and any
// groups below it; waits up to ~2 s for the members to go. Only for groups this server made.
bool killAndRemoveTree(const QString &dir)
{
    const QStringList children =
        QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
    bool ok = true;
    for (const QString &child : children)
        ok = killAndRemoveTree(dir + QLatin1Char('/') + child) && ok;
    for (int attempt = 0; attempt < 200; ++attempt) {
        const QList<qint64> pids = readPids(dir);
        if (pids.isEmpty() && ::rmdir(QFile::encodeName(dir).constData()) == 0)
            return ok;
        if (pids.isEmpty() && errno == ENOENT)
            return ok;
        if (!writeFile(dir + QStringLiteral("/cgroup.kill"), "1")) {
            for (qint64 pid : pids)
                ::kill(pid_t(pid), SIGKILL);
        }
        pause10ms();
    }
    qCWarning(lcCgroup).noquote() << "cannot remove" << dir << "(processes remain)";
    return false;
}

QString versionText(Version v)
{
    return v == Version::V1 ? QStringLiteral("cgroup v1") : QStringLiteral("cgroup v2");
}

} // namespace

QByteArrayList enableForChildren(const QString &dir, const QByteArrayList &names,
                                 QString *problem)
{
    const QByteArrayList offered = readFile(dir + QStringLiteral("/cgroup.controllers"))
                                       .value_or(QByteArray())
                                       .simplified()
                                       .split(' ');
    const QByteArrayList already = readFile(dir + QStringLiteral("/cgroup.subtree_control"))
                                       .value_or(QByteArray())
                                       .simplified()
                                       .split(' ');
    const QString control = dir + QStringLiteral("/cgroup.subtree_control");
    QByteArrayList enabled;
    QStringList failed;
    bool moved = false;
    for (const QByteArray &name : names) {
        if (already.contains(name)) {
            enabled << name;
            continue;
        }
        if (!offered.contains(name))
            continue;
        int error = 0;
        if (!writeFile(control, "+" + name, &error) && error == EBUSY && !moved) {
            moved = true;
            const QString leaf = dir + QLatin1Char('/') + QLatin1String(serverLeafName);
            ::mkdir(QFile::encodeName(leaf).constData(), 0755);
            for (qint64 pid : readPids(dir))
                writeFile(leaf + QStringLiteral("/cgroup.procs"), QByteArray::number(pid));
            qCInfo(lcCgroup).noquote() << "moved this server's processes into" << leaf
                                       << "so that its jobs' groups get controllers";
            error = 0;
            writeFile(control, "+" + name, &error);
        }
        if (error == 0)
            enabled << name;
        else
            failed << QStringLiteral("%1 (%2)").arg(QString::fromLatin1(name),
                                                    QString::fromLocal8Bit(::strerror(error)));
    }
    if (!failed.isEmpty() && problem)
        *problem = QStringLiteral("cannot enable %1 in %2").arg(failed.join(u','), control);
    return enabled;
}

std::unique_ptr<CgroupHost> CgroupHost::open(const HostOptions &options)
{
    std::unique_ptr<CgroupHost> host(new CgroupHost);
    host->m_procRoot = options.procRoot;
    const Layout layout =
        parseLayout(readFile(options.procRoot + QStringLiteral("/self/mountinfo")).value_or(QByteArray()),
                    readFile(options.procRoot + QStringLiteral("/self/cgroup")).value_or(QByteArray()));
    const qint64 self = ::getpid();
    // The server's pid and start time name it uniquely on this host (removeStale() tells a live
    // server from a gone one by them); the count keeps two hosts of one process apart.
    static std::atomic<int> instances{0};
    const QString name = QStringLiteral("coderoom-%1-%2-%3")
                             .arg(self)
                             .arg(startTime(options.procRoot, self).value_or(0))
                             .arg(++instances);
    QStringList problems;
    for (Hierarchy h : layout.hierarchies) {
        if ((h.version == Version::V1 && !options.useV1) ||
            (h.version == Version::V2 && !options.useV2))
            continue;
        QList<Controller> wanted;
        for (Controller c : h.controllers) {
            if (!host->enforces(c))
                wanted << c;
        }
        if (h.version == Version::V1 && wanted.isEmpty())
            continue;
        QString ownDir = h.ownDir;
        if (h.version == Version::V2) {
            // Moved into its leaf by an earlier host of this process: the group above is ours.
            if (QFileInfo(ownDir).fileName() == QLatin1String(serverLeafName))
                ownDir = QFileInfo(ownDir).path();
            QString problem;
            enableForChildren(ownDir, {"memory", "pids", "cpu"}, &problem);
            if (!problem.isEmpty())
                problems << problem;
        }
        const QString parent = ownDir + QLatin1Char('/') + name;
        if (::mkdir(QFile::encodeName(parent).constData(), 0755) != 0 && errno != EEXIST) {
            problems << QStringLiteral("%1 %2: cannot make %3: %4")
                            .arg(versionText(h.version),
                                 h.version == Version::V1 ? toString(h.controllers.first())
                                                          : QStringLiteral("hierarchy"),
                                 parent, QString::fromLocal8Bit(::strerror(errno)));
            continue;
        }
        if (h.version == Version::V2) {
            // The controllers this group may hand to its children: those the parent enabled
            // for it (cgroup.controllers), switched on for the jobs below the server's group.
            wanted.clear();
            QByteArrayList names;
            for (Controller c : parseV2Controllers(
                     readFile(parent + QStringLiteral("/cgroup.controllers")).value_or(QByteArray()))) {
                if (!host->enforces(c))
                    names << toString(c).toLatin1();
            }
            QString problem;
            for (const QByteArray &on : enableForChildren(parent, names, &problem))
                wanted << parseV2Controllers(on);
            if (!problem.isEmpty())
                problems << problem;
            // cpu.stat and cgroup.kill are in every v2 group: a v2 group is worth having even
            // without a controller, when no v1 hierarchy measures the CPU.
            if (wanted.isEmpty() && host->enforces(Controller::CpuAccounting)) {
                ::rmdir(QFile::encodeName(parent).constData());
                continue;
            }
            if (!host->enforces(Controller::CpuAccounting))
                wanted << Controller::CpuAccounting;
        }
        host->m_parents->dirs << parent;
        for (Controller c : wanted)
            host->m_placements.append({c, h.version, parent});
    }
    host->m_problem = problems.join(QStringLiteral("; "));
    qCInfo(lcCgroup).noquote() << "cgroups:"
                               << (host->m_placements.isEmpty() ? QStringLiteral("none")
                                                                : host->describe().join(
                                                                      QStringLiteral("; ")))
                               << (problems.isEmpty() ? QString() : host->m_problem);
    return host;
}

ParentGroups::~ParentGroups()
{
    for (const QString &parent : std::as_const(dirs))
        ::rmdir(QFile::encodeName(parent).constData()); // only if no job is left in it
}

bool CgroupHost::enforces(Controller controller) const
{
    return std::any_of(m_placements.cbegin(), m_placements.cend(),
                       [controller](const Placement &p) { return p.controller == controller; });
}

QStringList CgroupHost::describe() const
{
    QStringList lines;
    for (const Placement &p : m_placements) {
        const bool v1 = p.version == Version::V1;
        QString what;
        switch (p.controller) {
        case Controller::Memory:
            what = v1 ? QStringLiteral("memory per job: cgroup v1 memory.limit_in_bytes and "
                                       "memsw (tmpfs included), peak from max_usage_in_bytes")
                      : QStringLiteral("memory per job: cgroup v2 memory.max, memory.swap.max "
                                       "0 (tmpfs included), peak from memory.peak");
            break;
        case Controller::Pids:
            what = QStringLiteral("processes per job: %1 pids.max").arg(versionText(p.version));
            break;
        case Controller::Cpu:
            what = v1 ? QStringLiteral("cpu share per job: cgroup v1 cpu.cfs_quota_us")
                      : QStringLiteral("cpu share per job: cgroup v2 cpu.max");
            break;
        case Controller::CpuAccounting:
            what = v1 ? QStringLiteral("cpu time per job: cgroup v1 cpuacct.usage")
                      : QStringLiteral("cpu time per job: cgroup v2 cpu.stat");
            break;
        }
        lines << QStringLiteral("%1 (%2)").arg(what, p.parentDir);
    }
    return lines;
}

std::unique_ptr<JobGroup> CgroupHost::createJob(const JobLimits &limits, QString *error)
{
    if (m_parents->dirs.isEmpty()) {
        if (error)
            *error = QStringLiteral("no cgroup on this host");
        return nullptr;
    }
    std::unique_ptr<JobGroup> job(new JobGroup);
    job->m_parents = m_parents;
    const QString name = QStringLiteral("job-%1").arg(++m_nextJob);
    for (const QString &parent : std::as_const(m_parents->dirs)) {
        JobGroup::Dir dir;
        dir.path = parent + QLatin1Char('/') + name;
        for (const Placement &p : std::as_const(m_placements)) {
            if (p.parentDir == parent) {
                dir.version = p.version;
                dir.controllers << p.controller;
            }
        }
        if (::mkdir(QFile::encodeName(dir.path).constData(), 0755) != 0) {
            if (error)
                *error = QStringLiteral("cannot make %1: %2")
                             .arg(dir.path, QString::fromLocal8Bit(::strerror(errno)));
            return nullptr; // ~JobGroup removes what was made
        }
        job->m_groups << dir;
        job->m_dirs << dir.path;
        const bool v1 = dir.version == Version::V1;
        QStringList failed;
        const auto set = [&](const char *file, const QByteArray &value, bool required = true) {
            if (!writeFile(dir.path + QLatin1Char('/') + QLatin1String(file), value) && required)
                failed << QLatin1String(file);
        };
        for (Controller c : std::as_const(dir.controllers)) {
            if (c == Controller::Memory && limits.memoryBytes > 0) {
                const QByteArray bytes = QByteArray::number(limits.memoryBytes);
                if (v1) {
                    set("memory.limit_in_bytes", bytes);
                    set("memory.memsw.limit_in_bytes", bytes, false); // without swap accounting
                    set("memory.swappiness", "0", false);
                } else {
                    set("memory.max", bytes);
                    set("memory.swap.max", "0", false); // no swap controller: nothing to cap
                }
            } else if (c == Controller::Pids && limits.pids > 0) {
                set("pids.max", QByteArray::number(limits.pids));
            } else if (c == Controller::Cpu && limits.cpuMilliCores > 0) {
                const qint64 period = 100000;
                const QByteArray quota = QByteArray::number(limits.cpuMilliCores * period / 1000);
                if (v1) {
                    set("cpu.cfs_period_us", QByteArray::number(period));
                    set("cpu.cfs_quota_us", quota);
                } else {
                    set("cpu.max", quota + ' ' + QByteArray::number(period));
                }
            }
        }
        if (!failed.isEmpty()) {
            if (error)
                *error = QStringLiteral("cannot set %1 in %2").arg(failed.join(u','), dir.path);
            return nullptr;
        }
        const int fd = ::open(QFile::encodeName(dir.path + QStringLiteral("/cgroup.procs")).constData(),
                              O_WRONLY | O_CLOEXEC);
        if (fd < 0) {
            if (error)
                *error = QStringLiteral("cannot open %1/cgroup.procs").arg(dir.path);
            return nullptr;
        }
        job->m_procsFds << fd;
    }
    return job;
}

int CgroupHost::removeStale()
{
    int removed = 0;
    for (const QString &parent : std::as_const(m_parents->dirs)) {
        const QString ownDir = parent.section(QLatin1Char('/'), 0, -2);
        const QStringList servers =
            QDir(ownDir).entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        for (const QString &server : servers) {
            const QRegularExpressionMatch m = serverDirName().match(server);
            if (!m.hasMatch() || ownDir + QLatin1Char('/') + server == parent)
                continue;
            const qint64 pid = m.captured(1).toLongLong();
            const std::optional<qint64> started = startTime(m_procRoot, pid);
            if (started && *started == m.captured(2).toLongLong())
                continue; // that server is alive: its jobs are its own
            const QString dir = ownDir + QLatin1Char('/') + server;
            const int jobs =
                int(QDir(dir).entryList(QDir::Dirs | QDir::NoDotAndDotDot).size());
            if (killAndRemoveTree(dir)) {
                removed += jobs;
                qCInfo(lcCgroup).noquote()
                    << "removed" << jobs << "job group(s) left by a server that is gone:" << dir;
            }
        }
    }
    return removed;
}

JobGroup::~JobGroup()
{
    for (int fd : std::as_const(m_procsFds))
        ::close(fd);
    if (!m_dirs.isEmpty() && !remove()) {
        kill();
        for (const QString &dir : std::as_const(m_dirs))
            killAndRemoveTree(dir);
    }
}

JobUsage JobGroup::usage() const
{
    JobUsage usage;
    for (const Dir &dir : m_groups) {
        const bool v1 = dir.version == Version::V1;
        const QString at = dir.path + QLatin1Char('/');
        for (Controller c : dir.controllers) {
            switch (c) {
            case Controller::Memory:
                usage.memoryPeakBytes =
                    v1 ? readNumber(at + QStringLiteral("memory.max_usage_in_bytes"))
                       : readNumber(at + QStringLiteral("memory.peak"));
                if (!v1 && !usage.memoryPeakBytes)
                    usage.memoryPeakBytes = readNumber(at + QStringLiteral("memory.current"));
                usage.oomKills = v1 ? readKey(at + QStringLiteral("memory.oom_control"), "oom_kill")
                                          .value_or(0)
                                    : readKey(at + QStringLiteral("memory.events"), "oom_kill")
                                          .value_or(0);
                break;
            case Controller::Pids:
                usage.pidsRefused = readKey(at + QStringLiteral("pids.events"), "max").value_or(0);
                break;
            case Controller::CpuAccounting:
                if (v1) {
                    if (const std::optional<qint64> ns = readNumber(at + QStringLiteral("cpuacct.usage")))
                        usage.cpuUsec = *ns / 1000;
                } else {
                    usage.cpuUsec = readKey(at + QStringLiteral("cpu.stat"), "usage_usec");
                }
                break;
            case Controller::Cpu:
                break;
            }
        }
    }
    return usage;
}

QList<qint64> JobGroup::members() const
{
    QList<qint64> pids;
    for (const QString &dir : m_dirs) {
        for (qint64 pid : readPids(dir)) {
            if (!pids.contains(pid))
                pids << pid;
        }
    }
    return pids;
}

void JobGroup::kill()
{
    for (const Dir &dir : std::as_const(m_groups)) {
        if (dir.version == Version::V2 && writeFile(dir.path + QStringLiteral("/cgroup.kill"), "1"))
            return; // the kernel kills every member, also those forking meanwhile
    }
    // v1: no cgroup.kill. A few rounds catch what forked while the first round ran.
    for (int round = 0; round < 8; ++round) {
        const QList<qint64> pids = members();
        if (pids.isEmpty())
            return;
        for (qint64 pid : pids)
            ::kill(pid_t(pid), SIGKILL);
    }
}

bool JobGroup::remove()
{
    QStringList left;
    for (const QString &dir : std::as_const(m_dirs)) {
        if (::rmdir(QFile::encodeName(dir).constData()) != 0 && errno != ENOENT)
            left << dir;
    }
    m_dirs = left;
    return left.isEmpty();
}

} // namespace coderoom::cgroup
