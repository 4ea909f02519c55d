#include "sandboxlog_p.h"
#include "sandboxprocess_p.h"

#include <algorithm>
#include <cerrno>
#include <climits>
#include <csignal>
#include <pthread.h>
#include <sys/ioctl.h>
#include <unistd.h>

// The ways into a sandboxed process: its stdin, the control channel of REPL drivers and
// launchers, and arm(), which hands a pre-started process its job.
namespace coderoom::sandbox {

namespace {

// Writes without letting a closed reader raise SIGPIPE in the server: the signal is blocked in
// this thread for the call and a pending one is consumed.
ssize_t writeNoSigpipe(int fd, const char *data, size_t size)
{
    sigset_t pipeSet;
    sigset_t old;
    sigemptyset(&pipeSet);
    sigaddset(&pipeSet, SIGPIPE);
    ::pthread_sigmask(SIG_BLOCK, &pipeSet, &old);
    ssize_t n;
    do {
        n = ::write(fd, data, size);
    } while (n < 0 && errno == EINTR);
    const int error = errno;
    if (n < 0 && error == EPIPE) {
        const timespec zero{};
        ::sigtimedwait(&pipeSet, nullptr, &zero);
    }
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    errno = error;
    return n;
}

} // namespace

void SandboxProcessPrivate::onControlReadable()
{
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::read(m_controlFromDriver, buffer, sizeof buffer);
        if (n > 0) {
            m_controlBuffer.append(buffer, n);
            if (m_controlBuffer.size() > maxControlLine && !m_controlBuffer.contains('\n')) {
                qCWarning(lcSandbox) << "control line too long; stopping the job";
                m_controlBuffer.clear();
                beginKill(Outcome::OutputLimit);
                return;
            }
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0 && m_controlNotifier)
            m_controlNotifier->setEnabled(false);
        break;
    }
    // A driver writes a cell's output before its result line (docs/drivers.md), but our output
    // pipes are read by separate notifiers: drain them first, so output() for a cell always
    // comes before the control line that ends it.
    if (m_controlBuffer.contains('\n'))
        drainOutput();
    qsizetype newline;
    while ((newline = m_controlBuffer.indexOf('\n')) >= 0) {
        const QByteArray line = m_controlBuffer.left(newline);
        m_controlBuffer.remove(0, newline + 1);
        emit q->controlLine(line);
    }
}

void SandboxProcessPrivate::flushStdin()
{
    while (!m_stdinBuffer.isEmpty() && m_stdinWrite >= 0) {
        const ssize_t n = writeNoSigpipe(m_stdinWrite, m_stdinBuffer.constData(),
                                         static_cast<size_t>(m_stdinBuffer.size()));
        if (n > 0) {
            m_stdinBuffer.remove(0, n);
            continue;
        }
        if (n < 0 && errno == EAGAIN)
            break;
        // EPIPE: the program closed its stdin or is gone; what it did not read is dropped.
        m_stdinBuffer.clear();
        m_stdinCloseRequested = true;
        break;
    }
    if (m_stdinNotifier)
        m_stdinNotifier->setEnabled(!m_stdinBuffer.isEmpty());
    if (m_stdinBuffer.isEmpty() && m_stdinCloseRequested) {
        delete m_stdinNotifier;
        m_stdinNotifier = nullptr;
        closeFd(m_stdinWrite);
    }
}

void SandboxProcessPrivate::flushControl()
{
    while (!m_controlOutBuffer.isEmpty() && m_controlToDriver >= 0) {
        const ssize_t n = writeNoSigpipe(m_controlToDriver, m_controlOutBuffer.constData(),
                                         static_cast<size_t>(m_controlOutBuffer.size()));
        if (n > 0) {
            m_controlOutBuffer.remove(0, n);
            m_controlDelivered += n;
            continue;
        }
        if (n < 0 && errno != EAGAIN)
            m_controlOutBuffer.clear(); // the driver closed fd 3 or is gone
        break;
    }
    if (m_controlOutNotifier)
        m_controlOutNotifier->setEnabled(!m_controlOutBuffer.isEmpty());
}

void SandboxProcess::writeStdin(const QByteArray &data)
{
    if (d->m_stdinWrite < 0 || d->m_stdinCloseRequested || d->m_state == State::Finished)
        return;
    if (d->m_stdinBuffer.size() + data.size() > maxPendingInput) {
        qCWarning(lcSandbox) << "the program does not read its stdin; input dropped";
        return;
    }
    d->m_stdinBuffer += data;
    d->m_inputWantedSent = false;
    d->resumeWallClock();
    d->flushStdin();
}

void SandboxProcess::closeStdin()
{
    if (d->m_stdinWrite < 0)
        return;
    d->m_stdinCloseRequested = true;
    d->resumeWallClock(); // the program reads EOF next: back to running
    d->flushStdin();
}

qint64 SandboxProcess::writeControl(const QByteArray &line)
{
    if (d->m_controlToDriver < 0 || d->m_state == State::Finished || d->m_finishing)
        return -1;
    if (d->m_controlOutBuffer.size() + line.size() > maxPendingInput) {
        qCWarning(lcSandbox) << "the driver does not read its control channel; line dropped";
        return -1;
    }
    d->m_controlOutBuffer += line + '\n';
    d->m_controlQueued += line.size() + 1;
    const qint64 end = d->m_controlQueued;
    d->flushControl();
    return end;
}

qint64 SandboxProcess::controlBytesDelivered() const
{
    return d->m_controlDelivered;
}

qint64 SandboxProcess::pendingStdinBytes() const
{
    int queued = 0;
    if (d->m_stdinWrite >= 0)
        ::ioctl(d->m_stdinWrite, FIONREAD, &queued);
    return d->m_stdinBuffer.size() + queued;
}

void SandboxProcessPrivate::beginJob()
{
    m_wallTimer.start(static_cast<int>(std::clamp<qint64>(m_spec.limits.wallMs, 1, INT_MAX)));
    if (m_spec.stdinData) {
        m_stdinBuffer = *m_spec.stdinData;
        m_stdinCloseRequested = true;
        flushStdin();
    }
}

bool SandboxProcess::arm(const Arming &arming)
{
    const bool alive = d->m_state == State::Starting || d->m_state == State::Running;
    if (!d->m_spec.armLater || d->m_armed || !alive || d->m_killReason || d->m_finishing)
        return false;
    d->m_armed = true;
    // Only what the server enforces from outside may change: the rlimits were set at start.
    d->m_spec.limits.wallMs = arming.wallMs;
    d->m_spec.limits.outputBytes = arming.outputBytes;
    d->m_spec.limits.inputWaitMs = arming.inputWaitMs;
    d->m_spec.stdinData = arming.stdinData;
    d->m_clock.start(); // Result::wallMs and the wall limit count from here
    d->m_pollTimer.setInterval(pollIntervalMs);
    if (d->m_pollTimer.isActive())
        d->m_pollTimer.start();
    d->beginJob();
    return true;
}

bool SandboxProcess::isArmed() const
{
    return d->m_armed;
}

} // namespace coderoom::sandbox
