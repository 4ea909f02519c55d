#pragma once

#include <QList>
#include <QtGlobal>

// What /proc says about a process: resident memory, CPU time, proportional memory, children.
// Values are read fresh on every call; a process that is gone reads as 0 / empty.
namespace coderoom::bench {

struct CpuTimes
{
    double selfSeconds = 0.0;     // utime + stime of the process itself
    double childrenSeconds = 0.0; // cutime + cstime: children it has reaped (sandboxes)
};

qint64 rssKb(qint64 pid); // VmRSS from /proc/PID/status
qint64 hwmKb(qint64 pid); // VmHWM: the peak resident set
qint64 pssKb(qint64 pid); // Pss from /proc/PID/smaps_rollup
CpuTimes cpuTimes(qint64 pid);
QList<qint64> descendants(qint64 pid); // the whole tree below pid, not pid itself
// Descendants whose /proc/PID/comm starts with name ("python3" matches python3.11: the
// interpreters, not bwrap).
QList<qint64> descendantsNamed(qint64 pid, const QByteArray &name);

} // namespace coderoom::bench
