#include "bwrapcommand_p.h"

#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace coderoom::sandbox {

namespace {

QString bytes(qint64 megabytes)
{
    return QString::number(std::max<qint64>(megabytes, 1) * 1024 * 1024);
}

bool isSafeRelativePath(const QString &name)
{
    // Conservative on purpose: names come from students; anything outside this set is refused
    // rather than escaped.
    static const QRegularExpression allowed(QStringLiteral("^[A-Za-z0-9._+@-]+$"));
    if (name.isEmpty() || name.size() > 255 || name.startsWith(QLatin1Char('/')))
        return false;
    const QStringList parts = name.split(QLatin1Char('/'));
    return std::all_of(parts.cbegin(), parts.cend(), [](const QString &part) {
        return !part.isEmpty() && part != QLatin1String(".") && part != QLatin1String("..") &&
               allowed.match(part).hasMatch();
    });
}

bool isAbsoluteClean(const QString &path)
{
    return path.startsWith(QLatin1Char('/')) && QFileInfo(path).isAbsolute() &&
           !path.contains(QLatin1String("/../")) && !path.endsWith(QLatin1String("/..")) &&
           !path.contains(QChar(0));
}

} // namespace

QString validateSpec(const Spec &spec)
{
    if (spec.command.isEmpty() || !spec.command.first().startsWith(QLatin1Char('/')))
        return QStringLiteral("the command must start with an absolute path");
    for (const QString &arg : spec.command) {
        if (arg.contains(QChar(0)))
            return QStringLiteral("a command argument contains a NUL character");
    }
    if (spec.files.size() > maxInputFiles)
        return QStringLiteral("too many input files (at most %1)").arg(maxInputFiles);
    for (const InputFile &file : spec.files) {
        if (!isSafeRelativePath(file.name))
            return QStringLiteral("unacceptable file name: %1").arg(file.name);
    }
    static const QRegularExpression envName(QStringLiteral("^[A-Za-z_][A-Za-z0-9_]*$"));
    for (const QString &entry : spec.environment) {
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        if (eq <= 0 || !envName.match(entry.left(eq)).hasMatch() || entry.contains(QChar(0)))
            return QStringLiteral("malformed environment entry: %1").arg(entry);
    }
    for (const Bind &bind : spec.binds) {
        if (!isAbsoluteClean(bind.source) ||
            (!bind.target.isEmpty() && !isAbsoluteClean(bind.target)))
            return QStringLiteral("bind paths must be absolute: %1").arg(bind.source);
    }
    return {};
}

