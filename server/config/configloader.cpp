#include "configloader.h"

#include "configkeys_p.h"
#include "frontdoor.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QLoggingCategory>
#include <QThread>

#include <algorithm>

Q_LOGGING_CATEGORY(lcConfig, "coderoom.server.config")

namespace coderoom::config {

namespace {

// A key's value before parsing, and where it came from (for messages and --check-config).
struct RawValue
{
    QString text;
    QString
        origin; // "line 12 of /etc/coderoomd.conf", "from CODEROOM_MEMORY_MB", "from --memory-mb"
    QString baseDir; // relative paths are resolved against this
    int line = 0;    // in the config file; 0 for env and flags
};

const ConfigKey *findKey(const QString &name)
{
    for (const ConfigKey &k : configKeys()) {
        if (k.key() == name)
            return &k;
    }
    return nullptr;
}

int editDistance(const QString &a, const QString &b)
{
    QList<int> row(b.size() + 1);
    for (qsizetype j = 0; j <= b.size(); ++j)
        row[j] = int(j);
    for (qsizetype i = 1; i <= a.size(); ++i) {
        int diagonal = row[0];
        row[0] = int(i);
        for (qsizetype j = 1; j <= b.size(); ++j) {
            const int up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

QString unknownKeyMessage(const QString &name, const QString &where)
{
    QString message = QStringLiteral("unknown key \"%1\" (%2)").arg(name, where);
    for (const ConfigKey &k : configKeys()) {
        if (editDistance(name, k.key()) <= 2)
            return message + QStringLiteral("; did you mean \"%1\"?").arg(k.key());
    }
    return message;
}

// `value`, `"quoted value"`, `value   # comment`. A # starts a comment only after whitespace
// (or as the whole value, `key =  # comment`),
// so paths like /srv/a#b survive; quote a value that must contain " #".
bool cleanValue(QString value, QString *out)
{
    value = value.trimmed();
    if (value.startsWith(QLatin1Char('"'))) {
        const qsizetype close = value.indexOf(QLatin1Char('"'), 1);
        if (close < 0)
            return false;
        const QString rest = value.mid(close + 1).trimmed();
        if (!rest.isEmpty() && !rest.startsWith(QLatin1Char('#')))
            return false;
        *out = value.mid(1, close - 1);
        return true;
    }
    for (qsizetype i = 0; i < value.size(); ++i) {
        if (value[i] == QLatin1Char('#') && (i == 0 || value[i - 1].isSpace())) {
            value.truncate(i);
            break;
        }
    }
    *out = value.trimmed();
    return true;
}

void readConfigFile(const QString &path, QHash<QString, RawValue> *raw, QStringList *errors)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        errors->append(
            QStringLiteral("cannot read the config file %1: %2").arg(path, file.errorString()));
        return;
    }
    const QString baseDir = QFileInfo(path).absolutePath();
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int lineNo = int(i + 1);
        const QString where = QStringLiteral("line %1 of %2").arg(lineNo).arg(path);
        const QString line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) ||
            line.startsWith(QLatin1Char(';')))
            continue;
        const qsizetype eq = line.indexOf(QLatin1Char('='));
        if (eq <= 0) {
            errors->append(QStringLiteral("expected \"key = value\", not \"%1\" (%2)")
                               .arg(line.left(60), where));
            continue;
        }
        const QString name = line.left(eq).trimmed();
        if (!findKey(name)) {
            errors->append(unknownKeyMessage(name, where));
            continue;
        }
        QString value;
        if (!cleanValue(line.mid(eq + 1), &value)) {
            errors->append(QStringLiteral("%1 has an unterminated or malformed quoted value (%2)")
                               .arg(name, where));
            continue;
        }
        if (const auto it = raw->constFind(name); it != raw->constEnd()) {
            errors->append(QStringLiteral("%1 is set twice in %2 (lines %3 and %4)")
                               .arg(name, path)
                               .arg(it->line)
                               .arg(lineNo));
            continue;
        }
        raw->insert(name, {value, where, baseDir, lineNo});
    }
}

