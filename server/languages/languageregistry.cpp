#include "languageregistry.h"

#include "languageslog.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QSet>

#include <memory>
#include <vector>

namespace coderoom::languages {

namespace {

// Placeholders a template may use; anything else in braces is a typo caught at load.
const QStringList &knownPlaceholders()
{
    static const QStringList known = {
        QStringLiteral("runtime"),  QStringLiteral("compiler"), QStringLiteral("main"),
        QStringLiteral("mainBase"), QStringLiteral("sources"),  QStringLiteral("args"),
        QStringLiteral("out"),      QStringLiteral("driver"),   QStringLiteral("memoryMb")};
    return known;
}

const QRegularExpression &placeholderPattern()
{
    static const QRegularExpression pattern(QStringLiteral("\\{([A-Za-z]+)\\}"));
    return pattern;
}

const QRegularExpression &idPattern()
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z][a-z0-9_+-]{0,31}$"));
    return pattern;
}

bool readStringList(const QJsonValue &value, QStringList *out)
{
    if (!value.isArray())
        return false;
    out->clear();
    for (const QJsonValue &item : value.toArray()) {
        if (!item.isString())
            return false;
        out->append(item.toString());
    }
    return true;
}

bool checkTemplate(const QStringList &templ, QString *why)
{
    if (templ.isEmpty()) {
        *why = QStringLiteral("empty command");
        return false;
    }
    for (const QString &part : templ) {
        auto it = placeholderPattern().globalMatch(part);
        while (it.hasNext()) {
            const QString name = it.next().captured(1);
            if (!knownPlaceholders().contains(name)) {
                *why = QStringLiteral("unknown placeholder {%1}").arg(name);
                return false;
            }
        }
    }
    return true;
}

// Merges the keys present in `object` onto `limits`; false + *why on a wrong type or value.
bool readLimits(const QJsonValue &value, sandbox::Limits *limits, QString *why)
{
    if (value.isUndefined())
        return true;
    if (!value.isObject()) {
        *why = QStringLiteral("limits must be an object");
        return false;
    }
    const QJsonObject object = value.toObject();
    struct Field
    {
        const char *name;
        qint64 *target;
    };
    qint64 processes = limits->processes;
    qint64 openFiles = limits->openFiles;
    // workDirMb and tmpMb named two tmpfs before the job had one writable space: an entry
    // that still names them gets their sum as its quota (unless it names writableMb too).
    qint64 workDirMb = 0;
    qint64 tmpMb = 0;
    const Field fields[] = {{"wallMs", &limits->wallMs},     {"cpuMs", &limits->cpuMs},
                            {"memoryMb", &limits->memoryMb}, {"outputBytes", &limits->outputBytes},
                            {"processes", &processes},       {"fileSizeMb", &limits->fileSizeMb},
                            {"openFiles", &openFiles},       {"writableMb", &limits->writableMb},
                            {"workDirMb", &workDirMb},       {"tmpMb", &tmpMb}};
    for (auto it = object.begin(); it != object.end(); ++it) {
        bool found = false;
        for (const Field &field : fields) {
            if (it.key() != QLatin1String(field.name))
                continue;
            found = true;
            if (!it.value().isDouble() || it.value().toDouble() < 1) {
                *why = QStringLiteral("limit %1 must be a positive number").arg(it.key());
                return false;
            }
            *field.target = qint64(it.value().toDouble());
        }
        if (!found) {
            *why = QStringLiteral("unknown limit %1").arg(it.key());
            return false;
        }
    }
    if (!object.contains(QLatin1String("writableMb")) && (workDirMb > 0 || tmpMb > 0))
        limits->writableMb = workDirMb + tmpMb;
    limits->processes = int(qMin<qint64>(processes, 4096));
    limits->openFiles = int(qMin<qint64>(openFiles, 65536));
    return true;
}

// The runtime's real binary. Only /usr counts: the sandbox sees nothing else, and a PATH
// lookup on this kind of machine finds a pyenv shim under /root first.
QString resolveBinary(const QString &configured, QString *problem)
{
    QString path = configured;
    if (!QDir::isAbsolutePath(path))
        path = QStringLiteral("/usr/bin/") + configured;
    const QFileInfo info(path);
    const QString canonical = info.canonicalFilePath();
    if (canonical.isEmpty()) {
        *problem = QStringLiteral("%1 not found").arg(path);
        return {};
    }
    if (!canonical.startsWith(QLatin1String("/usr/"))) {
        *problem = QStringLiteral("%1 resolves to %2, outside /usr (invisible in the sandbox)")
                       .arg(path, canonical);
        return {};
    }
    const QFileInfo real(canonical);
    if (!real.isFile() || !real.isExecutable()) {
        *problem = QStringLiteral("%1 is not an executable file").arg(canonical);
        return {};
    }
    return canonical;
}

