#pragma once

#include "sandboxprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

// Shared by the sandbox tests: run a spec to its end and keep what it said.
namespace sandboxtest {

using namespace coderoom::sandbox;

inline const QString python = QStringLiteral("/usr/bin/python3");

struct Run
{
    Result result;
    QByteArray out;
    QByteArray err;
    int outputEvents = 0;
    int outputEventsBeforeDone = 0;
    bool finished = false;
};

inline Spec pythonSpec(const QByteArray &code, std::optional<QByteArray> stdinData = QByteArray())
{
    Spec spec;
    spec.command = {python, QStringLiteral("-u"), QStringLiteral("main.py")};
    spec.files = {{QStringLiteral("main.py"), code, false}};
    spec.stdinData = std::move(stdinData);
    return spec;
}

// Runs to done (bounded by timeoutMs) on a fresh SandboxProcess; fails the test on overrun.
inline Run runSpec(const Spec &spec, int timeoutMs = 30000)
{
    Run run;
    SandboxProcess process;
    QObject::connect(&process, &SandboxProcess::output, [&run](Stream stream, const QByteArray &d) {
        (stream == Stream::Stdout ? run.out : run.err) += d;
        ++run.outputEvents;
    });
    QObject::connect(&process, &SandboxProcess::done, [&run](const Result &result) {
        run.result = result;
        run.outputEventsBeforeDone = run.outputEvents;
        run.finished = true;
    });
    QSignalSpy doneSpy(&process, &SandboxProcess::done);
    process.start(spec);
    if (!run.finished)
        doneSpy.wait(timeoutMs); // returns as soon as done() fires
    return run;
}

// Host processes whose command line contains marker (the test's own excluded), optionally only
// those whose name (comm) is comm.
inline QList<pid_t> processesWithMarker(const QByteArray &marker, const QByteArray &comm = {})
{
    QList<pid_t> pids;
    DIR *dir = ::opendir("/proc");
    while (dir && (true)) {
        const dirent *entry = ::readdir(dir);
        if (!entry)
            break;
        const pid_t pid = static_cast<pid_t>(::atoi(entry->d_name));
        if (pid <= 0 || pid == ::getpid())
            continue;
        QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
        if (!cmdline.open(QIODevice::ReadOnly) || !cmdline.readAll().contains(marker))
            continue;
        QFile commFile(QStringLiteral("/proc/%1/comm").arg(pid));
        if (comm.isEmpty() ||
            (commFile.open(QIODevice::ReadOnly) && commFile.readAll().trimmed() == comm))
            pids << pid;
    }
    if (dir)
        ::closedir(dir);
    return pids;
}

// Fails on "QProcess: Destroyed while process ... is still running": QTest::failOnWarning is
// Qt 6.3+, so 6.4 has it.
inline void failOnDestroyedProcess()
{
    QTest::failOnWarning(QRegularExpression(QStringLiteral("Destroyed while process")));
}

} // namespace sandboxtest

// Compares outcomes by name, so a failure prints "timeout" vs "exited".
#define COMPARE_OUTCOME(actual, expected)                                                          \
    QCOMPARE(coderoom::sandbox::toString(actual), coderoom::sandbox::toString(expected))