void makeParser(QCommandLineParser &parser)
{
    parser.setApplicationDescription(
        QStringLiteral("Coderoom execution server.\n"
                       "Every option can also be set in the config file (key with underscores) "
                       "or as CODEROOM_<KEY>;\nflags win over the environment, the environment "
                       "over the file."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("config"),
                      QStringLiteral("Read this config file (default: $CODEROOM_CONFIG; "
                                     "none when unset)."),
                      QStringLiteral("file")});
    parser.addOption({QStringLiteral("check-config"),
                      QStringLiteral("Print the effective configuration and exit (0), or print "
                                     "the errors and exit 2.")});
    for (const ConfigKey &k : configKeys()) {
        if (k.valueName)
            parser.addOption(
                {k.flagName(), QString::fromLatin1(k.help), QString::fromLatin1(k.valueName)});
        else
            parser.addOption({k.flagName(), QString::fromLatin1(k.help)});
    }
}

// `coderoomd user add bob --role teacher --config F`: the server's own flags (known keys and
// --config) are taken out for the configuration; everything else stays for the subcommand.
void splitAdminArguments(const QStringList &arguments, QStringList *serverArgs,
                         QStringList *adminArgs)
{
    serverArgs->append(arguments.value(0));
    for (qsizetype i = 1; i < arguments.size(); ++i) {
        const QString &arg = arguments[i];
        if (i > 1 && arg.startsWith(QLatin1String("--"))) {
            const QString name = arg.mid(2).section(QLatin1Char('='), 0, 0);
            const ConfigKey *key =
                findKey(QString(name).replace(QLatin1Char('-'), QLatin1Char('_')));
            const bool isConfig = name == QLatin1String("config");
            if ((key && key->valueName) || isConfig) {
                serverArgs->append(arg);
                if (!arg.contains(QLatin1Char('=')) && i + 1 < arguments.size())
                    serverArgs->append(arguments[++i]);
                continue;
            }
            if (key) {
                serverArgs->append(arg);
                continue;
            }
        }
        adminArgs->append(arg);
    }
}

QString quoted(const QString &value)
{
    if (value.contains(QLatin1Char('#')) || value != value.trimmed())
        return QLatin1Char('"') + value + QLatin1Char('"');
    return value;
}

QString describe(const core::ServerConfig &config, const QString &configFile,
                 const QHash<QString, RawValue> &raw)
{
    QString out = QStringLiteral("# coderoomd effective configuration (config file: %1)\n")
                      .arg(configFile.isEmpty() ? QStringLiteral("none") : configFile);
    for (const ConfigKey &k : configKeys()) {
        QString line = k.key() + QStringLiteral(" = ") + quoted(k.show(config));
        const auto it = raw.constFind(k.key());
        const QString origin = it == raw.constEnd() ? QStringLiteral("default") : it->origin;
        line = line.leftJustified(40) + QStringLiteral(" # ") + origin;
        out += line + QLatin1Char('\n');
    }
    return out;
}

} // namespace

QString ConfigResult::errorText() const
{
    QString out;
    for (const QString &e : errors)
        out += QStringLiteral("coderoomd: ") + e + QLatin1Char('\n');
    return out;
}

QList<ConfigChange> configChanges(const core::ServerConfig &before, const core::ServerConfig &after)
{
    // What ServerCore::applyConfig() and main.cpp change while serving. Everything else is read
    // once at start (the socket, the files, the session manager's pool) and needs a restart.
    static const QStringList live{QStringLiteral("workers"),
                                  QStringLiteral("max_queue"),
                                  QStringLiteral("max_per_user"),
                                  QStringLiteral("queue_ttl_ms"),
                                  QStringLiteral("run_time_ms"),
                                  QStringLiteral("memory_mb"),
                                  QStringLiteral("writable_mb"),
                                  QStringLiteral("job_cpu_millicores"),
                                  QStringLiteral("output_bytes"),
                                  QStringLiteral("max_code_bytes"),
                                  QStringLiteral("shutdown_grace_ms"),
                                  QStringLiteral("node"),
                                  QStringLiteral("log_format"),
                                  QStringLiteral("rest_without_token"),
                                  QStringLiteral("verbose")};
    QList<ConfigChange> out;
    for (const ConfigKey &k : configKeys()) {
        const QString was = k.show(before);
        const QString now = k.show(after);
        if (was != now)
            out.append({k.key(), was, now, live.contains(k.key())});
    }
    return out;
}

QStringList adminSubcommands()
{
    return {QStringLiteral("user"), QStringLiteral("token")};
}

