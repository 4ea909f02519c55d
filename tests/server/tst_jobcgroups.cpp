// Limits per job, not per process, through the real coderoomd: each run gets a cgroup of its
// own below the server's (cgroup v2 delegated or v1 writable, as this host gives), and what the
// student sees is the job's limit. Real sandboxes, real Python, real cgroups.
#include "serverfixture.h"

#include <QDir>
#include <QDirIterator>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

using namespace coderoom::tests;

namespace {

QString stdoutOf(const WsClient &client, const QString &request)
{
    QString out;
    for (const QJsonObject &e : client.eventsOf(request)) {
        if (e.value("type") == "output" && e.value("stream") == "stdout")
            out += e.value("data").toString();
    }
    return out;
}

// The server's job groups: "coderoom-<pid>-..." directories anywhere under /sys/fs/cgroup,
// and the "job-N" directories in them.
QStringList jobGroupsOf(qint64 serverPid)
{
    QStringList jobs;
    const QString prefix = QStringLiteral("coderoom-%1-").arg(serverPid);
    QDirIterator it(QStringLiteral("/sys/fs/cgroup"), QDir::Dirs | QDir::NoDotAndDotDot,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (QFileInfo(path).fileName().startsWith(QStringLiteral("job-")) &&
            QFileInfo(path).dir().dirName().startsWith(prefix))
            jobs << path;
    }
    return jobs;
}

} // namespace

