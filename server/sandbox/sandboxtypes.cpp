#include "sandboxtypes.h"

#include <algorithm>
#include <atomic>

namespace coderoom::sandbox {

namespace {
std::atomic<qint64> g_defaultWritableMb{builtInWritableMb};
std::atomic<qint64> g_defaultCpuMilliCores{0};
} // namespace

void setDefaultCpuMilliCores(qint64 milliCores)
{
    g_defaultCpuMilliCores = std::max<qint64>(milliCores, 0);
}

qint64 cpuMilliCoresOf(const Limits &limits)
{
    return limits.cpuMilliCores > 0 ? limits.cpuMilliCores : g_defaultCpuMilliCores.load();
}

void setDefaultWritableMb(qint64 megabytes)
{
    g_defaultWritableMb = megabytes > 0 ? megabytes : builtInWritableMb;
}

qint64 defaultWritableMb()
{
    return g_defaultWritableMb;
}

qint64 writableMbOf(const Limits &limits)
{
    return limits.writableMb > 0 ? limits.writableMb : defaultWritableMb();
}

QString toString(Outcome outcome)
{
    switch (outcome) {
    case Outcome::Exited:
        return QStringLiteral("exited");
    case Outcome::Signalled:
        return QStringLiteral("signalled");
    case Outcome::Timeout:
        return QStringLiteral("timeout");
    case Outcome::InputTimeout:
        return QStringLiteral("input-timeout");
    case Outcome::CpuLimit:
        return QStringLiteral("cpu-limit");
    case Outcome::MemoryLimit:
        return QStringLiteral("memory-limit");
    case Outcome::OutputLimit:
        return QStringLiteral("output-limit");
    case Outcome::ProcessLimit:
        return QStringLiteral("process-limit");
    case Outcome::Stopped:
        return QStringLiteral("stopped");
    case Outcome::FailedToStart:
        return QStringLiteral("failed-to-start");
    }
    return QStringLiteral("unknown");
}

} // namespace coderoom::sandbox
