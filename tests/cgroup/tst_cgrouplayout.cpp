// Finding the server's cgroups from /proc/self/mountinfo and /proc/self/cgroup: pure parsing,
// one row per kind of host.
#include "cgrouplayout.h"

#include <QTest>

using namespace coderoom::cgroup;

Q_DECLARE_METATYPE(coderoom::cgroup::Layout)

namespace {

QByteArray mountLine(int id, const char *root, const char *point, const char *type,
                     const char *options)
{
    return QByteArray::number(id) + " 30 0:" + QByteArray::number(id) + " " + root + " " + point +
           " rw,relatime - " + type + " " + type + " " + options + "\n";
}

QStringList names(const QList<Controller> &controllers)
{
    QStringList out;
    for (Controller c : controllers)
        out << toString(c);
    return out;
}

} // namespace

class TestCgroupLayout : public QObject
{
    Q_OBJECT
private slots:
    void hosts_data()
    {
        QTest::addColumn<QByteArray>("mountinfo");
        QTest::addColumn<QByteArray>("procCgroup");
        QTest::addColumn<Layout>("expected");

        const QByteArray hybridMounts =
            mountLine(31, "/", "/sys/fs/cgroup/cpu", "cgroup", "rw,cpu") +
            mountLine(32, "/", "/sys/fs/cgroup/cpuacct", "cgroup", "rw,cpuacct") +
            mountLine(34, "/", "/sys/fs/cgroup/memory", "cgroup", "rw,memory") +
            mountLine(36, "/", "/sys/fs/cgroup/freezer", "cgroup", "rw,freezer") +
            mountLine(38, "/", "/sys/fs/cgroup/pids", "cgroup", "rw,pids") +
            mountLine(39, "/", "/sys/fs/cgroup/systemd", "cgroup", "rw,name=systemd") +
            mountLine(40, "/", "/sys/fs/cgroup/unified", "cgroup2", "rw");
        QTest::addRow("hybrid (this development machine): v1 controllers, an empty v2")
            << hybridMounts
            << QByteArray("9:name=systemd:/\n8:pids:/\n6:freezer:/\n4:memory:/api/3f94\n"
                          "2:cpuacct:/\n1:cpu:/\n0::/\n")
            << Layout{{{Version::V1, "/sys/fs/cgroup/pids", "/sys/fs/cgroup/pids",
                        {Controller::Pids}},
                       {Version::V1, "/sys/fs/cgroup/memory", "/sys/fs/cgroup/memory/api/3f94",
                        {Controller::Memory}},
                       {Version::V1, "/sys/fs/cgroup/cpuacct", "/sys/fs/cgroup/cpuacct",
                        {Controller::CpuAccounting}},
                       {Version::V1, "/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu",
                        {Controller::Cpu}},
                       {Version::V2, "/sys/fs/cgroup/unified", "/sys/fs/cgroup/unified", {}}}};
        QTest::addRow("cgroup v2 only (Debian 12 with systemd): the service's own group")
            << mountLine(30, "/", "/sys/fs/cgroup", "cgroup2", "rw,nsdelegate")
            << QByteArray("0::/system.slice/coderoomd.service\n")
            << Layout{{{Version::V2, "/sys/fs/cgroup",
                        "/sys/fs/cgroup/system.slice/coderoomd.service", {}}}};
        QTest::addRow("v1 with cpu and cpuacct mounted together")
            << mountLine(31, "/", "/sys/fs/cgroup/cpu,cpuacct", "cgroup", "rw,cpu,cpuacct")
            << QByteArray("3:cpu,cpuacct:/user.slice\n")
            << Layout{{{Version::V1, "/sys/fs/cgroup/cpu,cpuacct",
                        "/sys/fs/cgroup/cpu,cpuacct/user.slice",
                        {Controller::Cpu, Controller::CpuAccounting}}}};
        QTest::addRow("a container that sees its part of the tree as the mount's root")
            << mountLine(30, "/docker/abc", "/sys/fs/cgroup", "cgroup2", "rw")
            << QByteArray("0::/docker/abc/server\n")
            << Layout{{{Version::V2, "/sys/fs/cgroup", "/sys/fs/cgroup/server", {}}}};
        QTest::addRow("a group outside what the mount shows is left out")
            << mountLine(30, "/docker/abc", "/sys/fs/cgroup", "cgroup2", "rw")
            << QByteArray("0::/elsewhere\n") << Layout{};
        QTest::addRow("no cgroup mounted") << QByteArray("22 1 0:5 / /proc rw - proc proc rw\n")
                                           << QByteArray("0::/\n") << Layout{};
        QTest::addRow("a mount point with a space (escaped as \\040)")
            << mountLine(30, "/", "/mnt/my\\040cgroups", "cgroup2", "rw") << QByteArray("0::/a\n")
            << Layout{{{Version::V2, "/mnt/my cgroups", "/mnt/my cgroups/a", {}}}};
    }
    void hosts()
    {
        QFETCH(QByteArray, mountinfo);
        QFETCH(QByteArray, procCgroup);
        QFETCH(Layout, expected);
        const Layout layout = parseLayout(mountinfo, procCgroup);
        QCOMPARE(layout.hierarchies.size(), expected.hierarchies.size());
        for (qsizetype i = 0; i < layout.hierarchies.size(); ++i) {
            const Hierarchy &got = layout.hierarchies.at(i);
            const Hierarchy &want = expected.hierarchies.at(i);
            QCOMPARE(int(got.version), int(want.version));
            QCOMPARE(got.mountPoint, want.mountPoint);
            QCOMPARE(got.ownDir, want.ownDir);
            QCOMPARE(names(got.controllers), names(want.controllers));
        }
    }

    void v2ControllersAreReadFromTheList()
    {
        QCOMPARE(names(parseV2Controllers("cpuset cpu io memory hugetlb pids rdma misc\n")),
                 (QStringList{"cpu", "memory", "pids"}));
        QCOMPARE(names(parseV2Controllers("hugetlb\n")), QStringList{});
        QCOMPARE(names(parseV2Controllers("")), QStringList{});
    }
};

QTEST_GUILESS_MAIN(TestCgroupLayout)
#include "tst_cgrouplayout.moc"
