#include "seccompfilter_p.h"

#include "sandboxlog_p.h"

#include <cerrno>
#include <linux/netlink.h>
#include <seccomp.h>
#include <sys/socket.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

namespace coderoom::sandbox {

namespace {

constexpr const char *deniedCalls[] = {
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "keyctl",
    "add_key",
    "request_key",
    "bpf",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "mount",
    "umount2",
    "unshare",
    "setns",
    "pivot_root",
    "chroot",
    "perf_event_open",
    "userfaultfd",
    "kexec_load",
    "kexec_file_load",
    "init_module",
    "finit_module",
    "delete_module",
    "open_by_handle_at",
    "name_to_handle_at",
    "fsopen",
    "fsmount",
    "fsconfig",
    "fspick",
    "move_mount",
    "open_tree",
    "mount_setattr",
    "swapon",
    "swapoff",
    "reboot",
    "acct",
    "quotactl",
    "syslog",
    "lookup_dcookie",
};

// Socket families by allow-list: what the runtimes of every shipped language need (AF_UNIX for
// local IPC, AF_INET/AF_INET6 for loopback inside the empty network namespace, AF_NETLINK for
// glibc's getaddrinfo and the JVM's interface lookup). Everything else (AF_VSOCK reaches the
// hypervisor and is not network-namespaced, AF_PACKET, AF_ALG, AF_BLUETOOTH, ...) fails with
// EAFNOSUPPORT, as on a kernel built without that family. Netlink only for NETLINK_ROUTE,
// which in the empty namespace sees just its loopback (uevents and audit are not namespaced).
constexpr int allowedFamilies[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};
constexpr unsigned largestAllowedFamily = AF_NETLINK;

bool addSocketRules(scmp_filter_ctx ctx, QString *error)
{
    // libseccomp cannot say "not in this set" in one rule: refuse each family below the
    // largest allowed one that is not in the set (comparing the low 32 bits: the kernel reads
    // an int) and everything above it (compared as 64 bits, so high bits cannot hide a family).
    const auto isAllowed = [](unsigned family) {
        for (int allowed : allowedFamilies) {
            if (unsigned(allowed) == family)
                return true;
        }
        return false;
    };
    for (const int call : {SCMP_SYS(socket), SCMP_SYS(socketpair)}) {
        for (unsigned family = 0; family < largestAllowedFamily; ++family) {
            if (isAllowed(family))
                continue;
            if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), call, 1,
                                 SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, family)) != 0) {
                *error = QStringLiteral("cannot add the socket family rule for %1").arg(family);
                return false;
            }
        }
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), call, 1,
                             SCMP_A0(SCMP_CMP_GT, largestAllowedFamily)) != 0) {
            *error = QStringLiteral("cannot add the socket family rule");
            return false;
        }
    }
    // AF_NETLINK with any protocol but NETLINK_ROUTE.
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EAFNOSUPPORT), SCMP_SYS(socket), 2,
                         SCMP_A0(SCMP_CMP_MASKED_EQ, 0xffffffffULL, AF_NETLINK),
                         SCMP_A2(SCMP_CMP_NE, NETLINK_ROUTE)) != 0) {
        *error = QStringLiteral("cannot add the netlink rule");
        return false;
    }
    return true;
}

bool readAll(int fd, QByteArray *out)
{
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n == 0)
            return true;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return false;
        }
        out->append(buffer, n);
    }
}

SeccompProgram build()
{
    SeccompProgram program;
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    if (!ctx) {
        program.error = QStringLiteral("seccomp_init failed");
        return program;
    }
    bool ok = true;
    for (const char *name : deniedCalls) {
        const int nr = seccomp_syscall_resolve_name(name);
        if (nr == __NR_SCMP_ERROR)
            continue; // not on this architecture
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0) != 0) {
            ok = false;
            program.error = QStringLiteral("cannot add rule for %1").arg(QLatin1String(name));
        }
    }
    // The request argument is an int in the kernel: compare the low 32 bits only, so a
    // program cannot dodge the rule by setting high bits.
    for (const unsigned long request : {TIOCSTI, TIOCLINUX}) {
        if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(ioctl), 1,
                             SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, request)) != 0) {
            ok = false;
            program.error = QStringLiteral("cannot add the ioctl rule");
        }
    }
    if (ok && !addSocketRules(ctx, &program.error))
        ok = false;
    const int fd = ::memfd_create("coderoom-seccomp-build", MFD_CLOEXEC);
    if (ok && fd >= 0 && seccomp_export_bpf(ctx, fd) == 0 && ::lseek(fd, 0, SEEK_SET) == 0) {
        QByteArray bpf;
        if (readAll(fd, &bpf))
            program.bpf = bpf;
    }
    if (fd >= 0)
        ::close(fd);
    seccomp_release(ctx);
    if (!program.isValid() && program.error.isEmpty())
        program.error = QStringLiteral("cannot export the seccomp program");
    if (!program.isValid())
        qCWarning(lcSandbox) << "seccomp filter unavailable:" << program.error;
    return program;
}

} // namespace

const SeccompProgram &seccompProgram()
{
    static const SeccompProgram program = build();
    return program;
}

int seccompProgramFd()
{
    const SeccompProgram &program = seccompProgram();
    if (!program.isValid())
        return -1;
    const int fd = ::memfd_create("coderoom-seccomp", MFD_CLOEXEC);
    if (fd < 0)
        return -1;
    qsizetype written = 0;
    while (written < program.bpf.size()) {
        const ssize_t n = ::write(fd, program.bpf.constData() + written,
                                  static_cast<size_t>(program.bpf.size() - written));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            ::close(fd);
            return -1;
        }
        written += n;
    }
    if (::lseek(fd, 0, SEEK_SET) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

} // namespace coderoom::sandbox
