#include "jobemapping.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>

#include <cmath>

namespace coderoom::restapi::jobe {

using protocol::LanguageInfo;
using protocol::Status;

namespace {

constexpr int SigSys = 31; // a seccomp kill: Jobe's "illegal system call"

// A Jobe parameter: a number, or a numeric string (PHP reads both). nullopt when absent or not
// numeric: Jobe then uses its default, and so do we (the server's).
std::optional<double> numericParameter(const QJsonObject &parameters, const char *name)
{
    const QJsonValue value = parameters.value(QLatin1String(name));
    if (value.isDouble())
        return value.toDouble();
    if (value.isString()) {
        bool ok = false;
        const double number = value.toString().toDouble(&ok);
        if (ok)
            return number;
    }
    return std::nullopt;
}

QString defaultFileName(const LanguageInfo &language, const QString &source)
{
    if (language.id == QLatin1String("java"))
        return javaClassName(source) + QStringLiteral(".java");
    return QStringLiteral("prog.") + language.extensions.value(0, QStringLiteral("txt"));
}

} // namespace

QString jobeLanguageId(const QString &languageId)
{
    if (languageId == QLatin1String("python"))
        return QStringLiteral("python3");
    if (languageId == QLatin1String("javascript"))
        return QStringLiteral("nodejs");
    return languageId;
}

std::optional<LanguageInfo> findLanguage(const QList<LanguageInfo> &languages,
                                         const QString &jobeId)
{
    for (const LanguageInfo &info : languages) {
        if (jobeLanguageId(info.id).compare(jobeId, Qt::CaseInsensitive) == 0 ||
            info.id.compare(jobeId, Qt::CaseInsensitive) == 0) {
            return info;
        }
    }
    return std::nullopt;
}

QByteArray languagesJson(const QList<LanguageInfo> &languages)
{
    QJsonArray out;
    for (const LanguageInfo &info : languages)
        out.append(QJsonArray{jobeLanguageId(info.id), info.version});
    return QJsonDocument(out).toJson(QJsonDocument::Compact);
}

QString javaClassName(const QString &source)
{
    static const QRegularExpression publicClass(QStringLiteral(
        R"(\bpublic\s+(?:(?:final|abstract|strictfp)\s+)*class\s+([A-Za-z_$][\w$]*))"));
    static const QRegularExpression anyClass(QStringLiteral(R"(\bclass\s+([A-Za-z_$][\w$]*))"));
    for (const QRegularExpression *pattern : {&publicClass, &anyClass}) {
        const QRegularExpressionMatch match = pattern->match(source);
        if (match.hasMatch())
            return match.captured(1);
    }
    return QStringLiteral("Main");
}

bool isValidFileId(const QString &id)
{
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_-]{1,128}$"));
    return pattern.match(id).hasMatch();
}

bool isValidFileName(const QString &name)
{
    // Jobe's rule: letters, digits and - _ . only, not starting with a dot or dash.
    static const QRegularExpression pattern(QStringLiteral("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,254}$"));
    return pattern.match(name).hasMatch();
}

RunSpecParse parseRunSpec(const QByteArray &body, const QList<LanguageInfo> &languages)
{
    RunSpecParse out;
    auto fail = [&out](const QString &message, int status = 400) {
        out.error = errorReply(status, message);
        return out;
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !doc.isObject())
        return fail(QStringLiteral("Non-JSON post data received"));
    const QJsonValue specValue = doc.object().value(QLatin1String("run_spec"));
    if (!specValue.isObject())
        return fail(QStringLiteral("No run_spec attribute found in post data"));
    const QJsonObject spec = specValue.toObject();
    if (!spec.value(QLatin1String("sourcecode")).isString())
        return fail(QStringLiteral("run_spec is missing the required sourcecode attribute"));
    if (!spec.value(QLatin1String("language_id")).isString())
        return fail(QStringLiteral("run_spec is missing the required language_id attribute"));
    const QString languageId = spec.value(QLatin1String("language_id")).toString();
    const QString source = spec.value(QLatin1String("sourcecode")).toString();

    QString fileName = spec.value(QLatin1String("sourcefilename")).toString();
    if (!fileName.isEmpty() && !isValidFileName(fileName))
        return fail(QStringLiteral("The sourcefilename for the run_spec is missing or invalid"));

    RunSpec result;
    const QJsonArray fileList = spec.value(QLatin1String("file_list")).toArray();
    for (const QJsonValue &entry : fileList) {
        const QJsonArray pair = entry.toArray();
        const QString id = pair.at(0).toString();
        const QString name = pair.at(1).toString();
        if ((pair.size() != 2 && pair.size() != 3) || !isValidFileId(id) ||
            !isValidFileName(name)) {
            return fail(
                QStringLiteral("Invalid file specifier: %1")
                    .arg(QString::fromUtf8(QJsonDocument(pair).toJson(QJsonDocument::Compact))));
        }
        result.fileList.append({id, name});
    }

    const auto language = findLanguage(languages, languageId);
    if (!language)
        return fail(QStringLiteral("Language '%1' is not known").arg(languageId));
    result.language = *language;

    // Old CodeRunner versions send "prog.java" and leave the real name to Jobe.
    if (fileName.isEmpty() || fileName == QLatin1String("prog.java"))
        fileName = defaultFileName(*language, source);

    protocol::Run &run = result.run;
    run.language = language->id;
    run.files.append({fileName, source});
    run.main = fileName;
    // Jobe gives a run without input /dev/null: never interactive.
    run.stdinData = spec.value(QLatin1String("input")).toString();

    const QJsonObject parameters = spec.value(QLatin1String("parameters")).toObject();
    if (const auto cputime = numericParameter(parameters, "cputime"); cputime && *cputime > 0) {
        run.limits.cpuMs = qint64(std::ceil(*cputime * 1000));
        run.limits.runTimeMs = 2 * *run.limits.cpuMs; // Jobe kills at twice the CPU time
    }
    if (const auto memory = numericParameter(parameters, "memorylimit"); memory && *memory > 0)
        run.limits.memoryMb = qint64(std::ceil(*memory));
    if (const auto stream = numericParameter(parameters, "streamsize"); stream && *stream > 0)
        run.limits.outputBytes = qint64(std::ceil(*stream * 1000 * 1000));
    for (const QJsonValue &arg : parameters.value(QLatin1String("runargs")).toArray())
        run.args.append(arg.isString() ? arg.toString() : arg.toVariant().toString());

    out.spec = result;
    return out;
}

