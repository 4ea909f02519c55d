// cgroups on the real host: the server's parent group, a job's group with its limits, what it
// measures, killing and removing it, and the groups a killed server left behind. The processes
// are real; they join the job's groups the way a sandbox's child does (writing "0" to
// cgroup.procs between fork and exec).
#include "cgroups.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QScopeGuard>
#include <QTest>

#include <csignal>
#include <fcntl.h>
#include <unistd.h>

using namespace coderoom::cgroup;

namespace {

// Starts `python3 -c code` inside the job's groups.
struct JobProcess
{
    QProcess process;
    void start(const JobGroup &job, const QString &code)
    {
        const QList<int> fds = job.procsFds();
        process.setChildProcessModifier([fds] {
            for (int fd : fds) {
                if (::write(fd, "0", 1) != 1)
                    ::_exit(99); // not in its group: the test must not pass on that
            }
        });
        process.start(QStringLiteral("/usr/bin/python3"), {QStringLiteral("-c"), code});
    }
    QByteArray finish(int timeoutMs = 60000)
    {
        process.waitForFinished(timeoutMs);
        return process.readAllStandardOutput();
    }
};

bool canRun(const CgroupHost &host, QString *why)
{
    if (!host.placements().isEmpty())
        return true;
    *why = QStringLiteral("this host gives this process no cgroup it may write (%1): the "
                          "sandbox falls back to rlimits here")
               .arg(host.problem().isEmpty() ? QStringLiteral("none mounted") : host.problem());
    return false;
}

} // namespace

