#pragma once

#include "cgrouplayout.h"

#include <QList>
#include <QString>
#include <QStringList>

#include <memory>
#include <optional>

// A cgroup per sandboxed job, below the server's own cgroup and nowhere else. On cgroup v2 the
// server's group must be delegated to it (systemd Delegate=yes); on v1 each controller's
// hierarchy must be writable there; a controller the host does not give stays unenforced and
// the sandbox's rlimits remain the limit. Qt Core and Linux only; nothing of the sandbox.
//
//   CgroupHost (one per server): finds the hierarchies, makes the server's parent group
//     "coderoom-<pid>-<start time>-<n>" in each, removes groups a killed server left behind.
//   JobGroup (one per job): a group in each hierarchy with the job's limits; the forked child
//     joins them by writing "0" to procsFds() before it execs; usage() after the job; removed
//     when destroyed.
namespace coderoom::cgroup {

struct JobLimits
{
    qint64 memoryBytes = 0;   // memory.max / memory.limit_in_bytes, swap none; 0: not limited
    qint64 pids = 0;          // pids.max; 0: not limited
    qint64 cpuMilliCores = 0; // cpu.max / cfs quota: 500 = half a core; 0: not limited
};

struct JobUsage
{
    std::optional<qint64> memoryPeakBytes; // memory.peak / max_usage_in_bytes (tmpfs included)
    std::optional<qint64> cpuUsec;         // cpu.stat usage_usec / cpuacct.usage
    qint64 oomKills = 0;                   // processes the kernel killed at the memory limit
    qint64 pidsRefused = 0;                // forks refused at pids.max
};

struct Placement
{
    Controller controller = Controller::Memory;
    Version version = Version::V2;
    QString parentDir; // the server's parent group; jobs are made below it
};

struct HostOptions
{
    QString procRoot = QStringLiteral("/proc");
    bool useV1 = true;
    bool useV2 = true;
};

class JobGroup;

// cgroup v2: switches the controllers `names` on for the children of `dir` (its
// cgroup.subtree_control), those that `dir` is offered. A group that holds processes cannot
// (the "no internal processes" rule: systemd's Delegate=yes hands over the unit's group with
// coderoomd in it): its processes are moved into the leaf `dir/coderoomd-server` first.
// Returns the names that are on; *problem says why the others are not.
inline constexpr const char *serverLeafName = "coderoomd-server";
QByteArrayList enableForChildren(const QString &dir, const QByteArrayList &names,
                                 QString *problem);

// The server's parent groups, removed when the host and the last of its jobs are gone (a job
// may outlive the host during shutdown).
struct ParentGroups
{
    QStringList dirs;
    ~ParentGroups();
};

class CgroupHost
{
public:
    // Never fails: a host without usable cgroups gives a host that enforces nothing.
    static std::unique_ptr<CgroupHost> open(const HostOptions &options = {});
    ~CgroupHost() = default; // the parent groups go with the last job (ParentGroups)

    bool enforces(Controller controller) const;
    QList<Placement> placements() const { return m_placements; }
    // One line per limit, saying which mechanism enforces it ("memory per job: cgroup v1
    // memory.limit_in_bytes (/sys/fs/cgroup/memory/...)"), for /ready and --check-config.
    QStringList describe() const;
    QString problem() const { return m_problem; } // why a hierarchy could not be used

    // nullptr + *error when a group could not be made (the job then runs on rlimits alone).
    std::unique_ptr<JobGroup> createJob(const JobLimits &limits, QString *error);

    // Groups of servers that are gone (killed mid-job): their processes are killed and the
    // groups removed. Returns the number of job groups removed.
    int removeStale();

private:
    CgroupHost() = default;
    QList<Placement> m_placements;
    std::shared_ptr<ParentGroups> m_parents = std::make_shared<ParentGroups>(); // one per hierarchy
    QString m_problem;
    QString m_procRoot; // where removeStale() tells a live server from a gone one
    quint64 m_nextJob = 0;
};

class JobGroup
{
public:
    ~JobGroup(); // kill() and remove()
    JobGroup(const JobGroup &) = delete;
    JobGroup &operator=(const JobGroup &) = delete;

    // Open O_WRONLY|O_CLOEXEC: the child writes "0" to each (async-signal-safe) and with that
    // it and everything it starts belong to the job.
    QList<int> procsFds() const { return m_procsFds; }
    QStringList dirs() const { return m_dirs; }
    JobUsage usage() const;
    QList<qint64> members() const; // pids in the job's groups
    void kill();                   // cgroup.kill where there is one, else SIGKILL each member
    bool remove();                 // rmdir every group (only empty ones can go)

private:
    friend class CgroupHost;
    JobGroup() = default;
    struct Dir
    {
        Version version;
        QList<Controller> controllers;
        QString path;
    };
    QList<Dir> m_groups;
    QStringList m_dirs;
    std::shared_ptr<ParentGroups> m_parents;
    QList<int> m_procsFds;
};

} // namespace coderoom::cgroup
