#pragma once

#include <sys/resource.h>
#include <sys/types.h>

// What the forked child does between fork and exec of bwrap. QProcess runs apply() in the child
// (setChildProcessModifier): it must be async-signal-safe (no allocation, no locks, no Qt) and
// cannot report failure, so everything is precomputed into fixed-size arrays before start() and
// the effects are verified from outside by the tests.
namespace coderoom::sandbox {

struct ChildSetup
{
    static constexpr int MaxFds = 64;
    static constexpr int MaxLimits = 8;
    static constexpr int MaxCgroups = 8;

    struct FdMove
    {
        int source = -1; // descriptor in the server (O_CLOEXEC)
        int target = -1; // number it gets in bwrap (0 for stdin, 3/4 control, 5.. for bwrap)
    };
    struct Limit
    {
        int resource = 0;
        rlim_t soft = 0;
        rlim_t hard = 0; // the program cannot raise it again
    };

    FdMove fds[MaxFds];
    int fdCount = 0;
    Limit limits[MaxLimits];
    int limitCount = 0;
    bool lowerPriority = false; // setpriority(priority) before exec
    int priority = 0;           // absolute nice value (the server's plus the job's niceness)
    // The same as text for /proc/self/autogroup (see apply()).
    char autogroupNice[8] = {};
    int autogroupNiceLength = 0;
    // The job's cgroup.procs files (one per hierarchy): "0" is written to each first, so bwrap
    // and everything it starts belong to the job's groups.
    int cgroupFds[MaxCgroups] = {};
    int cgroupFdCount = 0;
    bool dropPrivileges = false; // running as root: become uid/gid before exec
    uid_t uid = 65534;
    gid_t gid = 65534;

    bool addFd(int source, int target);
    void addLimit(int resource, rlim_t soft, rlim_t hard);
    void addLimit(int resource, rlim_t value) { addLimit(resource, value, value); }
    int firstFreeFd() const; // one above the highest target

    // In the child only. Moves descriptors into place (everything else >= 3 closed), resets
    // signal state, sets rlimits and the CPU priority, leaves the session, drops privileges, asks
    // for SIGKILL when the server dies.
    void apply() const noexcept;
};

} // namespace coderoom::sandbox
