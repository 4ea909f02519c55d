#include "procinfo.h"

#include <QDir>
#include <QFile>
#include <QHash>

#include <unistd.h>

namespace coderoom::bench {

namespace {

QByteArray readProc(qint64 pid, const char *name)
{
    QFile file(QStringLiteral("/proc/%1/").arg(pid) + QLatin1String(name));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

qint64 fieldKb(const QByteArray &text, const QByteArray &key)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toLongLong();
    }
    return 0;
}

// Fields after the parenthesised command name, which may itself contain spaces.
QList<QByteArray> statFields(qint64 pid)
{
    const QByteArray stat = readProc(pid, "stat");
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return {};
    return stat.mid(close + 2).split(' ');
}

} // namespace

qint64 rssKb(qint64 pid)
{
    return fieldKb(readProc(pid, "status"), "VmRSS:");
}

qint64 hwmKb(qint64 pid)
{
    return fieldKb(readProc(pid, "status"), "VmHWM:");
}

qint64 pssKb(qint64 pid)
{
    return fieldKb(readProc(pid, "smaps_rollup"), "Pss:");
}

CpuTimes cpuTimes(qint64 pid)
{
    // After ")": state(0) ppid(1) ... utime(11) stime(12) cutime(13) cstime(14).
    const QList<QByteArray> f = statFields(pid);
    if (f.size() < 15)
        return {};
    const double tick = static_cast<double>(::sysconf(_SC_CLK_TCK));
    CpuTimes t;
    t.selfSeconds = static_cast<double>(f.at(11).toLongLong() + f.at(12).toLongLong()) / tick;
    t.childrenSeconds = static_cast<double>(f.at(13).toLongLong() + f.at(14).toLongLong()) / tick;
    return t;
}

QList<qint64> descendants(qint64 pid)
{
    QHash<qint64, QList<qint64>> children;
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs);
    for (const QString &entry : entries) {
        bool ok = false;
        const qint64 p = entry.toLongLong(&ok);
        if (!ok)
            continue;
        const QList<QByteArray> f = statFields(p);
        if (f.size() > 1)
            children[f.at(1).toLongLong()].append(p);
    }
    QList<qint64> out;
    QList<qint64> todo{pid};
    while (!todo.isEmpty()) {
        const qint64 p = todo.takeLast();
        for (qint64 c : children.value(p)) {
            out.append(c);
            todo.append(c);
        }
    }
    return out;
}

QList<qint64> descendantsNamed(qint64 pid, const QByteArray &name)
{
    QList<qint64> out;
    for (qint64 p : descendants(pid)) {
        if (readProc(p, "comm").trimmed().startsWith(name))
            out.append(p);
    }
    return out;
}

} // namespace coderoom::bench