const QRegularExpression &versionNumberPattern()
{
    static const QRegularExpression pattern(QStringLiteral("\\d+(?:\\.\\d+)+"));
    return pattern;
}

struct VersionProbe
{
    Language *language = nullptr;
    bool forCompiler = false;
    std::unique_ptr<QProcess> process;
};

// Runs every `--version` at once and waits for all: a JVM takes a few hundred ms to start, and
// four sequential probes would add up at server start.
void detectVersions(QList<Language> &languages, const QHash<QString, QStringList> &versionCommands)
{
    std::vector<VersionProbe> probes;
    auto launch = [&probes](Language *language, bool forCompiler, const QStringList &command) {
        VersionProbe probe;
        probe.language = language;
        probe.forCompiler = forCompiler;
        probe.process = std::make_unique<QProcess>();
        probe.process->setProcessChannelMode(QProcess::MergedChannels);
        probe.process->setProgram(command.first());
        probe.process->setArguments(command.mid(1));
        probe.process->start(QIODevice::ReadOnly);
        probes.push_back(std::move(probe));
    };
    for (Language &language : languages) {
        if (!language.available)
            continue;
        TemplateValues values;
        values.runtime = language.runtimePath;
        values.compiler = language.compile ? language.compile->compilerPath : QString();
        launch(&language, false, expandCommand(versionCommands.value(language.id), values));
        if (language.compile)
            launch(&language, true, {language.compile->compilerPath, QStringLiteral("--version")});
    }
    for (VersionProbe &probe : probes) {
        Language &language = *probe.language;
        QProcess &process = *probe.process;
        bool finished = process.waitForFinished(20000);
        bool failed =
            !finished || process.exitStatus() != QProcess::NormalExit || process.exitCode() != 0;
        if (failed) {
            // A JVM can fail to start on a machine under heavy load (seen with load average 18);
            // one retry keeps a passing hiccup from removing the language for the server's life.
            process.kill();
            process.waitForFinished(1000);
            process.start(QIODevice::ReadOnly);
            finished = process.waitForFinished(20000);
            failed = !finished || process.exitStatus() != QProcess::NormalExit ||
                     process.exitCode() != 0;
        }
        const QString text = QString::fromUtf8(process.readAll()).trimmed();
        const QString firstLine = text.section(QLatin1Char('\n'), 0, 0).trimmed();
        if (failed) {
            process.kill();
            process.waitForFinished(1000);
            language.available = false;
            language.problem = QStringLiteral("%1 --version failed: %2")
                                   .arg(process.program(),
                                        firstLine.isEmpty() ? process.errorString() : firstLine);
            continue;
        }
        if (probe.forCompiler) {
            language.compile->compilerVersion = firstLine;
        } else {
            const auto match = versionNumberPattern().match(firstLine);
            language.version = match.hasMatch() ? match.captured(0) : firstLine;
        }
    }
}