ConfigResult loadServerConfig(const QStringList &arguments, const QProcessEnvironment &env)
{
    ConfigResult result;
    const bool admin = adminSubcommands().contains(arguments.value(1));
    QStringList serverArgs = arguments;
    if (admin) {
        serverArgs.clear();
        splitAdminArguments(arguments, &serverArgs, &result.adminArguments);
    }

    QCommandLineParser parser;
    makeParser(parser);
    if (!parser.parse(serverArgs)) {
        result.errors.append(parser.errorText());
        return result;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all"))) {
        result.action = ConfigAction::ShowHelp;
        result.text = parser.helpText();
        return result;
    }
    if (parser.isSet(QStringLiteral("version"))) {
        result.action = ConfigAction::ShowVersion;
        result.text = QStringLiteral("coderoomd %1\n").arg(QStringLiteral(CODEROOM_VERSION));
        return result;
    }
    if (!parser.positionalArguments().isEmpty()) {
        result.errors.append(QStringLiteral("unexpected argument \"%1\" (subcommands: %2)")
                                 .arg(parser.positionalArguments().constFirst(),
                                      adminSubcommands().join(QStringLiteral(", "))));
        return result;
    }
    result.checkRequested = parser.isSet(QStringLiteral("check-config"));

    // Layer the sources: file, then environment, then flags; a later one replaces the value.
    QHash<QString, RawValue> raw;
    QString configPath = parser.isSet(QStringLiteral("config"))
                             ? parser.value(QStringLiteral("config"))
                             : env.value(QStringLiteral("CODEROOM_CONFIG"));
    if (!configPath.isEmpty()) {
        result.configFile = QFileInfo(configPath).absoluteFilePath();
        readConfigFile(result.configFile, &raw, &result.errors);
    }
    const QString cwd = QDir::currentPath();
    for (const ConfigKey &k : configKeys()) {
        // An empty variable counts as unset: scripts often export VAR= to mean "no value".
        const QString value = env.value(k.envName());
        if (!value.isEmpty())
            raw.insert(k.key(), {value, QStringLiteral("from ") + k.envName(), cwd, 0});
    }
    for (const ConfigKey &k : configKeys()) {
        if (!parser.isSet(k.flagName()))
            continue;
        const QString value = k.valueName ? parser.value(k.flagName()) : QStringLiteral("true");
        raw.insert(k.key(), {value, QStringLiteral("from --") + k.flagName(), cwd, 0});
    }

    core::ServerConfig &config = result.config;
    config.scheduler.workers = std::max(1, QThread::idealThreadCount());
    for (const ConfigKey &k : configKeys()) {
        const auto it = raw.constFind(k.key());
        if (it == raw.constEnd() || it->text.isEmpty())
            continue; // empty value: the default
        KeyValue value;
        QString why;
        if (!parseValue(k, it->text, &value, &why)) {
            result.errors.append(QStringLiteral("%1 %2 (%3)").arg(k.key(), why, it->origin));
            continue;
        }
        if (k.kind == KeyKind::Path)
            value.text = QDir::cleanPath(QDir(it->baseDir).absoluteFilePath(value.text));
        k.store(config, value);
    }

    if (config.dataDir.isEmpty())
        result.errors.append(QStringLiteral("data_dir is required (data_dir = DIR in the config "
                                            "file, CODEROOM_DATA_DIR or --data-dir DIR)"));
    if (config.tlsCertificate.isEmpty() != config.tlsKey.isEmpty())
        result.errors.append(config.tlsKey.isEmpty()
                                 ? QStringLiteral("tls_certificate is set but tls_key is not: "
                                                  "TLS needs both")
                                 : QStringLiteral("tls_key is set but tls_certificate is not: "
                                                  "TLS needs both"));
    else if (result.checkRequested && !config.tlsCertificate.isEmpty()) {
        // The server checks again when it starts; this makes --check-config catch it first.
        QString tlsError;
        if (!transport::FrontDoor::loadTlsConfiguration(config.tlsCertificate, config.tlsKey,
                                                        &tlsError))
            result.errors.append(tlsError);
    }

    if (!result.errors.isEmpty()) {
        qCDebug(lcConfig) << "configuration refused:" << result.errors;
        return result;
    }
    if (admin) {
        result.action = ConfigAction::AdminCommand;
    } else if (result.checkRequested) {
        result.action = ConfigAction::CheckConfig;
        result.text = describe(config, result.configFile, raw);
    } else {
        result.action = ConfigAction::Serve;
    }
    return result;
}

} // namespace coderoom::config
