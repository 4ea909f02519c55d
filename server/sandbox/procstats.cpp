#include "procstats_p.h"

#include <QByteArrayList>
#include <QSet>

#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

namespace coderoom::sandbox {

namespace {

#if defined(__x86_64__)
constexpr const char *readOnStdin[] = {"0 0x0 ", "19 0x0 "}; // read, readv
#elif defined(__aarch64__)
constexpr const char *readOnStdin[] = {"63 0x0 ", "65 0x0 "};
#else
#error "add the read/readv syscall numbers of this architecture"
#endif

QByteArray readLink(const QByteArray &path)
{
    char buffer[256];
    const ssize_t n = ::readlink(path.constData(), buffer, sizeof buffer);
    return n > 0 ? QByteArray(buffer, n) : QByteArray();
}

// Small /proc files only; /proc reads are atomic per read() for these.
QByteArray readSmallFile(const QByteArray &path)
{
    const int fd = ::open(path.constData(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return {};
    char buffer[4096];
    ssize_t n;
    do {
        n = ::read(fd, buffer, sizeof buffer);
    } while (n < 0 && errno == EINTR);
    ::close(fd);
    return n > 0 ? QByteArray(buffer, n) : QByteArray();
}

qint64 statusFieldKb(const QByteArray &status, const char *field)
{
    const qsizetype at = status.indexOf(field);
    if (at < 0)
        return 0;
    const qsizetype end = status.indexOf('\n', at);
    const QByteArray line = status.mid(at, end < 0 ? -1 : end - at);
    const QByteArrayList parts = line.simplified().split(' ');
    return parts.size() >= 2 ? parts.at(1).toLongLong() : 0;
}

// A process's state letter from its stat text ("R", "S", "D", ...); 0 when unreadable.
char stateOf(const QByteArray &stat)
{
    const qsizetype close = stat.lastIndexOf(')');
    return close >= 0 && close + 2 < stat.size() ? stat.at(close + 2) : 0;
}

// The threads of a threaded process: whether one blocks reading stdin, whether one runs.
template<typename Predicate>
void scanThreads(const QByteArray &base, Predicate readsStdin, bool *reading, bool *running)
{
    const QByteArray tasks = base + "/task";
    DIR *dir = ::opendir(tasks.constData());
    if (!dir)
        return;
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9')
            continue;
        const QByteArray task = tasks + '/' + entry->d_name;
        if (!*reading && readsStdin(readSmallFile(task + "/syscall")))
            *reading = true;
        if (!*running && stateOf(readSmallFile(task + "/stat")) == 'R')
            *running = true;
        if (*reading && *running)
            break;
    }
    ::closedir(dir);
}

} // namespace

QByteArray pidNamespaceLink(quint64 namespaceId)
{
    return "pid:[" + QByteArray::number(namespaceId) + ']';
}

QByteArray pidNamespaceOf(pid_t pid)
{
    return readLink(("/proc/" + QByteArray::number(pid) + "/ns/pid"));
}

QByteArray descriptorLink(int fd)
{
    return readLink(("/proc/self/fd/" + QByteArray::number(fd)));
}

QList<pid_t> processesInNamespace(const QByteArray &namespaceLink)
{
    QList<pid_t> pids;
    if (namespaceLink.isEmpty())
        return pids;
    DIR *dir = ::opendir("/proc");
    if (!dir)
        return pids;
    char path[300]; // d_name is up to 255 bytes
    char link[64];
    while (const dirent *entry = ::readdir(dir)) {
        if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
            continue;
        ::snprintf(path, sizeof path, "/proc/%s/ns/pid", entry->d_name);
        const ssize_t n = ::readlink(path, link, sizeof link);
        if (n == namespaceLink.size() && ::memcmp(link, namespaceLink.constData(), n) == 0)
            pids << static_cast<pid_t>(::atoi(entry->d_name));
    }
    ::closedir(dir);
    return pids;
}

std::optional<QList<pid_t>> processTree(pid_t root)
{
    QList<pid_t> pids;
    if (root <= 0)
        return pids;
    QSet<pid_t> seen;
    pids << root;
    seen.insert(root);
    char path[96];
    for (qsizetype next = 0; next < pids.size() && pids.size() < maxTreeProcesses; ++next) {
        const pid_t pid = pids.at(next);
        ::snprintf(path, sizeof path, "/proc/%d/task", pid);
        DIR *tasks = ::opendir(path);
        if (!tasks && pid == root)
            return QList<pid_t>(); // the whole job is gone
        if (!tasks)
            continue; // gone between the parent's list and now
        bool sawChildrenFile = false;
        while (const dirent *task = ::readdir(tasks)) {
            if (task->d_name[0] < '1' || task->d_name[0] > '9')
                continue;
            ::snprintf(path, sizeof path, "/proc/%d/task/%.20s/children", pid, task->d_name);
            const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
            if (fd < 0)
                continue;
            sawChildrenFile = true;
            QByteArray list;
            char buffer[4096];
            ssize_t n;
            while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
                if (n > 0)
                    list.append(buffer, n);
            }
            ::close(fd);
            for (const QByteArray &word : list.split(' ')) {
                const pid_t child = static_cast<pid_t>(word.trimmed().toInt());
                if (child > 0 && !seen.contains(child)) {
                    seen.insert(child);
                    pids << child;
                }
            }
        }
        ::closedir(tasks);
        if (pid == root && !sawChildrenFile) {
            // The root's task directory is there but it has no children file: a kernel
            // without CONFIG_PROC_CHILDREN (or a race with the root's exit; the caller's
            // fallback handles both).
            return std::nullopt;
        }
    }
    return pids;
}

QList<pid_t> jobProcesses(pid_t initPid, const QByteArray &namespaceLink)
{
    // Walking down from the init costs O(job's processes); the namespace scan costs
    // O(host's processes) and, with hundreds of live sandboxes each polled, was most of the
    // server's CPU. Everything in the namespace descends from its init: orphans are
    // reparented to it.
    static const bool treeWorks = [] {
        char path[64];
        ::snprintf(path, sizeof path, "/proc/self/task/%d/children", ::getpid());
        return ::access(path, R_OK) == 0;
    }();
    if (treeWorks && initPid > 0) {
        if (std::optional<QList<pid_t>> tree = processTree(initPid))
            return *tree;
    }
    return processesInNamespace(namespaceLink);
}

JobSample sampleJob(pid_t initPid, const QByteArray &namespaceLink, const QByteArray &stdinPipe)
{
    static const long ticks = ::sysconf(_SC_CLK_TCK);
    JobSample sample;
    sample.pids = jobProcesses(initPid, namespaceLink);
    qint64 totalTicks = 0;
    for (const pid_t pid : std::as_const(sample.pids)) {
        const QByteArray base = "/proc/" + QByteArray::number(pid);
        const QByteArray stat = readSmallFile((base + "/stat"));
        // Fields after the command name (which may contain spaces and parentheses): state is
        // field 3, utime 14, stime 15, cutime 16, cstime 17.
        const qsizetype close = stat.lastIndexOf(')');
        if (close >= 0) {
            const QByteArrayList fields = stat.mid(close + 2).split(' ');
            if (fields.size() > 14) {
                for (int i = 11; i <= 14; ++i)
                    totalTicks += fields.at(i).toLongLong();
            }
        }
        const QByteArray status = readSmallFile((base + "/status"));
        sample.rssKb += statusFieldKb(status, "VmRSS:");
        sample.peakKb = std::max(sample.peakKb, statusFieldKb(status, "VmHWM:"));

        if (!stdinPipe.isEmpty()) {
            // "0 0x0 ..." = read(0, ...) on x86-64. Anything else (running, a
            // sleep, a poll) is not "waiting for input" as far as we can tell.
            const auto readsStdin = [](const QByteArray &syscall) {
                return syscall.startsWith(readOnStdin[0]) || syscall.startsWith(readOnStdin[1]);
            };
            bool reading = readsStdin(readSmallFile((base + "/syscall")));
            bool running = stateOf(stat) == 'R';
            // The JVM runs main() on a thread of its own, not on the process's first one: look
            // at the other threads too (only while someone may type, only in threaded ones).
            if (statusFieldKb(status, "Threads:") > 1)
                scanThreads(base, readsStdin, &reading, &running);
            if (reading && !sample.readingStdin)
                sample.readingStdin = readLink((base + "/fd/0")) == stdinPipe;
            sample.computing = sample.computing || running;
        }
    }
    sample.cpuMs = ticks > 0 ? totalTicks * 1000 / ticks : 0;
    return sample;
}

int openJobRoot(pid_t initPid, qint64 quotaBytes)
{
    const QByteArray path = "/proc/" + QByteArray::number(initPid) + "/root";
    const int fd = ::open(path.constData(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct statfs fs
    {};
    if (::fstatfs(fd, &fs) != 0 || fs.f_type != TMPFS_MAGIC ||
        qint64(fs.f_blocks) * qint64(fs.f_bsize) != quotaBytes) {
        ::close(fd);
        return -1;
    }
    return fd;
}

std::optional<WritableUsage> writableUsage(int rootFd)
{
    struct statfs fs
    {};
    if (rootFd < 0 || ::fstatfs(rootFd, &fs) != 0)
        return std::nullopt;
    const qint64 block = qint64(fs.f_bsize);
    return WritableUsage{qint64(fs.f_blocks - fs.f_bfree) * block / 1024,
                         qint64(fs.f_bfree) * block / 1024};
}

} // namespace coderoom::sandbox
