#pragma once

#include "sandboxtypes.h"

#include <QList>
#include <QString>
#include <QStringList>

// Turns a Spec into bubblewrap's argument list. Pure: no descriptors are opened here; the caller
// says which descriptor numbers bwrap will find its inputs on.
namespace coderoom::sandbox {

inline constexpr auto bwrapPath = "/usr/bin/bwrap";
inline constexpr auto prlimitPath = "/usr/bin/prlimit";
inline constexpr int controlReadFd = 3;  // the driver reads commands here
inline constexpr int controlWriteFd = 4; // the driver writes replies here
inline constexpr int firstBwrapFd = 5;   // bwrap's own inputs start here (closed before exec)
inline constexpr int maxInputFiles = 48;

// Descriptor numbers as bwrap sees them (after ChildSetup moved them), -1 = not passed.
struct BwrapFds
{
    int seccomp = -1;
    int jsonStatus = -1;
    int passwd = -1;
    int group = -1;
    QList<int> files; // same order as Spec::files
    // The job's cgroup holds its process count (pids.max): RLIMIT_NPROC is then only a
    // backstop above it, so the fork that fails is refused by the cgroup and counted there.
    bool cgroupPids = false;
};

// Empty when the spec can be run; otherwise why not (bad file name, relative command, ...).
QString validateSpec(const Spec &spec);

QStringList bwrapArguments(const Spec &spec, const BwrapFds &fds);

// The contents synthesized for /etc/passwd and /etc/group inside the sandbox.
QByteArray sandboxPasswd();
QByteArray sandboxGroup();

} // namespace coderoom::sandbox