class TestJobCgroups : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_server.start({"--prestart", "0", "--warm-pool", "0", "--workers", "2"}));
        QVERIFY(m_client.open(m_server.url()));
        QVERIFY(m_client.hello(m_server.token()));
        // Which limits the host lets the server enforce with cgroups: /ready says.
        const QJsonObject ready =
            QJsonDocument::fromJson(httpGet(m_server.port(), "/ready")).object();
        for (const QJsonValue &line : ready.value("sandbox").toObject().value("enforcement").toArray()) {
            const QString text = line.toString();
            if (text.startsWith(QStringLiteral("cgroup: memory per job: cgroup")))
                m_memory = true;
            if (text.startsWith(QStringLiteral("cgroup: processes per job: cgroup")))
                m_pids = true;
            if (text.startsWith(QStringLiteral("cgroup: cpu share per job: cgroup")))
                m_cpu = true;
            qInfo("%s", qPrintable(text));
        }
        if (!m_memory && !m_pids && !m_cpu)
            QSKIP("this host gives coderoomd no cgroup (see /ready): limits are per process here");
    }

    void manyProcessesShareOneMemoryLimit()
    {
        if (!m_memory)
            QSKIP("no memory cgroup on this host");
        // 16 processes of 64 MiB each under the run's 256 MiB: each fits its own address-space
        // limit, together they are four times the job's.
        const QString request = m_client.run(
            "import os, time\nkids = []\nfor i in range(16):\n    pid = os.fork()\n"
            "    if pid == 0:\n        b = bytearray(64 << 20)\n"
            "        for j in range(0, len(b), 4096): b[j] = 1\n"
            "        time.sleep(2); os._exit(0)\n    kids.append(pid)\n"
            "for pid in kids: os.waitpid(pid, 0)\nprint('all done')\n");
        QVERIFY(!request.isEmpty());
        const QJsonObject result = m_client.waitFor("result", request, 60000);
        QCOMPARE(result.value("status").toString(), QString("memory_limit"));
        const qint64 peakKb = result.value("memory_kb").toInteger();
        QVERIFY2(peakKb > 0 && peakKb <= 256 * 1024, qPrintable(QString::number(peakKb)));
        QVERIFY2(result.value("message").toString().contains("256 MiB"),
                 qPrintable(result.value("message").toString()));
    }

    void aForkBombStopsAtTheJobsProcessLimit()
    {
        if (!m_pids)
            QSKIP("no pids cgroup on this host");
        const QString request = m_client.run(
            "import os, sys, time\nn = 0\ntry:\n    while True:\n"
            "        if os.fork() == 0:\n            time.sleep(5); os._exit(0)\n"
            "        n += 1\nexcept BlockingIOError:\n    print('forked', n, flush=True)\n"
            "    sys.exit(1)\n");
        const QJsonObject result = m_client.waitFor("result", request, 60000);
        const QString out = stdoutOf(m_client, request);
        QVERIFY2(out.startsWith("forked "), qPrintable(out));
        const int forked = out.mid(7).trimmed().toInt();
        QVERIFY2(forked >= 32 && forked < 64, qPrintable(out)); // the run's 64 processes
        QCOMPARE(result.value("status").toString(), QString("error"));
        QVERIFY2(result.value("message").toString().contains("too many processes"),
                 qPrintable(result.value("message").toString()));
    }

    void aSpinningJobGetsHalfACore()
    {
        if (!m_cpu)
            QSKIP("no cpu cgroup on this host");
        // job_cpu_millicores 500: over 3 s of wall clock the job gets at most half a core (the
        // kernel's quota, plus a period's slack); a loaded machine may give it less.
        ServerProcess server;
        QVERIFY(server.start({"--job-cpu-millicores", "500", "--prestart", "0", "--warm-pool", "0"}));
        WsClient client;
        QVERIFY(client.open(server.url()));
        QVERIFY(client.hello(server.token()));
        const QString request =
            client.run("import time\nend = time.time() + 3\nwhile time.time() < end: pass\n");
        const QJsonObject result = client.waitFor("result", request, 60000);
        QCOMPARE(result.value("status").toString(), QString("ok"));
        const double share =
            double(result.value("cpu_ms").toInteger()) / double(result.value("time_ms").toInteger());
        qInfo("cpu %lld ms over %lld ms: %.2f of a core", result.value("cpu_ms").toInteger(),
              result.value("time_ms").toInteger(), share);
        QVERIFY2(share <= 0.6 && share >= 0.15, qPrintable(QString::number(share)));
        server.terminate();
        QVERIFY(server.waitForExit(15000));
    }

    void theJobsGroupIsGoneAfterTheJob()
    {
        const QString request = m_client.run("print('hello')");
        QCOMPARE(m_client.waitFor("result", request).value("status").toString(), QString("ok"));
        // Nothing else runs on this server now (no pools): no job group is left.
        QTRY_COMPARE_WITH_TIMEOUT(jobGroupsOf(m_server.pid()), QStringList(), 5000);
    }

    void groupsOfAKilledServerAreRemovedAtTheNextStart()
    {
        // A server killed mid-job leaves its groups (and, before this, could leave a bwrap
        // blocked forever); the next coderoomd on this host removes them with their processes.
        ServerProcess victim;
        QVERIFY(victim.start({"--prestart", "0", "--warm-pool", "0"}));
        WsClient client;
        QVERIFY(client.open(victim.url()));
        QVERIFY(client.hello(victim.token()));
        const QString request = client.run("import time\nprint('up', flush=True)\ntime.sleep(60)\n");
        QTRY_VERIFY_WITH_TIMEOUT(stdoutOf(client, request).contains("up"), 20000);
        const qint64 victimPid = victim.pid();
        QCOMPARE(jobGroupsOf(victimPid).size() > 0, true);
        victim.kill();
        QVERIFY(victim.waitForExit(10000));
        QVERIFY(!jobGroupsOf(victimPid).isEmpty()); // left behind

        ServerProcess next;
        QVERIFY(next.start({"--prestart", "0", "--warm-pool", "0"}));
        QTRY_COMPARE_WITH_TIMEOUT(jobGroupsOf(victimPid), QStringList(), 10000);
        next.terminate();
        QVERIFY(next.waitForExit(15000));
    }

    void cleanupTestCase()
    {
        m_server.terminate();
        QVERIFY(m_server.waitForExit(15000));
    }

private:
    ServerProcess m_server;
    WsClient m_client;
    bool m_memory = false;
    bool m_pids = false;
    bool m_cpu = false;
};

QTEST_GUILESS_MAIN(TestJobCgroups)
#include "tst_jobcgroups.moc"
