#include "pistonmapping.h"

#include "jobemapping.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>

#include <array>
#include <cmath>

namespace coderoom::restapi::piston {

using protocol::LanguageInfo;
using protocol::Status;

namespace {

using Version = std::array<qint64, 3>;

// A partial version as written in a spec: how many leading parts were given ("3.11" -> 2).
struct Partial
{
    Version v{0, 0, 0};
    int given = 0; // 0 means "*"
};

// Leading digits of each dot-separated part; "20.19.2-nightly" -> 20.19.2. Missing parts are 0.
Version parseVersion(const QString &text)
{
    Version v{0, 0, 0};
    const QStringList parts = text.trimmed().split(QLatin1Char('.'));
    for (int i = 0; i < 3 && i < parts.size(); ++i) {
        qsizetype digits = 0;
        while (digits < parts[i].size() && parts[i][digits].isDigit())
            ++digits;
        v[size_t(i)] = parts[i].left(digits).toLongLong();
    }
    return v;
}

std::optional<Partial> parsePartial(const QString &text)
{
    Partial p;
    if (text.isEmpty())
        return p;
    const QStringList parts = text.split(QLatin1Char('.'));
    if (parts.size() > 3)
        return std::nullopt;
    for (const QString &part : parts) {
        if (part == QLatin1String("*") ||
            part.compare(QLatin1String("x"), Qt::CaseInsensitive) == 0)
            break; // the rest is a wildcard
        bool ok = false;
        const qint64 n = part.toLongLong(&ok);
        if (!ok || n < 0)
            return std::nullopt;
        p.v[size_t(p.given++)] = n;
    }
    return p;
}

// The smallest version above every version with this prefix: 3.11 -> 3.12.0.
Version nextAfterPrefix(const Partial &p)
{
    Version v = p.v;
    const int last = std::max(p.given, 1) - 1;
    v[size_t(last)] += 1;
    for (int i = last + 1; i < 3; ++i)
        v[size_t(i)] = 0;
    return v;
}

// One comparator ("^3.9", ">=3", "3.11.x") against a version.
std::optional<bool> comparatorMatches(const Version &version, QString token)
{
    static const QStringList ops{QStringLiteral(">="), QStringLiteral("<="), QStringLiteral(">"),
                                 QStringLiteral("<"),  QStringLiteral("="),  QStringLiteral("^"),
                                 QStringLiteral("~")};
    QString op;
    for (const QString &candidate : ops) {
        if (token.startsWith(candidate)) {
            op = candidate;
            token = token.mid(candidate.size());
            break;
        }
    }
    if (token.startsWith(QLatin1Char('v')))
        token = token.mid(1);
    const auto partial = parsePartial(token);
    if (!partial)
        return std::nullopt;
    const Partial &p = *partial;
    if (p.given == 0)
        return op != QLatin1String("<") && op != QLatin1String(">");
    const bool full = p.given == 3;
    if (op.isEmpty() || op == QLatin1String("="))
        return version >= p.v && (full ? version == p.v : version < nextAfterPrefix(p));
    if (op == QLatin1String(">="))
        return version >= p.v;
    if (op == QLatin1String(">"))
        return full ? version > p.v : version >= nextAfterPrefix(p);
    if (op == QLatin1String("<"))
        return version < p.v;
    if (op == QLatin1String("<="))
        return full ? version <= p.v : version < nextAfterPrefix(p);
    if (op == QLatin1String("^")) {
        // The left-most non-zero part given may not change.
        int keep = 0;
        while (keep < p.given - 1 && p.v[size_t(keep)] == 0)
            ++keep;
        Partial prefix = p;
        prefix.given = keep + 1;
        return version >= p.v && version < nextAfterPrefix(prefix);
    }
    // "~": patch updates when a minor is given, minor updates otherwise.
    Partial prefix = p;
    prefix.given = std::min(p.given, 2);
    return version >= p.v && version < nextAfterPrefix(prefix);
}

QJsonValue optionalString(const QString &text)
{
    return text.isEmpty() ? QJsonValue() : QJsonValue(text);
}

// The first file's default name: Java needs the public class's name, the rest an extension the
// language recognises (the core picks compile sources by extension).
QString defaultFileName(const LanguageInfo &language, const QString &content, int index)
{
    if (language.id == QLatin1String("java") && index == 0)
        return jobe::javaClassName(content) + QStringLiteral(".java");
    const QString ext = language.extensions.value(0, QStringLiteral("txt"));
    return index == 0 ? QStringLiteral("main.") + ext
                      : QStringLiteral("file%1.%2").arg(index).arg(ext);
}

// Piston's limits are optional numbers; 0 means "not given". Memory may be -1 ("no limit").
std::optional<QString> readLimit(const QJsonObject &body, const QString &name, bool bytes,
                                 std::optional<qint64> *out)
{
    const QJsonValue value = body.value(name);
    if (value.isUndefined() || value.isNull())
        return std::nullopt;
    if (!value.isDouble())
        return QStringLiteral("If specified, %1 must be a number").arg(name);
    const double number = value.toDouble();
    if (number == 0 || (bytes && number == -1))
        return std::nullopt;
    if (number < 0)
        return QStringLiteral("%1 must be non-negative").arg(name);
    if (bytes) // bytes -> MiB, rounded up so a limit never grows by the conversion's loss
        *out = qint64(std::ceil(number / (1024.0 * 1024.0)));
    else
        *out = qint64(std::ceil(number));
    return std::nullopt;
}

} // namespace

QStringList aliasesFor(const QString &languageId)
{
    if (languageId == QLatin1String("python"))
        return {QStringLiteral("py"), QStringLiteral("py3"), QStringLiteral("python3")};
    if (languageId == QLatin1String("cpp"))
        return {QStringLiteral("c++"), QStringLiteral("g++")};
    if (languageId == QLatin1String("javascript"))
        return {QStringLiteral("js"), QStringLiteral("node"), QStringLiteral("node-js"),
                QStringLiteral("node-javascript")};
    if (languageId == QLatin1String("c"))
        return {QStringLiteral("gcc")};
    return {};
}

QByteArray runtimesJson(const QList<LanguageInfo> &languages)
{
    QJsonArray out;
    for (const LanguageInfo &language : languages) {
        QJsonObject runtime{
            {QStringLiteral("language"), language.id},
            {QStringLiteral("version"), language.version},
            {QStringLiteral("aliases"), QJsonArray::fromStringList(aliasesFor(language.id))}};
        // Piston names the runtime behind a language when it is not the language itself.
        if (language.id == QLatin1String("cpp") || language.id == QLatin1String("c"))
            runtime.insert(QStringLiteral("runtime"), QStringLiteral("gcc"));
        else if (language.id == QLatin1String("javascript"))
            runtime.insert(QStringLiteral("runtime"), QStringLiteral("node"));
        out.append(runtime);
    }
    return QJsonDocument(out).toJson(QJsonDocument::Compact);
}

bool versionMatches(const QString &version, const QString &spec)
{
    const Version v = parseVersion(version);
    const QString trimmed = spec.trimmed();
    if (trimmed.isEmpty())
        return true;
    static const QRegularExpression spaces(QStringLiteral("\\s+"));
    for (const QString &alternative : trimmed.split(QStringLiteral("||"))) {
        QString normalised = alternative.trimmed();
        // ">= 3.8" is written with a space at times; glue operators to their version.
        static const QRegularExpression loneOp(QStringLiteral("([<>=^~]+)\\s+"));
        normalised.replace(loneOp, QStringLiteral("\\1"));
        const QStringList tokens = normalised.split(spaces, Qt::SkipEmptyParts);
        bool all = !tokens.isEmpty();
        for (const QString &token : tokens) {
            const auto matches = comparatorMatches(v, token);
            if (!matches || !*matches) {
                all = false;
                break;
            }
        }
        if (all)
            return true;
    }
    return false;
}

std::optional<LanguageInfo> findRuntime(const QList<LanguageInfo> &languages,
                                        const QString &language, const QString &version)
{
    for (const LanguageInfo &info : languages) {
        const bool named = info.id.compare(language, Qt::CaseInsensitive) == 0 ||
                           aliasesFor(info.id).contains(language, Qt::CaseInsensitive);
        if (named && versionMatches(info.version, version))
            return info;
    }
    return std::nullopt;
}

ExecuteParse parseExecute(const QByteArray &body, const QList<LanguageInfo> &languages)
{
    ExecuteParse out;
    auto fail = [&out](const QString &message) {
        out.error = errorReply(400, message);
        return out;
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return fail(QStringLiteral("the request body must be a JSON object"));
    const QJsonObject object = doc.object();

    const QJsonValue language = object.value(QLatin1String("language"));
    if (!language.isString() || language.toString().isEmpty())
        return fail(QStringLiteral("language is required as a string"));
    // Piston requires a version; a missing one is read as "*" (the newest), which no Piston
    // client can tell apart from success.
    const QJsonValue version = object.value(QLatin1String("version"));
    if (!version.isUndefined() && !version.isString())
        return fail(QStringLiteral("version is required as a string"));
    const QString versionSpec = version.isString() ? version.toString() : QStringLiteral("*");
    const QJsonValue files = object.value(QLatin1String("files"));
    if (!files.isArray())
        return fail(QStringLiteral("files is required as an array"));
    const QJsonArray fileArray = files.toArray();
    for (qsizetype i = 0; i < fileArray.size(); ++i) {
        if (!fileArray[i].toObject().value(QLatin1String("content")).isString())
            return fail(QStringLiteral("files[%1].content is required as a string").arg(i));
    }

    const auto runtime = findRuntime(languages, language.toString(), versionSpec);
    if (!runtime) {
        return fail(
            QStringLiteral("%1-%2 runtime is unknown").arg(language.toString(), versionSpec));
    }
    if (fileArray.isEmpty())
        return fail(QStringLiteral("files must include at least one utf8 encoded file"));

    ExecuteRequest request;
    request.language = *runtime;
    protocol::Run &run = request.run;
    run.language = runtime->id;
    for (qsizetype i = 0; i < fileArray.size(); ++i) {
        const QJsonObject file = fileArray[i].toObject();
        const QString encoding = file.value(QLatin1String("encoding")).toString();
        const QString content = file.value(QLatin1String("content")).toString();
        QByteArray bytes;
        if (encoding == QLatin1String("base64"))
            bytes = QByteArray::fromBase64(content.toLatin1());
        else if (encoding == QLatin1String("hex"))
            bytes = QByteArray::fromHex(content.toLatin1());
        else
            bytes = content.toUtf8();
        // The protocol carries files as text: a binary file would arrive altered, so refuse it.
        const QString text = QString::fromUtf8(bytes);
        if (text.toUtf8() != bytes)
            return fail(QStringLiteral("files[%1] is not UTF-8 text (binary files are not "
                                       "supported by this server)")
                            .arg(i));
        QString name = file.value(QLatin1String("name")).toString();
        if (name.isEmpty())
            name = defaultFileName(*runtime, text, int(i));
        run.files.append({name, text});
    }
    run.main = run.files.first().name; // Piston runs the first file
    // Piston never reads standard input interactively: no stdin is an empty one.
    run.stdinData = object.value(QLatin1String("stdin")).toString();
    for (const QJsonValue &arg : object.value(QLatin1String("args")).toArray())
        run.args.append(arg.isString() ? arg.toString() : arg.toVariant().toString());

    struct LimitField
    {
        const char *name;
        bool bytes;
        std::optional<qint64> *target;
    };
    std::optional<qint64> ignored;
    const LimitField limitFields[] = {
        {"run_timeout", false, &run.limits.runTimeMs},
        {"compile_timeout", false, &run.limits.compileTimeMs},
        {"run_cpu_time", false, &run.limits.cpuMs},
        {"run_memory_limit", true, &run.limits.memoryMb},
        // Checked for Piston's errors, but the compiler's limits are the server's own.
        {"compile_cpu_time", false, &ignored},
        {"compile_memory_limit", true, &ignored},
    };
    for (const LimitField &field : limitFields) {
        if (const auto error =
                readLimit(object, QString::fromLatin1(field.name), field.bytes, field.target)) {
            return fail(*error);
        }
    }
    out.request = request;
    return out;
}

bool isCompiled(const QString &languageId)
{
    static const QStringList compiled{QStringLiteral("c"),     QStringLiteral("cpp"),
                                      QStringLiteral("java"),  QStringLiteral("rust"),
                                      QStringLiteral("go"),    QStringLiteral("kotlin"),
                                      QStringLiteral("csharp")};
    return compiled.contains(languageId);
}

QString signalName(int signal)
{
    static const char *const names[] = {
        nullptr,     "SIGHUP",  "SIGINT",    "SIGQUIT", "SIGILL",   "SIGTRAP", "SIGABRT", "SIGBUS",
        "SIGFPE",    "SIGKILL", "SIGUSR1",   "SIGSEGV", "SIGUSR2",  "SIGPIPE", "SIGALRM", "SIGTERM",
        "SIGSTKFLT", "SIGCHLD", "SIGCONT",   "SIGSTOP", "SIGTSTP",  "SIGTTIN", "SIGTTOU", "SIGURG",
        "SIGXCPU",   "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO",   "SIGPWR",  "SIGSYS"};
    if (signal <= 0 || signal >= int(std::size(names)))
        return {};
    return QString::fromLatin1(names[signal]);
}

QJsonObject runStage(const CollectedRun &run)
{
    QJsonObject stage{{QStringLiteral("stdout"), run.stdoutText},
                      {QStringLiteral("stderr"), run.stderrText},
                      {QStringLiteral("output"), run.output}};
    const protocol::Result result = run.result.value_or(protocol::Result{});
    QJsonValue code = result.exitCode ? QJsonValue(*result.exitCode) : QJsonValue();
    QString signal = result.signal ? signalName(*result.signal) : QString();
    QString status;
    QString message = result.message;
    switch (result.status) {
    case Status::Ok:
        break;
    case Status::Error:
        status = signal.isEmpty() ? QStringLiteral("RE") : QStringLiteral("SG");
        break;
    case Status::Timeout:
        status = QStringLiteral("TO");
        signal = QStringLiteral("SIGKILL");
        break;
    case Status::MemoryLimit:
        status = QStringLiteral("SG");
        signal = QStringLiteral("SIGKILL");
        if (message.isEmpty())
            message = QStringLiteral("memory limit exceeded");
        break;
    case Status::OutputLimit:
        status = QStringLiteral("OL");
        signal = QStringLiteral("SIGKILL");
        break;
    default: // cancelled, internal error, ...: the sandbox's fault, not the program's
        status = QStringLiteral("XX");
        break;
    }
    stage.insert(QStringLiteral("code"), code);
    stage.insert(QStringLiteral("signal"), optionalString(signal));
    stage.insert(QStringLiteral("message"), optionalString(message));
    stage.insert(QStringLiteral("status"), optionalString(status));
    stage.insert(QStringLiteral("cpu_time"), result.cpuMs);
    stage.insert(QStringLiteral("wall_time"), result.timeMs);
    stage.insert(QStringLiteral("memory"), result.memoryKb * 1024);
    return stage;
}

Reply executeReply(const LanguageInfo &language, const CollectedRun &run)
{
    if (const std::optional<Refusal> refusal = refusalOf(run))
        return errorReply(refusal->status, refusal->message);
    const protocol::Result &result = *run.result;
    // Piston itself queues without bound; a refusal at our door is a busy server, not a bad
    // request.
    if (result.status == Status::Overloaded || result.status == Status::QueueTimeout)
        return errorReply(503, result.message);

    QJsonObject body{{QStringLiteral("language"), language.id},
                     {QStringLiteral("version"), language.version}};
    if (result.status == Status::CompileError) {
        // Piston stops after a failed compile stage and reports it as the run too.
        QJsonObject compile{{QStringLiteral("stdout"), QString()},
                            {QStringLiteral("stderr"), run.compileText},
                            {QStringLiteral("output"), run.compileText},
                            {QStringLiteral("code"), result.exitCode.value_or(1)},
                            {QStringLiteral("signal"), QJsonValue()},
                            {QStringLiteral("message"), optionalString(result.message)},
                            {QStringLiteral("status"), QStringLiteral("RE")},
                            {QStringLiteral("cpu_time"), result.cpuMs},
                            {QStringLiteral("wall_time"), result.timeMs},
                            {QStringLiteral("memory"), result.memoryKb * 1024}};
        body.insert(QStringLiteral("compile"), compile);
        body.insert(QStringLiteral("run"), compile);
    } else {
        if (isCompiled(language.id) || !run.compileText.isEmpty()) {
            // Compiler warnings of a successful build; its figures are not reported separately.
            body.insert(QStringLiteral("compile"),
                        QJsonObject{{QStringLiteral("stdout"), QString()},
                                    {QStringLiteral("stderr"), run.compileText},
                                    {QStringLiteral("output"), run.compileText},
                                    {QStringLiteral("code"), 0},
                                    {QStringLiteral("signal"), QJsonValue()},
                                    {QStringLiteral("message"), QJsonValue()},
                                    {QStringLiteral("status"), QJsonValue()},
                                    {QStringLiteral("cpu_time"), QJsonValue()},
                                    {QStringLiteral("wall_time"), QJsonValue()},
                                    {QStringLiteral("memory"), QJsonValue()}});
        }
        body.insert(QStringLiteral("run"), runStage(run));
    }
    return {200, QJsonDocument(body).toJson(QJsonDocument::Compact)};
}

Reply errorReply(int status, const QString &message)
{
    return {status, QJsonDocument(QJsonObject{{QStringLiteral("message"), message}})
                        .toJson(QJsonDocument::Compact)};
}

} // namespace coderoom::restapi::piston
