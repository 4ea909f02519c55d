#pragma once

#include <QByteArray>
#include <QList>

#include <optional>

#include <sys/types.h>

// Observing a job from outside through the host's /proc. A job is every process in its PID
// namespace (bwrap's init is the namespace's pid 1, so orphans and setsid-ed daemons stay in it
// and descend from it). The members are found by walking down from the init through
// /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN); kernels without it fall back to
// comparing every host process's /proc/<pid>/ns/pid link, which costs O(host processes).
namespace coderoom::sandbox {

struct JobSample
{
    QList<pid_t> pids;         // host pids in the namespace, the init included
    qint64 cpuMs = 0;          // user+system of live processes plus their reaped children
    qint64 rssKb = 0;          // sum of VmRSS now
    qint64 peakKb = 0;         // largest VmHWM of a single process
    bool readingStdin = false; // a process blocks in read() on fd 0, and fd 0 is our pipe
    // Only looked at while someone may type (a stdin pipe was given): some thread of the job is
    // running or runnable (state R), so the job computes even if another thread waits.
    bool computing = false;
};

// "pid:[4026532255]" for a namespace id as bwrap reports it.
QByteArray pidNamespaceLink(quint64 namespaceId);
QByteArray pidNamespaceOf(pid_t pid); // empty when the process is gone

QList<pid_t> processesInNamespace(const QByteArray &namespaceLink);

// root and its descendants (at most maxTreeProcesses), breadth first; std::nullopt when this
// kernel has no children files. Empty when root is gone.
inline constexpr qsizetype maxTreeProcesses = 4096;
std::optional<QList<pid_t>> processTree(pid_t root);

// The job's host pids, its init included: processTree(initPid), else the namespace scan.
QList<pid_t> jobProcesses(pid_t initPid, const QByteArray &namespaceLink);

// stdinPipe: "pipe:[inode]" of the job's stdin, empty to skip the stdin check.
JobSample sampleJob(pid_t initPid, const QByteArray &namespaceLink, const QByteArray &stdinPipe);

// The job's writable space is the tmpfs at its root. An O_PATH descriptor of
// /proc/<init>/root, opened only once it is that tmpfs (quotaBytes big; before bwrap's pivot
// the init's root is still the host's), keeps the tmpfs readable after the namespace is gone:
// the final figure is read after the job ended. -1 when it is not (yet) the job's root.
int openJobRoot(pid_t initPid, qint64 quotaBytes);
struct WritableUsage
{
    qint64 usedKb = 0;
    qint64 freeKb = 0;
};
std::optional<WritableUsage> writableUsage(int rootFd);

// The link /proc/self/fd/<fd> points to, e.g. "pipe:[123]".
QByteArray descriptorLink(int fd);

} // namespace coderoom::sandbox
