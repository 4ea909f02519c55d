#include "localserver.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QProcess>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTimer>

#include <array>

#ifdef Q_OS_LINUX
#include <signal.h>
#include <sys/prctl.h>
#endif

Q_LOGGING_CATEGORY(lcLocalServer, "coderoom.app.localserver")

namespace coderoom::localserver {

namespace {

constexpr auto AnnouncePrefix = "coderoomd listening on ";
constexpr std::array RestartBackoffMs{500, 1000, 2000, 4000, 8000};

QString randomTokenHex()
{
    std::array<quint32, 8> words{}; // 32 bytes
    QRandomGenerator::system()->fillRange(words.data(), words.size());
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(words.data()), sizeof(words)).toHex());
}

} // namespace

class LocalServerPrivate
{
public:
    LocalServerSetup setup;
    LocalServerState state = LocalServerState::Stopped;
    QProcess *process = nullptr;
    QTimer startTimer;   // Starting: the URL must be announced in time
    QTimer restartTimer; // Crashed: backoff before Starting again
    QTimer killTimer;    // Stopping: SIGKILL after the grace period
    QElapsedTimer runningFor;
    QByteArray stdoutBuffer;
    QUrl url;
    QString token;
    QString tokenFile;
    QString program;
    QString error;
    int crashesInARow = 0;
    bool doneSent = true;
};

LocalServer::LocalServer(const LocalServerSetup &setup, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<LocalServerPrivate>())
{
    d->setup = setup;
    d->startTimer.setSingleShot(true);
    d->restartTimer.setSingleShot(true);
    d->killTimer.setSingleShot(true);
    connect(&d->startTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcLocalServer) << "coderoomd did not announce its URL in time";
        d->error =
            tr("The local server did not start within %1 s").arg(d->setup.startTimeoutMs / 1000);
        if (d->process)
            d->process->kill(); // finished() then takes the crash path
    });
    connect(&d->restartTimer, &QTimer::timeout, this, [this] { launch(); });
    connect(&d->killTimer, &QTimer::timeout, this, [this] {
        if (d->process) {
            qCWarning(lcLocalServer) << "coderoomd ignored SIGTERM; killing it";
            d->process->kill();
        }
    });
}

LocalServer::~LocalServer()
{
    if (d->process && d->process->state() != QProcess::NotRunning) {
        // Destruction can't wait for the event loop: stop synchronously, in two stages.
        d->process->disconnect(this);
        d->process->terminate();
        if (!d->process->waitForFinished(d->setup.stopTimeoutMs)) {
            d->process->kill();
            d->process->waitForFinished(2000);
        }
    }
}

QString LocalServer::findProgram()
{
    const QString appDir = QCoreApplication::applicationDirPath();
    const QStringList candidates{appDir + QStringLiteral("/coderoomd"),
                                 appDir + QStringLiteral("/../server/coderoomd")};
    for (const QString &candidate : candidates) {
        const QFileInfo info(candidate);
        if (info.isFile() && info.isExecutable())
            return info.canonicalFilePath();
    }
    return QStandardPaths::findExecutable(QStringLiteral("coderoomd"));
}

void LocalServer::setSetup(const LocalServerSetup &setup)
{
    d->setup = setup;
}
LocalServerSetup LocalServer::setup() const
{
    return d->setup;
}
LocalServerState LocalServer::state() const
{
    return d->state;
}
QUrl LocalServer::url() const
{
    return d->url;
}
QString LocalServer::token() const
{
    return d->token;
}
QString LocalServer::tokenFile() const
{
    return d->tokenFile;
}
QString LocalServer::program() const
{
    return d->program;
}
QString LocalServer::errorString() const
{
    return d->error;
}

qint64 LocalServer::processId() const
{
    return d->process ? d->process->processId() : 0;
}

void LocalServer::setState(LocalServerState state)
{
    if (d->state == state)
        return;
    d->state = state;
    emit stateChanged(state);
}