std::optional<Language> parseLanguage(const QJsonObject &object, QStringList *versionCommand,
                                      QString *why)
{
    Language language;
    language.id = object.value(QLatin1String("id")).toString();
    if (!idPattern().match(language.id).hasMatch()) {
        *why = QStringLiteral("missing or invalid id");
        return std::nullopt;
    }
    auto fail = [&language, why](const QString &what) {
        *why = QStringLiteral("language %1: %2").arg(language.id, what);
        return std::nullopt;
    };
    language.name = object.value(QLatin1String("name")).toString();
    if (language.name.isEmpty())
        return fail(QStringLiteral("missing name"));
    if (!readStringList(object.value(QLatin1String("extensions")), &language.extensions) ||
        language.extensions.isEmpty())
        return fail(QStringLiteral("missing extensions"));
    for (QString &ext : language.extensions) {
        if (ext.startsWith(QLatin1Char('.')))
            ext.remove(0, 1);
        ext = ext.toLower();
    }
    const QString runtime = object.value(QLatin1String("runtime")).toString();
    if (runtime.isEmpty())
        return fail(QStringLiteral("missing runtime"));
    if (!readStringList(object.value(QLatin1String("run")), &language.runCommand))
        return fail(QStringLiteral("missing run command"));
    QString templateProblem;
    if (!checkTemplate(language.runCommand, &templateProblem))
        return fail(QStringLiteral("run: ") + templateProblem);
    *versionCommand = {QStringLiteral("{runtime}"), QStringLiteral("--version")};
    if (object.contains(QLatin1String("version")) &&
        (!readStringList(object.value(QLatin1String("version")), versionCommand) ||
         !checkTemplate(*versionCommand, &templateProblem)))
        return fail(QStringLiteral("bad version command"));

    if (!readLimits(object.value(QLatin1String("limits")), &language.limits, &templateProblem))
        return fail(templateProblem);
    language.memoryOverheadMb = object.value(QLatin1String("memoryOverheadMb")).toInteger(0);
    if (object.contains(QLatin1String("environment")) &&
        !readStringList(object.value(QLatin1String("environment")), &language.environment))
        return fail(QStringLiteral("environment must be a list of NAME=value"));
    for (const QString &entry : std::as_const(language.environment)) {
        if (entry.indexOf(QLatin1Char('=')) < 1)
            return fail(QStringLiteral("environment entry %1 is not NAME=value").arg(entry));
    }
    QStringList bindPaths;
    if (object.contains(QLatin1String("binds")) &&
        !readStringList(object.value(QLatin1String("binds")), &bindPaths))
        return fail(QStringLiteral("binds must be a list of absolute paths"));
    for (const QString &bind : std::as_const(bindPaths)) {
        if (!QDir::isAbsolutePath(bind) || bind.contains(QLatin1String("..")))
            return fail(QStringLiteral("bind %1 is not an absolute path").arg(bind));
        language.binds.append(sandbox::Bind{bind, QString(), false});
    }
    if (object.contains(QLatin1String("libraries"))) {
        const QJsonObject libraries = object.value(QLatin1String("libraries")).toObject();
        language.libraryProbe = libraries.value(QLatin1String("probe")).toString();
        if (!readStringList(libraries.value(QLatin1String("names")), &language.libraries) ||
            language.libraryProbe.isEmpty() || language.libraryProbe.contains(QLatin1Char('/')))
            return fail(QStringLiteral("libraries needs names (a list) and probe (a file name "
                                       "under drivers/)"));
    }
    // Files a library needs when it is installed (Debian keeps matplotlib's matplotlibrc in
    // /etc): bound when present, skipped without making the language unavailable.
    QStringList optionalBinds;
    if (object.contains(QLatin1String("optionalBinds")) &&
        !readStringList(object.value(QLatin1String("optionalBinds")), &optionalBinds))
        return fail(QStringLiteral("optionalBinds must be a list of absolute paths"));
    for (const QString &bind : std::as_const(optionalBinds)) {
        if (!QDir::isAbsolutePath(bind) || bind.contains(QLatin1String("..")))
            return fail(QStringLiteral("bind %1 is not an absolute path").arg(bind));
        if (QFileInfo::exists(bind))
            language.binds.append(sandbox::Bind{bind, QString(), false});
    }

    if (object.contains(QLatin1String("compile"))) {
        const QJsonObject c = object.value(QLatin1String("compile")).toObject();
        CompileStep step;
        step.compilerPath = c.value(QLatin1String("compiler")).toString(runtime);
        if (!readStringList(c.value(QLatin1String("command")), &step.command))
            return fail(QStringLiteral("compile: missing command"));
        if (!checkTemplate(step.command, &templateProblem))
            return fail(QStringLiteral("compile: ") + templateProblem);
        if (!readStringList(c.value(QLatin1String("sources")), &step.sourceExtensions) ||
            step.sourceExtensions.isEmpty())
            return fail(QStringLiteral("compile: missing sources"));
        if (!readStringList(c.value(QLatin1String("outputs")), &step.outputs) ||
            step.outputs.isEmpty())
            return fail(QStringLiteral("compile: missing outputs"));
        for (const QString &output : std::as_const(step.outputs)) {
            if (output.contains(QLatin1Char('/')) || output.startsWith(QLatin1Char('.')))
                return fail(QStringLiteral("compile: bad output %1").arg(output));
        }
        step.outputsExecutable = c.value(QLatin1String("executable")).toBool(false);
        step.limits = sandbox::Limits{};
        if (!readLimits(c.value(QLatin1String("limits")), &step.limits, &templateProblem))
            return fail(QStringLiteral("compile: ") + templateProblem);
        step.memoryOverheadMb = c.value(QLatin1String("memoryOverheadMb")).toInteger(0);
        language.compile = step;
    }
    if (object.contains(QLatin1String("repl"))) {
        const QJsonObject r = object.value(QLatin1String("repl")).toObject();
        ReplSetup repl;
        repl.driver = r.value(QLatin1String("driver")).toString();
        repl.memoryOverheadMb = r.value(QLatin1String("memoryOverheadMb")).toInteger(0);
        if (!readStringList(r.value(QLatin1String("command")), &repl.command) ||
            !checkTemplate(repl.command, &templateProblem))
            return fail(QStringLiteral("repl: missing or bad command"));
        if (repl.driver.contains(QLatin1Char('/')) || repl.driver.startsWith(QLatin1Char('.')))
            return fail(QStringLiteral("repl: driver must be a plain file name"));
        language.repl = repl;
        language.hasRepl = true;
    }

    // Resolution: a missing piece makes the language unavailable, never the registry invalid.
    language.available = true;
    language.runtimePath = resolveBinary(runtime, &language.problem);
    if (language.runtimePath.isEmpty())
        language.available = false;
    if (language.available && language.compile) {
        language.compile->compilerPath =
            resolveBinary(language.compile->compilerPath, &language.problem);
        if (language.compile->compilerPath.isEmpty())
            language.available = false;
    }
    for (const sandbox::Bind &bind : std::as_const(language.binds)) {
        if (language.available && !QFileInfo::exists(bind.source)) {
            language.available = false;
            language.problem =
                QStringLiteral("%1 (needed read-only in the sandbox) is missing").arg(bind.source);
        }
    }
    return language;
}

} // namespace

