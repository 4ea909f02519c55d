#pragma once

#include <QByteArray>
#include <QString>

// The seccomp filter every job runs under: default allow, EPERM for the calls a student program
// never needs and that widen the kernel attack surface (ptrace, keyrings, bpf, io_uring, mount
// and namespace calls, perf, userfaultfd, kexec, modules) and for the terminal-injection ioctls;
// sockets by allow-list of families (AF_UNIX, AF_INET, AF_INET6, AF_NETLINK/NETLINK_ROUTE), any
// other family EAFNOSUPPORT.
namespace coderoom::sandbox {

struct SeccompProgram
{
    QByteArray bpf; // raw struct sock_filter array, as bwrap --seccomp reads it
    QString error;  // why it could not be built (libseccomp missing a call, ...)
    bool isValid() const { return !bpf.isEmpty(); }
};

// Built once, then cached (thread-safe).
const SeccompProgram &seccompProgram();

// A memfd holding the program, positioned at 0, O_CLOEXEC. -1 on failure.
int seccompProgramFd();

} // namespace coderoom::sandbox
