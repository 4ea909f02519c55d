#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

// Where this process's cgroups are and which controllers each hierarchy carries, read from
// /proc/self/mountinfo and /proc/self/cgroup. Plain data and pure parsing: no file is touched
// here, so every kind of host (cgroup v2 only, v1 only, hybrid, a container whose mounts start
// below the hierarchy's root) is a test row.
namespace coderoom::cgroup {

enum class Version
{
    V1,
    V2,
};

// What a job's group limits or measures. Accounting is v1's cpuacct (v2 has cpu.stat always).
enum class Controller
{
    Memory,
    Pids,
    Cpu,
    CpuAccounting,
};

QString toString(Controller controller);

struct Hierarchy
{
    Version version = Version::V2;
    QString mountPoint;             // where the hierarchy is mounted
    QString ownDir;                 // this process's own group in it (absolute path)
    QList<Controller> controllers;  // v1: from the mount; v2: filled from cgroup.controllers
    bool operator==(const Hierarchy &) const = default;
};

struct Layout
{
    QList<Hierarchy> hierarchies; // v1 ones that carry a controller we use, then the v2 one
    bool operator==(const Layout &) const = default;
};

// mountinfo: the text of /proc/self/mountinfo; procCgroup: of /proc/self/cgroup. A hierarchy
// whose group lies outside the mount (a container that sees only part of the tree and whose
// path does not start with the mount's root) is left out: its group cannot be reached.
Layout parseLayout(const QByteArray &mountinfo, const QByteArray &procCgroup);

// "cpu memory pids" as a v2 cgroup.controllers file lists them.
QList<Controller> parseV2Controllers(const QByteArray &text);

} // namespace coderoom::cgroup