void LocalServer::finish(LocalServerOutcome outcome, const QString &message)
{
    d->startTimer.stop();
    d->restartTimer.stop();
    d->killTimer.stop();
    d->url.clear();
    setState(LocalServerState::Stopped);
    if (d->doneSent)
        return;
    d->doneSent = true;
    emit done(outcome, message);
}

void LocalServer::start()
{
    if (d->state != LocalServerState::Stopped)
        return;
    d->doneSent = false;
    d->error.clear();
    d->crashesInARow = 0;

    d->program = d->setup.program.isEmpty() ? findProgram() : d->setup.program;
    if (d->program.isEmpty() || !QFileInfo(d->program).isExecutable()) {
        d->error = tr("coderoomd was not found next to the application or on PATH");
        finish(LocalServerOutcome::NotFound, d->error);
        return;
    }
    if (!writeTokenFile()) {
        finish(LocalServerOutcome::SetupFailed, d->error);
        return;
    }
    launch();
}

bool LocalServer::writeTokenFile()
{
    QString dataDir = d->setup.dataDir;
    if (dataDir.isEmpty()) {
        dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation) +
                  QStringLiteral("/local-server");
    }
    if (!QDir().mkpath(dataDir)) {
        d->error = tr("Cannot create the local server's data directory %1").arg(dataDir);
        return false;
    }
    QFile::setPermissions(dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    d->setup.dataDir = dataDir;

    // A fresh token per start: nothing else on the machine needs to know it. Remove first so
    // the file is created with 0600 rather than inheriting an older file's mode.
    d->tokenFile = dataDir + QStringLiteral("/desktop-token");
    d->token = randomTokenHex();
    QFile::remove(d->tokenFile);
    QFile file(d->tokenFile);
    const auto ownerOnly = QFile::ReadOwner | QFile::WriteOwner;
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate, ownerOnly) ||
        file.write(d->token.toLatin1() + '\n') < 0 || !file.flush()) {
        d->error = tr("Cannot write the token file %1: %2").arg(d->tokenFile, file.errorString());
        return false;
    }
    file.setPermissions(ownerOnly);
    return true;
}

void LocalServer::launch()
{
    d->stdoutBuffer.clear();
    d->url.clear();
    if (d->process) {
        d->process->disconnect(this);
        d->process->deleteLater();
    }
    auto *process = new QProcess(this);
    d->process = process;
    process->setProgram(d->program);
    QStringList args{QStringLiteral("--listen"),     QStringLiteral("127.0.0.1:0"),
                     QStringLiteral("--data-dir"),   d->setup.dataDir,
                     QStringLiteral("--token-file"), d->tokenFile};
    args += d->setup.extraArgs;
    process->setArguments(args);
#ifdef Q_OS_LINUX
    // The server must not outlive the app, even when the app is killed without a chance to
    // stop it. prctl is async-signal-safe, as a child modifier must be.
    process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGTERM); });
#endif
    connect(process, &QProcess::readyReadStandardOutput, this, [this, process] {
        if (process == d->process)
            readStdout();
    });
    connect(process, &QProcess::readyReadStandardError, this, [process] {
        const QByteArray text = process->readAllStandardError().trimmed();
        if (!text.isEmpty())
            qCInfo(lcLocalServer).noquote() << "coderoomd:" << QString::fromUtf8(text);
    });
    connect(process, &QProcess::finished, this, [this, process](int code, QProcess::ExitStatus st) {
        if (process != d->process)
            return;
        onProcessEnded(st == QProcess::CrashExit ? tr("coderoomd was killed")
                                                 : tr("coderoomd exited with code %1").arg(code));
    });
    connect(process, &QProcess::errorOccurred, this, [this, process](QProcess::ProcessError e) {
        if (process != d->process || e != QProcess::FailedToStart)
            return; // the other errors come with finished()
        onProcessEnded(tr("coderoomd could not be started: %1").arg(process->errorString()));
    });

    setState(LocalServerState::Starting);
    qCInfo(lcLocalServer) << "starting" << d->program << args;
    d->startTimer.start(d->setup.startTimeoutMs);
    process->start(QIODevice::ReadOnly);
}