QStringList expandCommand(const QStringList &templ, const TemplateValues &values)
{
    QString mainBase = values.main;
    const qsizetype dot = mainBase.lastIndexOf(QLatin1Char('.'));
    if (dot > 0)
        mainBase.truncate(dot);
    QStringList result;
    for (const QString &part : templ) {
        if (part == QLatin1String("{sources}")) {
            result += values.sources;
            continue;
        }
        if (part == QLatin1String("{args}")) {
            result += values.args;
            continue;
        }
        QString expanded = part;
        expanded.replace(QLatin1String("{runtime}"), values.runtime);
        expanded.replace(QLatin1String("{compiler}"), values.compiler);
        expanded.replace(QLatin1String("{mainBase}"), mainBase);
        expanded.replace(QLatin1String("{main}"), values.main);
        expanded.replace(QLatin1String("{out}"), values.out);
        expanded.replace(QLatin1String("{driver}"), values.driver);
        expanded.replace(QLatin1String("{memoryMb}"), QString::number(values.memoryMb));
        result.append(expanded);
    }
    return result;
}

std::optional<LanguageRegistry> LanguageRegistry::load(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    QString why;
    auto registry = fromJson(file.readAll(), &why);
    if (!registry) {
        if (error)
            *error = QStringLiteral("%1: %2").arg(path, why);
        return registry;
    }
    // A REPL is only offered when its driver is there: the drivers live next to the registry.
    const QDir drivers(QFileInfo(path).absoluteDir().filePath(QStringLiteral("drivers")));
    for (Language &language : registry->m_languages) {
        if (language.repl && !QFileInfo(drivers.filePath(language.repl->driver)).isFile()) {
            language.hasRepl = false;
            qCWarning(lcLanguages).noquote()
                << "language" << language.id << "has no REPL: driver"
                << drivers.filePath(language.repl->driver) << "is missing";
        }
    }
    return registry;
}

