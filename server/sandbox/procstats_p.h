#pragma once

#include <QByteArray>
#include <QList>

#include <sys/types.h>

// Observing a job from outside through the host's /proc. A job is every process in its PID
// namespace (bwrap's init is the namespace's pid 1, so orphans and setsid-ed daemons stay in it).
// This kernel has no /proc/<pid>/task/<tid>/children, so the namespace is found by comparing
// /proc/<pid>/ns/pid links; reading them needs the server to be root or the job's uid.
namespace coderoom::sandbox {

struct JobSample
{
    QList<pid_t> pids;         // host pids in the namespace, the init included
    qint64 cpuMs = 0;          // user+system of live processes plus their reaped children
    qint64 rssKb = 0;          // sum of VmRSS now
    qint64 peakKb = 0;         // largest VmHWM of a single process
    bool readingStdin = false; // a process blocks in read() on fd 0, and fd 0 is our pipe
};

// "pid:[4026532255]" for a namespace id as bwrap reports it.
QByteArray pidNamespaceLink(quint64 namespaceId);
QByteArray pidNamespaceOf(pid_t pid); // empty when the process is gone

QList<pid_t> processesInNamespace(const QByteArray &namespaceLink);

// stdinPipe: "pipe:[inode]" of the job's stdin, empty to skip the stdin check.
JobSample sampleJob(const QByteArray &namespaceLink, const QByteArray &stdinPipe);

// The link /proc/self/fd/<fd> points to, e.g. "pipe:[123]".
QByteArray descriptorLink(int fd);

} // namespace coderoom::sandbox
