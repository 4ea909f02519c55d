#include "cgrouplayout.h"

#include <QHash>

namespace coderoom::cgroup {

namespace {

struct Mount
{
    Version version;
    QString root;  // the part of the hierarchy this mount shows (field 4)
    QString point; // where (field 5)
    QList<Controller> controllers;
};

// Escapes in mountinfo paths: space, tab, newline and backslash as \ooo.
QString unescape(const QByteArray &field)
{
    QByteArray out;
    for (qsizetype i = 0; i < field.size(); ++i) {
        if (field.at(i) == '\\' && i + 3 < field.size()) {
            bool ok = false;
            const int value = field.mid(i + 1, 3).toInt(&ok, 8);
            if (ok) {
                out.append(char(value));
                i += 3;
                continue;
            }
        }
        out.append(field.at(i));
    }
    return QString::fromUtf8(out);
}

// Controller names as the kernel writes them; cpuacct exists on v1 only (v2's cpu.stat is in
// every group).
QList<Controller> controllersNamed(const QByteArrayList &names, Version version)
{
    QList<Controller> out;
    for (const QByteArray &name : names) {
        if (name == "memory")
            out << Controller::Memory;
        else if (name == "pids")
            out << Controller::Pids;
        else if (name == "cpu")
            out << Controller::Cpu;
        else if (name == "cpuacct" && version == Version::V1)
            out << Controller::CpuAccounting;
    }
    return out;
}

QList<Mount> parseMounts(const QByteArray &mountinfo)
{
    QList<Mount> mounts;
    for (const QByteArray &line : mountinfo.split('\n')) {
        const QByteArrayList fields = line.split(' ');
        const qsizetype dash = fields.indexOf("-");
        if (dash < 6 || dash + 3 >= fields.size())
            continue;
        const QByteArray type = fields.at(dash + 1);
        Mount mount;
        mount.root = unescape(fields.at(3));
        mount.point = unescape(fields.at(4));
        if (type == "cgroup2") {
            mount.version = Version::V2;
        } else if (type == "cgroup") {
            mount.version = Version::V1;
            mount.controllers = controllersNamed(fields.at(dash + 3).split(','), Version::V1);
            if (mount.controllers.isEmpty())
                continue; // name=systemd, devices, freezer...: nothing we use
        } else {
            continue;
        }
        mounts << mount;
    }
    return mounts;
}

// The group's directory under a mount showing `root` of the hierarchy; empty when outside.
QString dirUnder(const Mount &mount, const QString &groupPath)
{
    const QString root = mount.root == QLatin1String("/") ? QString() : mount.root;
    if (!root.isEmpty() && groupPath != root && !groupPath.startsWith(root + QLatin1Char('/')))
        return {};
    QString rest = groupPath.mid(root.size());
    if (rest == QLatin1String("/"))
        rest.clear();
    return mount.point + rest;
}

} // namespace

QString toString(Controller controller)
{
    switch (controller) {
    case Controller::Memory:
        return QStringLiteral("memory");
    case Controller::Pids:
        return QStringLiteral("pids");
    case Controller::Cpu:
        return QStringLiteral("cpu");
    case Controller::CpuAccounting:
        return QStringLiteral("cpuacct");
    }
    return {};
}

QList<Controller> parseV2Controllers(const QByteArray &text)
{
    return controllersNamed(text.simplified().split(' '), Version::V2);
}

Layout parseLayout(const QByteArray &mountinfo, const QByteArray &procCgroup)
{
    // /proc/self/cgroup: "id:controller,list:/path" per v1 hierarchy, "0::/path" for v2.
    QString v2Path;
    bool hasV2 = false;
    QList<std::pair<QList<Controller>, QString>> v1Paths;
    for (const QByteArray &line : procCgroup.split('\n')) {
        const qsizetype first = line.indexOf(':');
        const qsizetype second = first < 0 ? -1 : line.indexOf(':', first + 1);
        if (second < 0)
            continue;
        const QByteArray names = line.mid(first + 1, second - first - 1);
        const QString path = QString::fromUtf8(line.mid(second + 1));
        if (names.isEmpty() && line.left(first) == "0") {
            hasV2 = true;
            v2Path = path;
        } else {
            const QList<Controller> controllers = controllersNamed(names.split(','), Version::V1);
            if (!controllers.isEmpty())
                v1Paths.append({controllers, path});
        }
    }

    Layout layout;
    const QList<Mount> mounts = parseMounts(mountinfo);
    for (const auto &[controllers, path] : v1Paths) {
        for (const Mount &mount : mounts) {
            if (mount.version != Version::V1 || mount.controllers != controllers)
                continue;
            const QString dir = dirUnder(mount, path);
            if (!dir.isEmpty())
                layout.hierarchies.append({Version::V1, mount.point, dir, controllers});
            break; // a hierarchy mounted twice: the first mount serves
        }
    }
    if (hasV2) {
        for (const Mount &mount : mounts) {
            if (mount.version != Version::V2)
                continue;
            const QString dir = dirUnder(mount, v2Path);
            if (!dir.isEmpty())
                layout.hierarchies.append({Version::V2, mount.point, dir, {}});
            break;
        }
    }
    return layout;
}

} // namespace coderoom::cgroup
