#include "prestartpool.h"

#include "languageslog.h"
#include "programrun.h"
#include "sandboxprocess.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>

namespace coderoom::languages {

namespace {

constexpr int maxBackoffMs = 60 * 1000;
const QString launcherName = QStringLiteral("python_launcher.py");

bool sameRlimits(const sandbox::Limits &a, const sandbox::Limits &b)
{
    return a.cpuMs == b.cpuMs && a.memoryMb == b.memoryMb && a.processes == b.processes &&
           a.fileSizeMb == b.fileSizeMb && a.openFiles == b.openFiles &&
           writableMbOf(a) == writableMbOf(b);
}

} // namespace

std::optional<sandbox::Spec> prestartSpec(const Language &language, const QString &resourcesDir,
                                          QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!language.available)
        return fail(QStringLiteral("%1 is unavailable: %2").arg(language.id, language.problem));
    // The launcher speaks Python; the run template must end in "{main} {args}" so the
    // interpreter flags stay exactly those of the cold path.
    const qsizetype mainAt = language.runCommand.indexOf(QStringLiteral("{main}"));
    if (language.id != QLatin1String("python") || language.isCompiled() || mainAt < 0 ||
        language.runCommand.mid(mainAt) !=
            QStringList{QStringLiteral("{main}"), QStringLiteral("{args}")})
        return fail(QStringLiteral("%1 runs cannot be pre-started").arg(language.id));
    QFile launcher(QDir(resourcesDir).filePath(QStringLiteral("drivers/") + launcherName));
    if (!launcher.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("launcher %1 not found under %2/drivers")
                        .arg(launcherName, resourcesDir));
    const QString source = QString::fromUtf8(launcher.readAll());

    // -c, not a file in /work: the program finds nothing of the launcher in its directory.
    QStringList templ = language.runCommand.mid(0, mainAt);
    templ << QStringLiteral("-c") << QStringLiteral("{launcher}");
    TemplateValues values;
    values.runtime = language.runtimePath;
    values.memoryMb = language.limits.memoryMb;
    QStringList command = expandCommand(templ, values);
    command.last() = source; // not a template: the source may contain braces

    sandbox::Spec spec;
    spec.niceness = batchNiceness;
    spec.command = command;
    spec.binds = language.binds;
    spec.environment = language.environment;
    spec.limits = language.limits;
    spec.limits.memoryMb = language.limits.memoryMb + language.memoryOverheadMb;
    spec.controlChannel = true;
    spec.armLater = true;
    return spec;
}

PrestartPool::PrestartPool(const Language &language, const QString &resourcesDir,
                           const PrestartOptions &options, QObject *parent)
    : QObject(parent)
    , m_language(language)
    , m_options(options)
{
    m_spec = prestartSpec(language, resourcesDir, &m_problem);
    if (!m_spec && m_problem.isEmpty())
        m_problem = QStringLiteral("no pre-start spec");
    m_refillTimer.setSingleShot(true);
    connect(&m_refillTimer, &QTimer::timeout, this, &PrestartPool::refill);
    m_staleTimer.setInterval(int(std::clamp<qint64>(m_options.maxIdleMs / 4, 1000, 60000)));
    connect(&m_staleTimer, &QTimer::timeout, this, &PrestartPool::retireStale);
    if (!isEnabled()) {
        if (m_options.size > 0)
            qCWarning(lcLanguages) << "pre-start disabled:" << m_problem;
        return;
    }
    m_staleTimer.start();
    scheduleRefill(0);
}

PrestartPool::~PrestartPool()
{
    for (const Slot &slot : std::as_const(m_slots)) {
        slot.process->disconnect(this);
        delete slot.process; // kills the sandbox and waits for bwrap
    }
}

bool PrestartPool::fits(const Language &language, const sandbox::Limits &limits) const
{
    return isEnabled() && language.id == m_language.id && !language.isCompiled() &&
           language.runtimePath == m_language.runtimePath &&
           language.runCommand == m_language.runCommand &&
           language.environment == m_language.environment && sameRlimits(limits, m_spec->limits);
}

std::unique_ptr<sandbox::SandboxProcess> PrestartPool::take()
{
    const auto it = std::find_if(m_slots.begin(), m_slots.end(), [](const Slot &slot) {
        return slot.ready && !slot.retiring &&
               slot.process->state() == sandbox::SandboxProcess::State::Running;
    });
    if (it == m_slots.end())
        return nullptr;
    std::unique_ptr<sandbox::SandboxProcess> process(it->process);
    m_slots.erase(it);
    process->disconnect(this);
    process->setParent(nullptr);
    ++m_stats.served;
    // Right away, but off the job's path: from the event loop, after the run has been armed.
    // Runs that come faster than a sandbox starts still drain the pool; those go cold.
    scheduleRefill(0);
    return process;
}

int PrestartPool::readyCount() const
{
    return int(std::count_if(m_slots.begin(), m_slots.end(),
                             [](const Slot &slot) { return slot.ready && !slot.retiring; }));
}

void PrestartPool::scheduleRefill(int delayMs)
{
    if (!m_refillTimer.isActive() || delayMs < m_refillTimer.remainingTime())
        m_refillTimer.start(delayMs);
}

void PrestartPool::refill()
{
    const auto live = std::count_if(m_slots.begin(), m_slots.end(),
                                    [](const Slot &slot) { return !slot.retiring; });
    for (qsizetype i = live; i < m_options.size; ++i)
        startOne();
}

void PrestartPool::startOne()
{
    auto *process = new sandbox::SandboxProcess(this);
    Slot slot;
    slot.process = process;
    slot.age.start();
    m_slots.append(slot);
    // Ready once the launcher says so: bwrap's started() comes before python3 has even
    // initialised, and a run handed over then would wait for the interpreter's start-up.
    connect(process, &sandbox::SandboxProcess::controlLine, this, [this, process] {
        m_failures = 0;
        for (Slot &s : m_slots) {
            if (s.process == process)
                s.ready = true;
        }
    });
    connect(process, &sandbox::SandboxProcess::done, this,
            [this, process](const sandbox::Result &) { onDone(process); });
    ++m_stats.started;
    process->start(*m_spec);
}

void PrestartPool::onDone(sandbox::SandboxProcess *process)
{
    const auto it = std::find_if(m_slots.begin(), m_slots.end(),
                                 [process](const Slot &slot) { return slot.process == process; });
    if (it == m_slots.end())
        return;
    const bool wasReady = it->ready;
    const bool retired = it->retiring;
    m_slots.erase(it);
    process->disconnect(this);
    process->deleteLater(); // we are inside its done()
    ++m_stats.replaced;
    if (retired || wasReady) {
        scheduleRefill(0);
        return;
    }
    // Died while starting: bwrap failed, or the host is short of memory. Back off.
    ++m_failures;
    const int delay = int(std::min<qint64>(qint64(1000) << std::min(m_failures, 6), maxBackoffMs));
    qCWarning(lcLanguages) << "a pre-started sandbox died while starting; next try in" << delay
                           << "ms";
    scheduleRefill(delay);
}

void PrestartPool::retireStale()
{
    for (Slot &slot : m_slots) {
        if (slot.ready && !slot.retiring && slot.age.elapsed() > m_options.maxIdleMs) {
            slot.retiring = true;
            slot.process->stop(); // its done() replaces it
        }
    }
}

} // namespace coderoom::languages