void LocalServer::readStdout()
{
    d->stdoutBuffer += d->process->readAllStandardOutput();
    if (d->state != LocalServerState::Starting) {
        // Later output is only logged; keep the pipe drained so the child never blocks on it.
        for (const QByteArray &line : d->stdoutBuffer.split('\n')) {
            if (!line.trimmed().isEmpty())
                qCDebug(lcLocalServer).noquote() << "coderoomd:" << QString::fromUtf8(line);
        }
        d->stdoutBuffer.clear();
        return;
    }
    const qsizetype newline = d->stdoutBuffer.indexOf('\n');
    if (newline < 0) {
        if (d->stdoutBuffer.size() > 4096)
            d->stdoutBuffer.clear(); // not the announcement; don't grow without bound
        return;
    }
    const QString line = QString::fromUtf8(d->stdoutBuffer.left(newline)).trimmed();
    d->stdoutBuffer.remove(0, newline + 1);
    const QUrl url(line.startsWith(QLatin1String(AnnouncePrefix))
                       ? line.mid(qsizetype(qstrlen(AnnouncePrefix)))
                       : QString());
    if (!url.isValid() || url.scheme() != QLatin1String("ws") || url.port() <= 0) {
        qCWarning(lcLocalServer) << "unexpected first line from coderoomd:" << line;
        d->error = tr("The local server announced no URL: %1").arg(line);
        d->process->kill();
        return;
    }
    d->startTimer.stop();
    d->url = url;
    d->runningFor.start();
    setState(LocalServerState::Running);
    qCInfo(lcLocalServer) << "coderoomd is up at" << url.toString();
    emit ready(url);
}

void LocalServer::onProcessEnded(const QString &reason)
{
    d->startTimer.stop();
    if (d->state == LocalServerState::Stopping || d->state == LocalServerState::Stopped) {
        d->killTimer.stop();
        d->process->deleteLater();
        d->process = nullptr;
        finish(LocalServerOutcome::Stopped, tr("The local server was stopped"));
        return;
    }
    if (d->state == LocalServerState::Running && d->runningFor.elapsed() >= d->setup.stableRunMs)
        d->crashesInARow = 0;
    ++d->crashesInARow;
    if (d->error.isEmpty() || d->state == LocalServerState::Running)
        d->error = reason;
    qCWarning(lcLocalServer) << "coderoomd ended:" << d->error << "crash" << d->crashesInARow;
    d->process->deleteLater();
    d->process = nullptr;
    d->url.clear();

    if (d->crashesInARow > d->setup.maxRestarts) {
        finish(LocalServerOutcome::GaveUp, tr("The local server keeps failing: %1").arg(d->error));
        return;
    }
    setState(LocalServerState::Crashed);
    emit crashed(d->error);
    const auto index =
        std::min<std::size_t>(std::size_t(d->crashesInARow - 1), RestartBackoffMs.size() - 1);
    d->error.clear();
    d->restartTimer.start(RestartBackoffMs[index]);
}

void LocalServer::stop()
{
    switch (d->state) {
    case LocalServerState::Stopped:
    case LocalServerState::Stopping:
        return;
    case LocalServerState::Crashed:
        finish(LocalServerOutcome::Stopped, tr("The local server was stopped"));
        return;
    case LocalServerState::Starting:
    case LocalServerState::Running:
        break;
    }
    d->startTimer.stop();
    setState(LocalServerState::Stopping);
    // SIGTERM lets coderoomd finish or cancel running work and persist sessions.
    d->process->terminate();
    d->killTimer.start(d->setup.stopTimeoutMs);
}

} // namespace coderoom::localserver