std::optional<QByteArray> decodeFilePut(const QByteArray &body, Reply *error)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    const QJsonValue contents = doc.object().value(QLatin1String("file_contents"));
    if (!contents.isString()) {
        *error = errorReply(400, QStringLiteral("put: missing file_contents parameter"));
        return std::nullopt;
    }
    const auto decoded = QByteArray::fromBase64Encoding(contents.toString().toLatin1(),
                                                        QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded) {
        *error = errorReply(400, QStringLiteral("put: contents of file are not valid base-64"));
        return std::nullopt;
    }
    return *decoded;
}

int outcomeFor(const protocol::Result &result)
{
    switch (result.status) {
    case Status::Ok:
        return Success;
    case Status::CompileError:
        return CompileError;
    case Status::Error:
        return result.signal == SigSys ? IllegalSystemCall : RuntimeError;
    case Status::Timeout:
        return TimeLimit;
    case Status::MemoryLimit:
        return MemoryLimit;
    case Status::OutputLimit:
        return RuntimeError; // Jobe has no outcome for it; runguard's kill reads as one
    case Status::Overloaded:
    case Status::QueueTimeout:
        return ServerOverload;
    case Status::Cancelled:
    case Status::Incomplete:
    case Status::InternalError:
        return InternalError;
    }
    return InternalError;
}

Reply runReply(const QString &runId, const CollectedRun &run)
{
    if (const std::optional<Refusal> refusal = refusalOf(run)) {
        if (!refusal->busy)
            return errorReply(refusal->status, refusal->message);
        // Jobe answers every kind of "too busy" as an overload result, and CodeRunner tells the
        // student to retry.
        const QJsonObject body{{QStringLiteral("run_id"), runId},
                               {QStringLiteral("outcome"), int(ServerOverload)},
                               {QStringLiteral("cmpinfo"), QString()},
                               {QStringLiteral("stdout"), QString()},
                               {QStringLiteral("stderr"), refusal->message}};
        return {200, QJsonDocument(body).toJson(QJsonDocument::Compact)};
    }
    const protocol::Result &result = *run.result;
    const int outcome = outcomeFor(result);
    // CodeRunner reads a non-empty cmpinfo as "did not compile": never leave it empty then.
    QString cmpinfo = outcome == CompileError ? run.compileText : QString();
    if (outcome == CompileError && cmpinfo.isEmpty())
        cmpinfo = result.message.isEmpty() ? QStringLiteral("compilation failed") : result.message;
    QString stderrText = run.stderrText;
    // For the server's own failures the only explanation is ours: say it where CodeRunner
    // shows it.
    if ((outcome == InternalError || outcome == ServerOverload) && !result.message.isEmpty()) {
        if (!stderrText.isEmpty() && !stderrText.endsWith(QLatin1Char('\n')))
            stderrText += QLatin1Char('\n');
        stderrText += result.message;
    }
    const QJsonObject body{{QStringLiteral("run_id"), runId},
                           {QStringLiteral("outcome"), outcome},
                           {QStringLiteral("cmpinfo"), cmpinfo},
                           {QStringLiteral("stdout"), run.stdoutText},
                           {QStringLiteral("stderr"), stderrText}};
    return {200, QJsonDocument(body).toJson(QJsonDocument::Compact)};
}

Reply errorReply(int status, const QString &message)
{
    // A top-level JSON string: QJsonDocument cannot hold one, so wrap and strip an array.
    QByteArray array = QJsonDocument(QJsonArray{message}).toJson(QJsonDocument::Compact);
    return {status, array.mid(1, array.size() - 2)};
}

} // namespace coderoom::restapi::jobe