class TestCgroups : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        m_host = CgroupHost::open();
        QString why;
        if (!canRun(*m_host, &why)) {
            // Root on a host with cgroup mounts writable here must find them.
            QVERIFY2(::geteuid() != 0 || !QFileInfo(QStringLiteral("/sys/fs/cgroup")).isWritable(),
                     qPrintable(why));
            QSKIP(qPrintable(why));
        }
        for (const QString &line : m_host->describe())
            qInfo("%s", qPrintable(line));
    }

    void everyPlacementIsBelowTheServersOwnGroup()
    {
        // Each parent is a direct child of this process's own group in one of its hierarchies
        // (or of the leaf's parent, after a v2 move), named after this server.
        QFile mounts(QStringLiteral("/proc/self/mountinfo"));
        QFile own(QStringLiteral("/proc/self/cgroup"));
        QVERIFY(mounts.open(QIODevice::ReadOnly) && own.open(QIODevice::ReadOnly));
        QStringList ownDirs;
        for (const Hierarchy &h : parseLayout(mounts.readAll(), own.readAll()).hierarchies) {
            ownDirs << h.ownDir;
            if (QFileInfo(h.ownDir).fileName() == QLatin1String(serverLeafName))
                ownDirs << QFileInfo(h.ownDir).path();
        }
        for (const Placement &p : m_host->placements()) {
            QVERIFY2(ownDirs.contains(QFileInfo(p.parentDir).path()), qPrintable(p.parentDir));
            QVERIFY2(QDir(p.parentDir).dirName().startsWith(
                         QStringLiteral("coderoom-%1-").arg(::getpid())),
                     qPrintable(p.parentDir));
            QVERIFY(QFileInfo(p.parentDir).isDir());
        }
    }

    void memoryIsLimitedForTheWholeJob()
    {
        if (!m_host->enforces(Controller::Memory))
            QSKIP("no memory controller here");
        // 8 processes of 32 MiB each under 96 MiB: per process they fit, together they do
        // not. The kernel kills in the group and the peak stays at the limit.
        QString error;
        auto job = m_host->createJob({96LL << 20, 0, 0}, &error);
        QVERIFY2(job, qPrintable(error));
        JobProcess p;
        p.start(*job, QStringLiteral(
                          "import os, time\nkids = []\nfor i in range(8):\n    pid = os.fork()\n"
                          "    if pid == 0:\n        b = bytearray(32 << 20)\n"
                          "        for j in range(0, len(b), 4096): b[j] = 1\n"
                          "        time.sleep(5); os._exit(0)\n    kids.append(pid)\n"
                          "killed = 0\nfor pid in kids:\n    _, status = os.waitpid(pid, 0)\n"
                          "    killed += os.WIFSIGNALED(status)\nprint('killed', killed)\n"));
        const QByteArray out = p.finish();
        const JobUsage usage = job->usage();
        QVERIFY2(usage.oomKills > 0, out.constData());
        QVERIFY2(out.startsWith("killed ") && out.mid(7).trimmed().toInt() > 0, out.constData());
        QVERIFY(usage.memoryPeakBytes);
        QVERIFY2(*usage.memoryPeakBytes <= (96LL << 20),
                 qPrintable(QString::number(*usage.memoryPeakBytes)));
    }

    void forksStopAtThePidsLimit()
    {
        if (!m_host->enforces(Controller::Pids))
            QSKIP("no pids controller here");
        QString error;
        auto job = m_host->createJob({0, 8, 0}, &error);
        QVERIFY2(job, qPrintable(error));
        JobProcess p;
        p.start(*job, QStringLiteral(
                          "import os, time\nn = 0\ntry:\n    for i in range(50):\n"
                          "        if os.fork() == 0:\n            time.sleep(3); os._exit(0)\n"
                          "        n += 1\nexcept BlockingIOError:\n    pass\nprint('forked', n)\n"));
        const QByteArray out = p.finish();
        QCOMPARE(out.trimmed(), QByteArray("forked 7")); // 8 with python itself
        QVERIFY(job->usage().pidsRefused >= 1);
        job->kill();
    }

    void aSpinningJobGetsItsShareOfACore()
    {
        if (!m_host->enforces(Controller::Cpu) || !m_host->enforces(Controller::CpuAccounting))
            QSKIP("no cpu controller here");
        // Half a core for 3 s of wall clock: the kernel's quota caps it at half (plus one
        // period's slack); a loaded machine may give it less, never more.
        QString error;
        auto job = m_host->createJob({0, 0, 500}, &error);
        QVERIFY2(job, qPrintable(error));
        JobProcess p;
        QElapsedTimer wall;
        wall.start();
        p.start(*job, QStringLiteral("import time\nend = time.time() + 3\n"
                                     "while time.time() < end: pass\n"));
        p.finish();
        const double seconds = double(wall.elapsed()) / 1000.0;
        const JobUsage usage = job->usage();
        QVERIFY(usage.cpuUsec);
        const double share = double(*usage.cpuUsec) / 1e6 / seconds;
        qInfo("cpu share %.2f of a core over %.1f s", share, seconds);
        QVERIFY2(share <= 0.6, qPrintable(QString::number(share)));
        QVERIFY2(share >= 0.15, qPrintable(QString::number(share)));
    }

    void killEndsEveryMemberAndTheGroupGoes()
    {
        QString error;
        auto job = m_host->createJob({}, &error);
        QVERIFY2(job, qPrintable(error));
        const QStringList dirs = job->dirs();
        JobProcess p;
        p.start(*job, QStringLiteral("import os, time\nfor i in range(3):\n"
                                     "    if os.fork() == 0: break\ntime.sleep(60)\n"));
        QTRY_COMPARE_WITH_TIMEOUT(job->members().size(), 4, 10000);
        job->kill();
        QTRY_COMPARE_WITH_TIMEOUT(job->members().size(), 0, 10000);
        p.finish();
        QVERIFY(job->remove());
        for (const QString &dir : dirs)
            QVERIFY2(!QFileInfo::exists(dir), qPrintable(dir));
    }

    void groupsOfAServerThatIsGoneAreRemoved()
    {
        // A server killed mid-job left "coderoom-<pid>-<start>/job-1" with a process in it.
        // Our own pid with a start time that is not ours stands for it: no live server has it.
        const Placement first = m_host->placements().first();
        const QString ownDir = first.parentDir.section(QLatin1Char('/'), 0, -2);
        const QString stale = ownDir + QStringLiteral("/coderoom-%1-1-1").arg(::getpid());
        QVERIFY(QDir().mkpath(stale + QStringLiteral("/job-1")));
        QProcess sleeper;
        const QString procs = stale + QStringLiteral("/job-1/cgroup.procs");
        const QByteArray procsPath = QFile::encodeName(procs);
        sleeper.setChildProcessModifier([procsPath] {
            const int fd = ::open(procsPath.constData(), O_WRONLY);
            if (fd < 0 || ::write(fd, "0", 1) != 1)
                ::_exit(99);
        });
        sleeper.start(QStringLiteral("/usr/bin/sleep"), {QStringLiteral("60")});
        QVERIFY(sleeper.waitForStarted());
        QTRY_VERIFY_WITH_TIMEOUT(QFile(procs).open(QIODevice::ReadOnly), 5000);

        // Any coderoomd starting on this host meanwhile (ctest -j) removes it too: what is
        // asserted is that it is gone with its process, not who counted it.
        m_host->removeStale();
        QVERIFY(sleeper.waitForFinished(10000));
        QCOMPARE(sleeper.exitStatus(), QProcess::CrashExit); // SIGKILLed
        QVERIFY(!QFileInfo::exists(stale));
        // Our own groups are untouched.
        QVERIFY(QFileInfo(first.parentDir).isDir());
    }

    void theServersGroupsGoWithIt()
    {
        auto host = CgroupHost::open();
        const QList<Placement> placements = host->placements();
        QVERIFY(!placements.isEmpty());
        host.reset();
        for (const Placement &p : placements)
            QVERIFY2(!QFileInfo::exists(p.parentDir), qPrintable(p.parentDir));
        for (const Placement &p : m_host->placements())
            QVERIFY2(QFileInfo(p.parentDir).isDir(), qPrintable(p.parentDir)); // not ours
    }

    void cgroupV2WithoutControllersStillKillsAndMeasures()
    {
        // On a hybrid host the v2 hierarchy carries no controller, but every v2 group has
        // cgroup.kill and cpu.stat: a host offered only that still ends jobs and counts CPU.
        HostOptions options;
        options.useV1 = false;
        auto host = CgroupHost::open(options);
        if (host->placements().isEmpty())
            QSKIP("no writable cgroup v2 hierarchy here");
        QVERIFY(host->enforces(Controller::CpuAccounting));
        QString error;
        auto job = host->createJob({}, &error);
        QVERIFY2(job, qPrintable(error));
        JobProcess p;
        p.start(*job, QStringLiteral("import os, time\nif os.fork() == 0: time.sleep(60)\n"
                                     "end = time.time() + 0.3\nwhile time.time() < end: pass\n"
                                     "time.sleep(60)\n"));
        QTRY_COMPARE_WITH_TIMEOUT(job->members().size(), 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(job->usage().cpuUsec.value_or(0) > 100000, 10000);
        job->kill();
        QTRY_COMPARE_WITH_TIMEOUT(job->members().size(), 0, 10000);
        p.finish();
        QVERIFY(job->remove());
    }

    void aGroupWithProcessesMovesThemToALeafToGiveControllersToItsChildren()
    {
        // systemd's Delegate=yes hands coderoomd a v2 group with coderoomd itself in it, and a
        // group holding processes cannot give controllers to children. Staged on this host's
        // v2 hierarchy with a controller its root offers (hugetlb here; the mechanism is the
        // same for memory, pids and cpu): a group with a process in it, then the call.
        QFile mounts(QStringLiteral("/proc/self/mountinfo"));
        QFile own(QStringLiteral("/proc/self/cgroup"));
        QVERIFY(mounts.open(QIODevice::ReadOnly) && own.open(QIODevice::ReadOnly));
        QString root;
        for (const Hierarchy &h : parseLayout(mounts.readAll(), own.readAll()).hierarchies) {
            if (h.version == Version::V2 && h.ownDir == h.mountPoint)
                root = h.mountPoint;
        }
        if (root.isEmpty())
            QSKIP("no cgroup v2 hierarchy whose root this process is in");
        QFile offeredFile(root + QStringLiteral("/cgroup.controllers"));
        QVERIFY(offeredFile.open(QIODevice::ReadOnly));
        const QByteArrayList offered = offeredFile.readAll().simplified().split(' ');
        if (offered.value(0).isEmpty())
            QSKIP("the v2 hierarchy's root offers no controller at all");
        const QByteArray controller = offered.first();
        const QString rootControl = root + QStringLiteral("/cgroup.subtree_control");
        QFile before(rootControl);
        QVERIFY(before.open(QIODevice::ReadOnly));
        const bool wasOn = before.readAll().split(' ').contains(controller.trimmed());
        QString problem;
        QCOMPARE(enableForChildren(root, {controller}, &problem), QByteArrayList{controller});
        const QString group = root + QStringLiteral("/coderoom-leaftest-%1").arg(::getpid());
        QVERIFY(QDir().mkpath(group));
        const auto cleanup = qScopeGuard([&] {
            QDir(group).rmdir(QLatin1String(serverLeafName));
            QDir().rmdir(group);
            if (!wasOn) {
                QFile control(rootControl);
                if (control.open(QIODevice::WriteOnly))
                    control.write("-" + controller);
            }
        });
        QProcess sleeper;
        const QByteArray procs = QFile::encodeName(group + QStringLiteral("/cgroup.procs"));
        sleeper.setChildProcessModifier([procs] {
            const int fd = ::open(procs.constData(), O_WRONLY);
            if (fd < 0 || ::write(fd, "0", 1) != 1)
                ::_exit(99);
        });
        sleeper.start(QStringLiteral("/usr/bin/sleep"), {QStringLiteral("60")});
        QVERIFY(sleeper.waitForStarted());
        const QByteArray pid = QByteArray::number(sleeper.processId());
        const auto members = [](const QString &path) {
            QFile file(path);
            return file.open(QIODevice::ReadOnly) ? file.readAll().split('\n') : QByteArrayList();
        };
        QTRY_VERIFY_WITH_TIMEOUT(members(QString::fromLocal8Bit(procs)).contains(pid), 5000);

        problem.clear();
        QCOMPARE(enableForChildren(group, {controller}, &problem), QByteArrayList{controller});
        QVERIFY2(problem.isEmpty(), qPrintable(problem));
        QVERIFY(members(group + QLatin1Char('/') + QLatin1String(serverLeafName) +
                        QStringLiteral("/cgroup.procs"))
                    .contains(pid)); // moved, still running
        QFile control(group + QStringLiteral("/cgroup.subtree_control"));
        QVERIFY(control.open(QIODevice::ReadOnly));
        QVERIFY(control.readAll().simplified().split(' ').contains(controller));
        sleeper.kill();
        QVERIFY(sleeper.waitForFinished(5000));
    }

    void cleanupTestCase() { m_host.reset(); }

private:
    std::unique_ptr<CgroupHost> m_host;
};

QTEST_GUILESS_MAIN(TestCgroups)
#include "tst_cgroups.moc"
