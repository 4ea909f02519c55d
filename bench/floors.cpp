#include "floors.h"

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QProcess>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

namespace coderoom::bench {

namespace {

// A child started with posix_spawn: stdin and stdout are pipes we hold.
struct Child
{
    pid_t pid = -1;
    int in = -1;  // our end of its stdin
    int out = -1; // our end of its stdout
};

bool spawnChild(const QStringList &argv, Child *child, QString *error)
{
    int inPipe[2];
    int outPipe[2];
    if (::pipe2(inPipe, O_CLOEXEC) != 0 || ::pipe2(outPipe, O_CLOEXEC) != 0) {
        *error = QStringLiteral("pipe failed");
        return false;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0);
    posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
    QList<QByteArray> storage;
    std::vector<char *> args;
    for (const QString &a : argv)
        storage.append(a.toLocal8Bit());
    for (QByteArray &a : storage)
        args.push_back(a.data());
    args.push_back(nullptr);
    const int rc =
        ::posix_spawn(&child->pid, args.front(), &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(inPipe[0]);
    ::close(outPipe[1]);
    if (rc != 0) {
        ::close(inPipe[1]);
        ::close(outPipe[0]);
        *error = QStringLiteral("cannot spawn %1").arg(argv.value(0));
        return false;
    }
    child->in = inPipe[1];
    child->out = outPipe[0];
    return true;
}

// Reads until EOF; returns what came.
QByteArray drain(int fd)
{
    QByteArray all;
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0)
            all.append(buf, n);
        else if (n == 0 || errno != EINTR)
            break;
    }
    return all;
}

QByteArray readLine(int fd)
{
    QByteArray line;
    char c = 0;
    while (::read(fd, &c, 1) == 1 && c != '\n')
        line.append(c);
    return line;
}

bool finish(Child &child)
{
    if (child.in >= 0)
        ::close(child.in);
    drain(child.out);
    ::close(child.out);
    int status = 0;
    ::waitpid(child.pid, &status, 0);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool writeAll(int fd, const QByteArray &data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.constData() + done, size_t(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

} // namespace

QStringList sandboxArguments(const QStringList &command)
{
    QStringList a{QStringLiteral("/usr/bin/bwrap"),
                  QStringLiteral("--unshare-all"),
                  QStringLiteral("--unshare-user"),
                  QStringLiteral("--disable-userns"),
                  QStringLiteral("--uid"),
                  QStringLiteral("65534"),
                  QStringLiteral("--gid"),
                  QStringLiteral("65534"),
                  QStringLiteral("--die-with-parent"),
                  QStringLiteral("--new-session"),
                  QStringLiteral("--cap-drop"),
                  QStringLiteral("ALL"),
                  QStringLiteral("--hostname"),
                  QStringLiteral("sandbox"),
                  QStringLiteral("--ro-bind"),
                  QStringLiteral("/usr"),
                  QStringLiteral("/usr")};
    for (const char *dir : {"bin", "lib", "lib64", "sbin"}) {
        a << QStringLiteral("--symlink") << QStringLiteral("usr/") + QLatin1String(dir)
          << QStringLiteral("/") + QLatin1String(dir);
    }
    for (const char *etc :
         {"/etc/alternatives", "/etc/java-17-openjdk", "/etc/ld.so.cache", "/etc/localtime"}) {
        a << QStringLiteral("--ro-bind-try") << QLatin1String(etc) << QLatin1String(etc);
    }
    a << QStringLiteral("--proc") << QStringLiteral("/proc") << QStringLiteral("--dev")
      << QStringLiteral("/dev") << QStringLiteral("--size") << QStringLiteral("67108864")
      << QStringLiteral("--tmpfs") << QStringLiteral("/tmp") << QStringLiteral("--size")
      << QStringLiteral("67108864") << QStringLiteral("--tmpfs") << QStringLiteral("/work")
      << QStringLiteral("--chdir") << QStringLiteral("/work") << QStringLiteral("--clearenv")
      << QStringLiteral("--setenv") << QStringLiteral("PATH") << QStringLiteral("/usr/bin:/bin")
      << QStringLiteral("--setenv") << QStringLiteral("HOME") << QStringLiteral("/work")
      << QStringLiteral("--setenv") << QStringLiteral("LANG") << QStringLiteral("C.UTF-8")
      << QStringLiteral("--") << QStringLiteral("/usr/bin/prlimit")
      << QStringLiteral("--nproc=65:65") << QStringLiteral("--");
    return a + command;
}

Samples pipeDriverRoundTrips(const QString &python, const QString &driver, int iterations,
                             int warmup, QString *error)
{
    Samples samples;
    int control[2]; // server -> driver (its fd 3)
    int replies[2]; // driver -> server (its fd 4)
    if (::pipe2(control, O_CLOEXEC) != 0 || ::pipe2(replies, O_CLOEXEC) != 0) {
        *error = QStringLiteral("pipe failed");
        return samples;
    }
    QProcess process;
    process.setProgram(python);
    process.setArguments(
        {QStringLiteral("-I"), QStringLiteral("-S"), QStringLiteral("-u"), driver});
    process.setStandardOutputFile(QProcess::nullDevice());
    process.setStandardErrorFile(QProcess::nullDevice());
    const int childRead = control[0];
    const int childWrite = replies[1];
    // dup2 clears close-on-exec on the copies; only async-signal-safe calls in here.
    process.setChildProcessModifier([childRead, childWrite] {
        ::dup2(childRead, 3);
        ::dup2(childWrite, 4);
    });
    process.start();
    ::close(control[0]);
    ::close(replies[1]);
    const auto cleanup = [&] {
        ::close(control[1]); // EOF on fd 3: the driver exits
        ::close(replies[0]);
        process.waitForFinished(5000);
    };
    if (!process.waitForStarted(5000) || !readLine(replies[0]).contains("\"ready\"")) {
        *error = QStringLiteral("the python driver did not start");
        cleanup();
        return samples;
    }
    writeAll(control[1], "{\"op\":\"eval\",\"seq\":0,\"code\":\"x = 0\"}\n");
    readLine(replies[0]);
    QElapsedTimer timer;
    for (int i = 1; i <= warmup + iterations; ++i) {
        const QByteArray line =
            "{\"op\":\"eval\",\"seq\":" + QByteArray::number(i) + ",\"code\":\"x += 1\"}\n";
        timer.start();
        writeAll(control[1], line);
        const QByteArray reply = readLine(replies[0]);
        const qint64 ns = timer.nsecsElapsed();
        if (!reply.contains("\"ok\"")) {
            *error = QStringLiteral("driver replied: ") + QString::fromUtf8(reply.left(200));
            break;
        }
        if (i > warmup)
            samples.add(ns);
    }
    cleanup();
    return samples;
}

Samples spawnToExit(const QStringList &argv, int iterations, QString *error)
{
    Samples samples;
    QElapsedTimer timer;
    for (int i = 0; i < iterations; ++i) {
        timer.start();
        Child child;
        if (!spawnChild(argv, &child, error))
            break;
        ::close(child.in);
        child.in = -1;
        const bool ok = finish(child);
        const qint64 ns = timer.nsecsElapsed();
        if (!ok) {
            *error = QStringLiteral("%1 failed").arg(argv.join(QLatin1Char(' ')).left(300));
            break;
        }
        samples.add(ns);
    }
    return samples;
}

Samples prestartedSandbox(const QString &python, const QString &code, int iterations,
                          QString *error)
{
    Samples samples;
    // The interpreter imports nothing more, says it is ready, then blocks reading its program.
    const QString loader = QStringLiteral("import sys\nsys.stdout.write('R\\n')\nsys.stdout."
                                          "flush()\nexec(sys.stdin.read())\n");
    const QStringList argv = sandboxArguments({python, QStringLiteral("-I"), QStringLiteral("-S"),
                                               QStringLiteral("-u"), QStringLiteral("-c"), loader});
    const QByteArray program = code.toUtf8();
    QElapsedTimer timer;
    for (int i = 0; i < iterations; ++i) {
        Child child;
        if (!spawnChild(argv, &child, error))
            break;
        if (readLine(child.out) != "R") {
            *error = QStringLiteral("the pre-started sandbox did not get ready");
            finish(child);
            break;
        }
        timer.start();
        writeAll(child.in, program);
        ::close(child.in);
        child.in = -1;
        const bool ok = finish(child);
        const qint64 ns = timer.nsecsElapsed();
        if (!ok) {
            *error = QStringLiteral("the pre-started sandbox failed");
            break;
        }
        samples.add(ns);
    }
    return samples;
}

QJsonObject jupyterBaseline(const QString &python, int iterations, QString *error)
{
    QProcess process;
    process.setProcessChannelMode(QProcess::ForwardedErrorChannel);
    process.start(python, {QStringLiteral(CODEROOM_BENCH_DIR "/jupyter_baseline.py"),
                           QStringLiteral("--iterations"), QString::number(iterations)});
    if (!process.waitForFinished(180000) || process.exitCode() != 0) {
        *error = QStringLiteral("jupyter_baseline.py failed (exit %1); are "
                                "python3-jupyter-client and python3-ipykernel installed?")
                     .arg(process.exitCode());
        process.kill();
        process.waitForFinished(5000);
        return {};
    }
    const QByteArray out = process.readAllStandardOutput().trimmed();
    return QJsonDocument::fromJson(out.split('\n').constLast()).object();
}

} // namespace coderoom::bench
