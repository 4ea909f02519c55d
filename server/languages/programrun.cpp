#include "programrun.h"

#include "compilecache.h"
#include "languageslog.h"
#include "sandboxprocess.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>

#include <algorithm>
#include <utility>

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace coderoom::languages {

namespace {

constexpr qsizetype MaxFileNameLength = 128;
constexpr qsizetype MaxReplayedCompileOutput = 64 * 1024;
constexpr int MaxOutputFiles = 1000;
// Larger programs go the cold path: the launcher holds the job line in memory (base64) under
// the same RLIMIT_AS as the program.
constexpr qint64 MaxPrestartFileBytes = 4 * 1024 * 1024;

qint64 lowered(qint64 base, const std::optional<qint64> &requested)
{
    return requested && *requested > 0 ? qMin(base, *requested) : base;
}

// Reads one regular file out of the compile step's /out through a descriptor. The compile
// sandbox wrote that directory, so any entry may be a symlink to a host file, a FIFO that would
// block, or a huge sparse file: O_NOFOLLOW refuses links, O_NONBLOCK keeps a FIFO from hanging
// open(), fstat() on the open descriptor checks what was actually opened.
std::optional<QByteArray> readOutputFile(int dirFd, const QString &name, qint64 maxBytes,
                                         QString *why)
{
    const QByteArray encoded = QFile::encodeName(name);
    const int fd = ::openat(dirFd, encoded.constData(),
                            O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0) {
        *why = QStringLiteral("cannot open compiler output %1: %2")
                   .arg(name, QString::fromLocal8Bit(strerror(errno)));
        return std::nullopt;
    }
    struct stat st = {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > maxBytes) {
        *why = QStringLiteral("compiler output %1 is not a regular file of sane size").arg(name);
        ::close(fd);
        return std::nullopt;
    }
    QByteArray content;
    content.reserve(qsizetype(st.st_size));
    char buffer[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            *why = QStringLiteral("cannot read compiler output %1").arg(name);
            ::close(fd);
            return std::nullopt;
        }
        if (n == 0)
            break;
        content.append(buffer, n);
        if (content.size() > maxBytes) {
            *why = QStringLiteral("compiler output %1 grew past its size limit").arg(name);
            ::close(fd);
            return std::nullopt;
        }
    }
    ::close(fd);
    return content;
}

// The parent of the compile steps' /out directories: it must be traversable by the sandbox's
// uid (0711), ours, and a real directory (a shared /tmp could hold someone else's symlink).
QString scratchRoot(const QString &configured, QString *why)
{
    const QString root =
        configured.isEmpty()
            ? QDir::tempPath() + QStringLiteral("/coderoom-out-%1").arg(::geteuid())
            : configured;
    const QByteArray path = QFile::encodeName(root);
    if (::mkdir(path.constData(), 0711) != 0 && errno != EEXIST) {
        *why = QStringLiteral("cannot create %1: %2")
                   .arg(root, QString::fromLocal8Bit(strerror(errno)));
        return {};
    }
    struct stat st = {};
    if (::lstat(path.constData(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
        *why = QStringLiteral("%1 is not a directory owned by the server").arg(root);
        return {};
    }
    ::chmod(path.constData(), 0711);
    return root;
}

// The one line resources/drivers/python_launcher.py reads on fd 3.
QByteArray launcherJob(const QList<ProgramFile> &files, const QString &main,
                       const QStringList &args)
{
    QJsonArray list;
    for (const ProgramFile &file : files) {
        list.append(
            QJsonObject{{QStringLiteral("name"), file.name},
                        {QStringLiteral("content"), QString::fromLatin1(file.content.toBase64())}});
    }
    const QJsonObject job{{QStringLiteral("files"), list},
                          {QStringLiteral("main"), main},
                          {QStringLiteral("args"), QJsonArray::fromStringList(args)}};
    return QJsonDocument(job).toJson(QJsonDocument::Compact);
}

QString describeFailure(const sandbox::Result &result, const QString &what)
{
    switch (result.outcome) {
    case sandbox::Outcome::Exited:
        return QStringLiteral("%1 failed (exit code %2)").arg(what).arg(result.exitCode);
    case sandbox::Outcome::Timeout:
        return QStringLiteral("%1 ran past its time limit").arg(what);
    case sandbox::Outcome::InputTimeout:
        return QStringLiteral("%1 waited too long for input").arg(what);
    case sandbox::Outcome::CpuLimit:
        return QStringLiteral("%1 used up its CPU time").arg(what);
    case sandbox::Outcome::MemoryLimit:
        return QStringLiteral("%1 ran out of memory").arg(what);
    case sandbox::Outcome::OutputLimit:
        return QStringLiteral("%1 wrote too much output").arg(what);
    case sandbox::Outcome::ProcessLimit:
        return QStringLiteral("%1 hit the process limit").arg(what);
    case sandbox::Outcome::Signalled:
        return QStringLiteral("%1 was killed by signal %2").arg(what).arg(result.signal);
    case sandbox::Outcome::Stopped:
        return QStringLiteral("%1 was stopped").arg(what);
    case sandbox::Outcome::FailedToStart:
        return QStringLiteral("%1 could not start: %2").arg(what, result.message);
    }
    return what;
}

} // namespace

class ProgramRunPrivate
{
public:
    ProgramRunPrivate(ProgramRun *owner, const Language &lang, const ProgramRequest &req,
                      const ProgramRunOptions &opts)
        : q(owner)
        , language(lang)
        , request(req)
        , options(opts)
        , cache(opts.cacheDir, opts.cacheMaxBytes)
    {}

    void proceed();
    bool validate(QString *why);
    void startCompile();
    void compileFinished(const sandbox::Result &result);
    std::optional<QList<CachedFile>> collectOutputs(QString *why);
    void startRun();
    bool startPrestarted(const sandbox::Spec &spec);
    void connectRun();
    void markRunStarted(); // the run step began: flush buffered stdin, emit started()
    void runFinished(const sandbox::Result &result);
    void finish();
    void finishStopped(const QString &message);
    qint64 programMemoryMb() const;

    ProgramRun *q;
    Language language;
    ProgramRequest request;
    ProgramRunOptions options;
    CompileCache cache;

    ProgramRun::State state = ProgramRun::State::NotStarted;
    ProgramResult result;
    QString mainFile;
    QByteArray cacheKey;
    QList<CachedFile> compiledFiles;
    QByteArray compileOutput;
    std::unique_ptr<QTemporaryDir> outDir;
    QElapsedTimer compileTimer;
    std::unique_ptr<sandbox::SandboxProcess> process;
    bool stopRequested = false;
    QByteArray pendingStdin;
    bool pendingClose = false;
    bool runStarted = false;
};

bool ProgramRun::isValidFileName(const QString &name, QString *why)
{
    static const QRegularExpression allowed(QStringLiteral("^[A-Za-z0-9_+-][A-Za-z0-9._+-]*$"));
    auto fail = [why](const QString &reason) {
        if (why)
            *why = reason;
        return false;
    };
    if (name.isEmpty())
        return fail(QStringLiteral("a file has no name"));
    if (name.size() > MaxFileNameLength)
        return fail(QStringLiteral("file name longer than %1 characters").arg(MaxFileNameLength));
    if (name.contains(QChar(0)))
        return fail(QStringLiteral("file name contains NUL"));
    if (name.startsWith(QLatin1Char('/')) || name.contains(QLatin1String("..")))
        return fail(QStringLiteral("file name %1 must be a plain relative name").arg(name));
    if (!allowed.match(name).hasMatch())
        return fail(QStringLiteral("file name %1 may use only letters, digits and ._+-").arg(name));
    return true;
}

bool ProgramRunPrivate::validate(QString *why)
{
    if (!language.available) {
        *why = QStringLiteral("%1 is unavailable: %2").arg(language.id, language.problem);
        return false;
    }
    if (request.files.isEmpty()) {
        *why = QStringLiteral("no files to run");
        return false;
    }
    QSet<QString> names;
    for (const ProgramFile &file : std::as_const(request.files)) {
        if (!ProgramRun::isValidFileName(file.name, why))
            return false;
        if (language.isCompiled() && file.name == language.compile->outputs.first()) {
            *why =
                QStringLiteral("file name %1 is reserved for the compiled program").arg(file.name);
            return false;
        }
        if (names.contains(file.name)) {
            *why = QStringLiteral("file %1 given twice").arg(file.name);
            return false;
        }
        names.insert(file.name);
    }
    mainFile = request.main.isEmpty() ? request.files.first().name : request.main;
    if (!names.contains(mainFile)) {
        *why = QStringLiteral("main file %1 is not among the files").arg(mainFile);
        return false;
    }
    return true;
}

qint64 ProgramRunPrivate::programMemoryMb() const
{
    return lowered(language.limits.memoryMb, request.limits.memoryMb);
}

void ProgramRunPrivate::proceed()
{
    if (stopRequested) {
        finishStopped(QStringLiteral("stopped before it started"));
        return;
    }
    QString why;
    if (!validate(&why)) {
        result.invalidRequest = true;
        result.run.outcome = sandbox::Outcome::FailedToStart;
        result.run.message = why;
        result.message = why;
        finish();
        return;
    }
    if (!language.isCompiled()) {
        startRun();
        return;
    }
    QList<QPair<QString, QByteArray>> keyFiles;
    for (const ProgramFile &file : std::as_const(request.files))
        keyFiles.append({file.name, file.content});
    cacheKey = CompileCache::key(language.id, language.compile->compilerVersion,
                                 language.compile->command, keyFiles, mainFile);
    if (auto entry = cache.lookup(cacheKey)) {
        qCDebug(lcLanguages) << "compile cache hit" << cacheKey.left(12);
        result.cacheHit = true;
        compiledFiles = entry->files;
        if (!entry->compileOutput.isEmpty())
            emit q->output(ProgramStream::Compile, entry->compileOutput);
        if (stopRequested)
            finishStopped(QStringLiteral("stopped before it started"));
        else
            startRun();
        return;
    }
    startCompile();
}

void ProgramRunPrivate::startCompile()
{
    state = ProgramRun::State::Compiling;
    const CompileStep &step = *language.compile;

    // A fresh, empty host directory is the compile step's only writable way out.
    QString why;
    const QString scratch = scratchRoot(options.scratchDir, &why);
    if (!scratch.isEmpty()) {
        outDir = std::make_unique<QTemporaryDir>(scratch + QStringLiteral("/out-XXXXXX"));
        if (!outDir->isValid())
            why = QStringLiteral("cannot create a compile output directory: %1")
                      .arg(outDir->errorString());
    }
    if (!outDir || !outDir->isValid()) {
        outDir.reset();
        result.run.outcome = sandbox::Outcome::FailedToStart;
        result.run.message = why;
        result.message = why;
        finish();
        return;
    }
    // The job may run as another uid (65534 when the server is root). The random name inside
    // a 0711 directory keeps other host users out; inside, only this job's sandbox sees it.
    QFile::setPermissions(outDir->path(), QFileDevice::Permissions(0x7777));

    sandbox::Spec spec;
    spec.niceness = batchNiceness;
    TemplateValues values;
    values.compiler = step.compilerPath;
    values.runtime = language.runtimePath;
    values.main = mainFile;
    values.memoryMb = step.limits.memoryMb;
    for (const ProgramFile &file : std::as_const(request.files)) {
        spec.files.append(sandbox::InputFile{file.name, file.content, false});
        const QString ext = file.name.section(QLatin1Char('.'), -1).toLower();
        if (file.name.contains(QLatin1Char('.')) && step.sourceExtensions.contains(ext))
            values.sources.append(file.name);
    }
    if (values.sources.isEmpty()) {
        result.compileFailed = true;
        result.compile.outcome = sandbox::Outcome::FailedToStart;
        result.message = QStringLiteral("no %1 source files (%2)")
                             .arg(language.name, step.sourceExtensions.join(QLatin1String(", ")));
        emit q->compileStarted();
        emit q->output(ProgramStream::Compile, result.message.toUtf8() + '\n');
        finish();
        return;
    }
    spec.command = expandCommand(step.command, values);
    spec.binds = language.binds;
    spec.binds.append(sandbox::Bind{outDir->path(), QStringLiteral("/out"), true});
    spec.environment = language.environment;
    spec.limits = step.limits;
    spec.limits.wallMs = lowered(step.limits.wallMs, request.limits.compileWallMs);
    spec.limits.memoryMb += step.memoryOverheadMb;
    spec.stdinData = QByteArray(); // the compiler reads no input

    compileTimer.start();
    emit q->compileStarted();
    if (stopRequested) { // a slot connected to compileStarted() stopped us
        outDir.reset();
        finishStopped(QStringLiteral("stopped while compiling"));
        return;
    }
    process = std::make_unique<sandbox::SandboxProcess>();
    QObject::connect(process.get(), &sandbox::SandboxProcess::output, q,
                     [this](sandbox::Stream, const QByteArray &data) {
                         if (compileOutput.size() < MaxReplayedCompileOutput)
                             compileOutput +=
                                 data.left(MaxReplayedCompileOutput - compileOutput.size());
                         emit q->output(ProgramStream::Compile, data);
                     });
    QObject::connect(process.get(), &sandbox::SandboxProcess::done, q,
                     [this](const sandbox::Result &r) { compileFinished(r); });
    qCDebug(lcLanguages).noquote() << "compile:" << spec.command.join(QLatin1Char(' '));
    process->start(spec);
}

std::optional<QList<CachedFile>> ProgramRunPrivate::collectOutputs(QString *why)
{
    const CompileStep &step = *language.compile;
    const QByteArray dirPath = QFile::encodeName(outDir->path());
    const int dirFd = ::open(dirPath.constData(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dirFd < 0) {
        *why = QStringLiteral("cannot open the compile output directory");
        return std::nullopt;
    }
    QList<CachedFile> files;
    qint64 total = 0;
    const QStringList names =
        QDir(outDir->path())
            .entryList(QDir::Files | QDir::System | QDir::Hidden | QDir::NoDotAndDotDot,
                       QDir::Name);
    for (const QString &name : names) {
        const bool wanted =
            std::any_of(step.outputs.begin(), step.outputs.end(),
                        [&name](const QString &pattern) { return QDir::match(pattern, name); });
        if (!wanted)
            continue;
        if (files.size() >= MaxOutputFiles) {
            *why = QStringLiteral("the compiler produced too many files");
            ::close(dirFd);
            return std::nullopt;
        }
        auto content = readOutputFile(dirFd, name, options.maxOutputFileBytes - total, why);
        if (!content) {
            ::close(dirFd);
            return std::nullopt;
        }
        total += content->size();
        files.append(CachedFile{name, *content, step.outputsExecutable});
    }
    ::close(dirFd);
    if (files.isEmpty()) {
        *why = QStringLiteral("the compiler produced no program");
        return std::nullopt;
    }
    return files;
}

void ProgramRunPrivate::compileFinished(const sandbox::Result &compileResult)
{
    result.compiled = true;
    result.compile = compileResult;
    result.compileMs = compileTimer.elapsed();
    process.release()->deleteLater(); // we are inside its done(): delete it later
    if (stopRequested) {
        outDir.reset();
        finishStopped(QStringLiteral("stopped while compiling"));
        return;
    }
    if (compileResult.outcome != sandbox::Outcome::Exited || compileResult.exitCode != 0) {
        outDir.reset();
        result.compileFailed = true;
        result.message = describeFailure(compileResult, QStringLiteral("compilation"));
        finish();
        return;
    }
    QString why;
    auto files = collectOutputs(&why);
    outDir.reset();
    if (!files) {
        result.compileFailed = true;
        result.message = why;
        emit q->output(ProgramStream::Compile, why.toUtf8() + '\n');
        finish();
        return;
    }
    compiledFiles = *files;
    QString storeError;
    if (cache.isEnabled() &&
        !cache.store(cacheKey, CacheEntry{compiledFiles, compileOutput}, &storeError))
        qCWarning(lcLanguages) << "cannot store compile cache entry:" << storeError;
    startRun();
}

void ProgramRunPrivate::startRun()
{
    state = ProgramRun::State::Running;
    sandbox::Spec spec;
    spec.niceness = batchNiceness;
    TemplateValues values;
    values.runtime = language.runtimePath;
    values.main = mainFile;
    values.args = request.args;
    values.memoryMb = programMemoryMb();
    if (language.compile)
        values.compiler = language.compile->compilerPath;
    QSet<QString> compiledNames;
    for (const CachedFile &file : std::as_const(compiledFiles)) {
        spec.files.append(sandbox::InputFile{file.name, file.content, file.executable});
        compiledNames.insert(file.name);
    }
    // The sources (and any data files) go along: a program may read its own input files.
    for (const ProgramFile &file : std::as_const(request.files)) {
        if (!compiledNames.contains(file.name))
            spec.files.append(sandbox::InputFile{file.name, file.content, false});
    }
    spec.command = expandCommand(language.runCommand, values);
    spec.binds = language.binds;
    spec.environment = language.environment;
    const sandbox::Limits &base = language.limits;
    spec.limits = base;
    spec.limits.wallMs = lowered(base.wallMs, request.limits.wallMs);
    spec.limits.cpuMs = lowered(base.cpuMs, request.limits.cpuMs);
    spec.limits.outputBytes = lowered(base.outputBytes, request.limits.outputBytes);
    spec.limits.memoryMb = programMemoryMb() + language.memoryOverheadMb;
    // With its stdin given a program never waits for anyone: its wall clock never pauses.
    spec.limits.inputWaitMs = request.stdinData ? 0 : request.limits.inputWaitMs.value_or(0);
    spec.stdinData = request.stdinData;

    if (startPrestarted(spec))
        return;
    process = std::make_unique<sandbox::SandboxProcess>();
    QObject::connect(process.get(), &sandbox::SandboxProcess::started, q,
                     [this] { markRunStarted(); });
    connectRun();
    qCDebug(lcLanguages).noquote() << "run:" << spec.command.join(QLatin1Char(' '));
    process->start(spec);
}

bool ProgramRunPrivate::startPrestarted(const sandbox::Spec &spec)
{
    PrestartPool *pool = options.prestart.data();
    if (!pool)
        return false;
    qint64 bytes = 0;
    for (const ProgramFile &file : std::as_const(request.files))
        bytes += file.content.size();
    if (bytes > MaxPrestartFileBytes || !compiledFiles.isEmpty() ||
        !pool->fits(language, spec.limits)) {
        pool->noteCold();
        return false;
    }
    process = pool->take();
    if (!process) {
        pool->noteCold();
        return false;
    }
    connectRun();
    process->writeControl(launcherJob(request.files, mainFile, request.args));
    sandbox::Arming arming;
    arming.wallMs = spec.limits.wallMs;
    arming.outputBytes = spec.limits.outputBytes;
    arming.inputWaitMs = spec.limits.inputWaitMs;
    arming.stdinData = spec.stdinData;
    if (!process->arm(arming)) { // it was dying when taken: the cold path instead
        process->disconnect(q);
        process.release()->deleteLater();
        return false;
    }
    qCDebug(lcLanguages) << "run: pre-started sandbox";
    result.prestarted = true;
    markRunStarted();
    return true;
}

void ProgramRunPrivate::markRunStarted()
{
    runStarted = true; // stdin written before now was buffered: hand it over
    if (!pendingStdin.isEmpty())
        process->writeStdin(std::exchange(pendingStdin, {}));
    if (pendingClose)
        process->closeStdin();
    emit q->started();
}

void ProgramRunPrivate::connectRun()
{
    QObject::connect(process.get(), &sandbox::SandboxProcess::output, q,
                     [this](sandbox::Stream stream, const QByteArray &data) {
                         emit q->output(stream == sandbox::Stream::Stdout ? ProgramStream::Stdout
                                                                          : ProgramStream::Stderr,
                                        data);
                     });
    QObject::connect(process.get(), &sandbox::SandboxProcess::inputWanted, q,
                     [this] { emit q->inputWanted(); });
    QObject::connect(process.get(), &sandbox::SandboxProcess::done, q,
                     [this](const sandbox::Result &r) { runFinished(r); });
}

void ProgramRunPrivate::runFinished(const sandbox::Result &runResult)
{
    result.run = runResult;
    process.release()->deleteLater();
    if (runResult.outcome != sandbox::Outcome::Exited || runResult.exitCode != 0)
        result.message = describeFailure(runResult, QStringLiteral("the program"));
    finish();
}

void ProgramRunPrivate::finishStopped(const QString &message)
{
    result.run.outcome = sandbox::Outcome::Stopped;
    result.run.message = message;
    result.message = message;
    finish();
}

void ProgramRunPrivate::finish()
{
    if (state == ProgramRun::State::Finished)
        return;
    state = ProgramRun::State::Finished;
    emit q->done(result);
}

ProgramRun::ProgramRun(const Language &language, const ProgramRequest &request,
                       const ProgramRunOptions &options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<ProgramRunPrivate>(this, language, request, options))
{}

ProgramRun::~ProgramRun()
{
    if (d->process) {
        // No signals into a half-destroyed object; the SandboxProcess destructor kills the job.
        d->process->disconnect(this);
        d->process.reset();
    }
}

void ProgramRun::start()
{
    if (d->state != State::NotStarted) {
        qCWarning(lcLanguages) << "ProgramRun::start() called twice";
        return;
    }
    d->state = State::Validating;
    QMetaObject::invokeMethod(
        this, [this] { d->proceed(); }, Qt::QueuedConnection);
}

ProgramRun::State ProgramRun::state() const
{
    return d->state;
}

void ProgramRun::writeStdin(const QByteArray &data)
{
    if (d->request.stdinData || d->state == State::Finished || d->pendingClose)
        return;
    if (d->state == State::Running && d->runStarted && d->process)
        d->process->writeStdin(data);
    else
        d->pendingStdin += data;
}

void ProgramRun::closeStdin()
{
    if (d->request.stdinData || d->state == State::Finished)
        return;
    if (d->state == State::Running && d->runStarted && d->process)
        d->process->closeStdin();
    else
        d->pendingClose = true;
}

void ProgramRun::interrupt()
{
    if (d->state == State::Running && d->process)
        d->process->interrupt();
}

void ProgramRun::stop()
{
    switch (d->state) {
    case State::NotStarted:
        d->state = State::Finished; // never started: nothing to report
        return;
    case State::Validating:
        d->stopRequested = true; // proceed() reports Stopped
        return;
    case State::Compiling:
    case State::Running:
        d->stopRequested = true;
        if (d->process)
            d->process->stop(); // its done() finishes us
        return;
    case State::Finished:
        return;
    }
}

} // namespace coderoom::languages