QStringList bwrapArguments(const Spec &spec, const BwrapFds &fds)
{
    const Limits &limits = spec.limits;
    QStringList args;
    // Namespaces: everything, including a user namespace so --disable-userns can stop nested
    // ones; the network namespace has only a down loopback.
    args << QStringLiteral("--unshare-all") << QStringLiteral("--unshare-user")
         << QStringLiteral("--disable-userns") << QStringLiteral("--uid") << QStringLiteral("65534")
         << QStringLiteral("--gid") << QStringLiteral("65534")
         << QStringLiteral("--die-with-parent")
         // No --new-session: the child already called setsid() (childsetup.cpp), which leaves
         // the controlling terminal; a second session would be a fresh scheduler autogroup at
         // nice 0 and undo the job's lower CPU priority. TIOCSTI is refused by seccomp too.
         << QStringLiteral("--cap-drop") << QStringLiteral("ALL") << QStringLiteral("--hostname")
         << QStringLiteral("sandbox");

    // Filesystem: the root is one size-limited tmpfs, the job's whole writable space (/work,
    // /tmp, /var/tmp, /dev/shm and whatever it creates count against one quota); on it a
    // read-only /usr and the merged-/usr symlinks, a handful of /etc files, a fresh /proc and
    // a /dev made by hand.
    args << QStringLiteral("--size") << bytes(writableMbOf(limits)) << QStringLiteral("--tmpfs")
         << QStringLiteral("/");
    args << QStringLiteral("--ro-bind") << QStringLiteral("/usr") << QStringLiteral("/usr");
    for (const char *dir : {"bin", "lib", "lib64", "sbin"}) {
        const QString name = QLatin1String(dir);
        args << QStringLiteral("--symlink") << QStringLiteral("usr/") + name
             << QStringLiteral("/") + name;
    }
    for (const char *etc :
         {"/etc/alternatives", "/etc/java-17-openjdk", "/etc/ld.so.cache", "/etc/localtime"}) {
        const QString path = QLatin1String(etc);
        args << QStringLiteral("--ro-bind-try") << path << path;
    }
    if (fds.passwd >= 0)
        args << QStringLiteral("--ro-bind-data") << QString::number(fds.passwd)
             << QStringLiteral("/etc/passwd");
    if (fds.group >= 0)
        args << QStringLiteral("--ro-bind-data") << QString::number(fds.group)
             << QStringLiteral("/etc/group");
    args << QStringLiteral("--proc") << QStringLiteral("/proc");
    // Not bwrap's --dev: that is a tmpfs of its own without a size, and its /dev/shm would be
    // a second writable space outside the quota. The same nodes (bound from the host's /dev),
    // the same links, /dev/shm on the root tmpfs. No /dev/pts: no pseudo-terminals.
    args << QStringLiteral("--dir") << QStringLiteral("/dev");
    for (const char *node : {"null", "zero", "full", "random", "urandom", "tty"}) {
        const QString path = QStringLiteral("/dev/") + QLatin1String(node);
        args << QStringLiteral("--dev-bind-try") << path << path;
    }
    const std::pair<const char *, const char *> links[] = {{"/proc/self/fd", "/dev/fd"},
                                                           {"/proc/self/fd/0", "/dev/stdin"},
                                                           {"/proc/self/fd/1", "/dev/stdout"},
                                                           {"/proc/self/fd/2", "/dev/stderr"}};
    for (const auto &[target, link] : links)
        args << QStringLiteral("--symlink") << QLatin1String(target) << QLatin1String(link);
    // Sticky and world-writable like a host's /tmp; /var and /work belong to the job's user.
    const std::pair<const char *, const char *> dirs[] = {
        {"/dev/shm", "01777"}, {"/tmp", "01777"}, {"/var", "0755"},
        {"/var/tmp", "01777"}, {"/work", "0755"}};
    for (const auto &[dir, mode] : dirs)
        args << QStringLiteral("--perms") << QLatin1String(mode) << QStringLiteral("--dir")
             << QLatin1String(dir);

    for (const Bind &bind : spec.binds) {
        args << (bind.writable ? QStringLiteral("--bind") : QStringLiteral("--ro-bind"))
             << bind.source << (bind.target.isEmpty() ? bind.source : bind.target);
    }

    // Input files arrive through descriptors: bwrap copies them into the fresh tmpfs, so the
    // server never opens a path inside /work that a program could have replaced by a symlink.
    QStringList madeDirs;
    for (qsizetype i = 0; i < spec.files.size() && i < fds.files.size(); ++i) {
        const InputFile &file = spec.files.at(i);
        const QStringList parts = file.name.split(QLatin1Char('/'));
        QString dir = QStringLiteral("/work");
        for (qsizetype p = 0; p + 1 < parts.size(); ++p) {
            dir += QLatin1Char('/') + parts.at(p);
            if (!madeDirs.contains(dir)) {
                args << QStringLiteral("--dir") << dir;
                madeDirs << dir;
            }
        }
        args << QStringLiteral("--perms")
             << (file.executable ? QStringLiteral("0755") : QStringLiteral("0644"))
             << QStringLiteral("--file") << QString::number(fds.files.at(i))
             << QStringLiteral("/work/") + file.name;
    }
    args << QStringLiteral("--chdir") << QStringLiteral("/work");

    // Environment: nothing from the server, a fixed allow-list plus what the spec asks for.
    args << QStringLiteral("--clearenv");
    const auto setenv = [&args](const QString &name, const QString &value) {
        args << QStringLiteral("--setenv") << name << value;
    };
    setenv(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    setenv(QStringLiteral("HOME"), QStringLiteral("/work"));
    setenv(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    setenv(QStringLiteral("TMPDIR"), QStringLiteral("/tmp"));
    for (const QString &entry : spec.environment) {
        const qsizetype eq = entry.indexOf(QLatin1Char('='));
        setenv(entry.left(eq), entry.mid(eq + 1));
    }

    if (fds.seccomp >= 0)
        args << QStringLiteral("--seccomp") << QString::number(fds.seccomp);
    if (fds.jsonStatus >= 0)
        args << QStringLiteral("--json-status-fd") << QString::number(fds.jsonStatus);

    // RLIMIT_NPROC is counted per (user namespace, uid) on every level up to the host; all jobs
    // share the host uid, so a limit set on bwrap would let one job's fork bomb starve the
    // others. bwrap therefore starts unlimited (its user namespace inherits "unlimited" as the
    // host-level cap) and prlimit sets the per-job limit inside the job's own namespace.
    int processes = std::max(limits.processes, 2) + 1; // + bwrap's init
    if (fds.cgroupPids)
        processes = processes * 2 + 8;
    args << QStringLiteral("--") << QLatin1String(prlimitPath)
         << QStringLiteral("--nproc=%1:%1").arg(processes) << QStringLiteral("--");
    args << spec.command;
    return args;
}

QByteArray sandboxPasswd()
{
    return QByteArrayLiteral("root:x:0:0:root:/work:/bin/sh\n"
                             "sandbox:x:65534:65534:sandbox:/work:/bin/sh\n");
}

QByteArray sandboxGroup()
{
    return QByteArrayLiteral("root:x:0:\nsandbox:x:65534:\n");
}

} // namespace coderoom::sandbox
