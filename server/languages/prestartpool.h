#pragma once

#include "languageregistry.h"
#include "sandboxtypes.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QTimer>

#include <memory>
#include <optional>

namespace coderoom::sandbox {
class SandboxProcess;
}

// Pre-started sandboxes for batch runs of one interpreted language (Python): each is the
// language's normal run sandbox (same binds, environment, rlimits, seccomp, uid, tmpfs /work)
// whose command is a launcher blocked on the control channel until a job arrives
// (resources/drivers/python_launcher.py). Starting bwrap + python3 is the floor of a batch run;
// a pre-started one only has to be handed its files. Each serves exactly ONE run and is then
// discarded: nothing a program leaves behind can reach the next student.
//
// One pooled sandbox's life:
//   Starting --the launcher's {"op":"ready"} line--> Ready
//   Ready --take()--> handed to a ProgramRun (the pool forgets it) and a refill is queued
//   Ready --idle past maxIdleMs--> Retiring --done()--> replaced (fresh interpreters only)
//   Starting/Ready --died--> dropped and replaced; after a back-off (doubling, at most 60 s)
//                            when it died before it was ready, so a broken sandbox (or a host
//                            out of memory) does not make the server spin starting them.
namespace coderoom::languages {

struct PrestartOptions
{
    int size = 0;                        // ready sandboxes kept; 0 disables the pool
    qint64 maxIdleMs = 10LL * 60 * 1000; // an unused sandbox older than this is replaced
};

struct PrestartStats
{
    qint64 served = 0;   // runs that got a pre-started sandbox
    qint64 cold = 0;     // runs that started their own sandbox (any language, or no fit)
    qint64 started = 0;  // sandboxes the pool started
    qint64 replaced = 0; // sandboxes that died or went stale before a run took them
};

class PrestartPool final : public QObject
{
    Q_OBJECT
public:
    // `language` is copied. The pool is disabled (problem() says why) when the language is not
    // an available interpreted one or the launcher is missing under <resourcesDir>/drivers.
    PrestartPool(const Language &language, const QString &resourcesDir,
                 const PrestartOptions &options, QObject *parent = nullptr);
    ~PrestartPool() override; // stops every pooled sandbox

    bool isEnabled() const { return m_problem.isEmpty() && m_options.size > 0; }
    QString problem() const { return m_problem; }

    // True when a run of `language` with these run limits is equivalent in a pooled sandbox:
    // same language setup and the same rlimits (wall and output limits may differ: they are
    // enforced from outside and handed over at arm time).
    bool fits(const Language &language, const sandbox::Limits &limits) const;
    // A ready sandbox, now owned by the caller, who must arm() it; nullptr when none is ready.
    std::unique_ptr<sandbox::SandboxProcess> take();
    void noteCold() { ++m_stats.cold; }

    int readyCount() const;
    PrestartStats stats() const { return m_stats; }

private:
    struct Slot
    {
        sandbox::SandboxProcess *process = nullptr;
        QElapsedTimer age;
        bool ready = false;
        bool retiring = false;
    };

    void scheduleRefill(int delayMs);
    void refill();
    void startOne();
    void onDone(sandbox::SandboxProcess *process);
    void retireStale();

    Language m_language;
    PrestartOptions m_options;
    std::optional<sandbox::Spec> m_spec;
    QString m_problem;
    QList<Slot> m_slots;
    QTimer m_refillTimer;
    QTimer m_staleTimer;
    int m_failures = 0; // consecutive sandboxes that died before they were ready
    PrestartStats m_stats;
};

// The Spec of a pre-started sandbox for `language`: its run spec with the launcher as the
// command (python3 -s -S -u -c <launcher>), the control channel and Spec::armLater.
// nullopt (+ *error) when the language is not interpreted Python or the launcher is missing.
std::optional<sandbox::Spec> prestartSpec(const Language &language, const QString &resourcesDir,
                                          QString *error = nullptr);

} // namespace coderoom::languages