std::optional<LanguageRegistry> LanguageRegistry::fromJson(const QByteArray &json, QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("invalid JSON at offset %1: %2")
                        .arg(parseError.offset)
                        .arg(parseError.errorString()));
    if (!document.isObject())
        return fail(QStringLiteral("the registry must be a JSON object"));
    const QJsonValue list = document.object().value(QLatin1String("languages"));
    if (!list.isArray())
        return fail(QStringLiteral("missing \"languages\" array"));

    LanguageRegistry registry;
    QHash<QString, QStringList> versionCommands;
    QSet<QString> seenExtensions;
    for (const QJsonValue &entry : list.toArray()) {
        if (!entry.isObject())
            return fail(QStringLiteral("every language must be an object"));
        QStringList versionCommand;
        QString why;
        auto language = parseLanguage(entry.toObject(), &versionCommand, &why);
        if (!language)
            return fail(why);
        if (registry.find(language->id))
            return fail(QStringLiteral("duplicate language id %1").arg(language->id));
        for (const QString &ext : std::as_const(language->extensions)) {
            if (seenExtensions.contains(ext))
                return fail(QStringLiteral("extension %1 claimed twice").arg(ext));
            seenExtensions.insert(ext);
        }
        versionCommands.insert(language->id, versionCommand);
        registry.m_languages.append(*language);
    }
    detectVersions(registry.m_languages, versionCommands);
    for (const Language &language : std::as_const(registry.m_languages)) {
        if (language.available)
            qCInfo(lcLanguages).noquote()
                << "language" << language.id << language.version << "via" << language.runtimePath;
        else
            qCWarning(lcLanguages).noquote()
                << "language" << language.id << "unavailable:" << language.problem;
    }
    return registry;
}

QList<Language> LanguageRegistry::availableLanguages() const
{
    QList<Language> result;
    for (const Language &language : m_languages) {
        if (language.available)
            result.append(language);
    }
    return result;
}

const Language *LanguageRegistry::find(const QString &id) const
{
    for (const Language &language : m_languages) {
        if (language.id == id)
            return &language;
    }
    return nullptr;
}

QString LanguageRegistry::languageForExtension(const QString &ext) const
{
    QString wanted = ext.toLower();
    if (wanted.startsWith(QLatin1Char('.')))
        wanted.remove(0, 1);
    for (const Language &language : m_languages) {
        if (language.available && language.extensions.contains(wanted))
            return language.id;
    }
    return {};
}

std::optional<sandbox::Spec> replSpec(const Language &language, const QString &resourcesDir,
                                      QString *error)
{
    auto fail = [error](const QString &why) {
        if (error)
            *error = why;
        return std::nullopt;
    };
    if (!language.available)
        return fail(QStringLiteral("%1 is unavailable: %2").arg(language.id, language.problem));
    if (!language.repl)
        return fail(QStringLiteral("%1 has no REPL").arg(language.id));
    const QString driverHost =
        QFileInfo(QDir(resourcesDir).filePath(QStringLiteral("drivers/") + language.repl->driver))
            .canonicalFilePath();
    if (driverHost.isEmpty() || !QFileInfo(driverHost).isFile())
        return fail(QStringLiteral("REPL driver %1 not found under %2/drivers")
                        .arg(language.repl->driver, resourcesDir));
    // The driver goes in through a descriptor like every program file (bwrap --file), not as a
    // bind of its host path: after the drop to the sandbox uid, bwrap cannot reach a path under
    // a private (0700) directory, e.g. a checkout in a mktemp dir.
    QFile driverFile(driverHost);
    if (!driverFile.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read REPL driver %1").arg(driverHost));
    const QString driverInside = QStringLiteral("/work/") + language.repl->driver;

    sandbox::Spec spec;
    TemplateValues values;
    values.runtime = language.runtimePath;
    values.driver = driverInside;
    values.memoryMb = language.limits.memoryMb;
    spec.command = expandCommand(language.repl->command, values);
    spec.binds = language.binds;
    spec.files.append(sandbox::InputFile{language.repl->driver, driverFile.readAll(), false});
    spec.environment = language.environment;
    spec.limits = language.limits;
    spec.limits.memoryMb += language.memoryOverheadMb + language.repl->memoryOverheadMb;
    spec.controlChannel = true;
    spec.driverReportsInput = true; // input_wait on the control channel

    return spec;
}

QString defaultResourcesDir()
{
    const QString fromEnv = qEnvironmentVariable("CODEROOM_RESOURCES_DIR");
    if (!fromEnv.isEmpty())
        return fromEnv;
    const QString source = QStringLiteral(CODEROOM_SOURCE_RESOURCES_DIR);
    if (QFileInfo::exists(source + QStringLiteral("/languages.json")))
        return source;
    return QStringLiteral(CODEROOM_INSTALL_RESOURCES_DIR);
}

} // namespace coderoom::languages
