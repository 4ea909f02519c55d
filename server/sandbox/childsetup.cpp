#include "childsetup_p.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <grp.h>
#include <sys/prctl.h>
#include <unistd.h>

namespace coderoom::sandbox {

bool ChildSetup::addFd(int source, int target)
{
    if (fdCount >= MaxFds || source < 0)
        return false;
    fds[fdCount++] = {source, target};
    return true;
}

void ChildSetup::addLimit(int resource, rlim_t soft, rlim_t hard)
{
    if (limitCount < MaxLimits)
        limits[limitCount++] = {resource, soft, hard};
}

int ChildSetup::firstFreeFd() const
{
    int highest = 2;
    for (int i = 0; i < fdCount; ++i)
        highest = fds[i].target > highest ? fds[i].target : highest;
    return highest + 1;
}

void ChildSetup::apply() const noexcept
{
    // Into the job's cgroups before anything else (the files may be root's). A job that is not
    // in its groups would run unlimited there: better not at all.
    for (int i = 0; i < cgroupFdCount; ++i) {
        if (::write(cgroupFds[i], "0", 1) != 1)
            _exit(126);
    }
    // Copy every source above all targets first, so a dup2 onto a target can never clobber a
    // source that is still to be moved. dup2 clears O_CLOEXEC on the target; the copies keep
    // it and vanish below.
    const int firstFree = firstFreeFd();
    int copies[MaxFds];
    for (int i = 0; i < fdCount; ++i) {
        copies[i] = ::fcntl(fds[i].source, F_DUPFD_CLOEXEC, firstFree);
        if (copies[i] < 0)
            _exit(126);
    }
    for (int i = 0; i < fdCount; ++i) {
        if (::dup2(copies[i], fds[i].target) < 0)
            _exit(126);
    }
    // Qt 6.4's QProcess closes no inherited descriptors: without this the sandbox would see
    // every socket and file the server has open at the moment of fork.
    ::close_range(static_cast<unsigned>(firstFree), ~0U, 0);
    // ... and the gaps below it (no control channel leaves 3 and 4 free, for instance).
    for (int fd = 3; fd < firstFree; ++fd) {
        bool wanted = false;
        for (int i = 0; i < fdCount; ++i)
            wanted = wanted || fds[i].target == fd;
        if (!wanted)
            ::close(fd);
    }

    // A server may block or ignore signals (signalfd, SIGPIPE); exec keeps both.
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    for (int sig = 1; sig < NSIG; ++sig) {
        if (sig != SIGKILL && sig != SIGSTOP)
            ::signal(sig, SIG_DFL);
    }

    for (int i = 0; i < limitCount; ++i) {
        const rlimit value{limits[i].soft, limits[i].hard};
        ::setrlimit(limits[i].resource, &value);
    }

    // Before dropping privileges; inherited by bwrap, its init and every process of the job.
    if (lowerPriority)
        ::setpriority(PRIO_PROCESS, 0, priority);

    // Out of the server's session: a Ctrl+C on the server's terminal is not the job's, and the
    // job has no controlling terminal to push input into (what bwrap's --new-session is for).
    ::setsid();
    // A new session is a new scheduler autogroup (kernel.sched_autogroup_enabled, the default
    // on Debian), and autogroups share the CPU as equals whatever their processes' nice: the
    // job's priority only holds if its autogroup gets it too. Without CAP_SYS_ADMIN the kernel
    // takes at most ten such writes a second (EAGAIN otherwise); such a job keeps nice 0 there.
    if (lowerPriority) {
        const int fd = ::open("/proc/self/autogroup", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
            [[maybe_unused]] const ssize_t n =
                ::write(fd, autogroupNice, static_cast<size_t>(autogroupNiceLength));
            ::close(fd);
        }
    }

    if (dropPrivileges) {
        if (::setgroups(0, nullptr) != 0 || ::setgid(gid) != 0 || ::setuid(uid) != 0)
            _exit(126);
        if (::getuid() == 0 || ::geteuid() == 0)
            _exit(126);
    }
    // After setuid: changing credentials clears the parent-death signal.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
}

} // namespace coderoom::sandbox
