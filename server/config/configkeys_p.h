#pragma once

#include "serverconfig.h"

#include <QList>
#include <QString>

// The table of configuration keys: how each is parsed, stored into ServerConfig and shown.
// One table serves the file, the environment, the flags, --help and --check-config, so a key
// cannot exist in one and be missing from another.
namespace coderoom::config {

enum class KeyKind
{
    Text,      // any string
    Path,      // a file or directory; relative: to the config file's directory, or the cwd
    Listen,    // HOST:PORT, [v6]:PORT, localhost:PORT
    Number,    // a whole number in [min, max]
    Bool,      // true/false, yes/no, on/off, 1/0; a flag without a value
    LogFormat, // text | json
    EventDispatcher, // epoll | qt
};

// A value in text form after parsing. Only the member for the key's kind is meaningful.
struct KeyValue
{
    QString text;
    qint64 number = 0;
    bool flag = false;
    QHostAddress address;
    quint16 port = 0;
    core::LogFormat logFormat = core::LogFormat::Text;
    core::EventDispatcherChoice eventDispatcher = core::EventDispatcherChoice::Epoll;
};

struct ConfigKey
{
    const char *name; // file key; env CODEROOM_<NAME upper>; flag --<name with dashes>
    KeyKind kind;
    qint64 min;
    qint64 max;
    const char *valueName; // shown in --help
    const char *help;
    void (*store)(core::ServerConfig &config, const KeyValue &value);
    QString (*show)(const core::ServerConfig &config);

    QString key() const { return QString::fromLatin1(name); }
    QString flagName() const { return key().replace(QLatin1Char('_'), QLatin1Char('-')); }
    QString envName() const { return QStringLiteral("CODEROOM_") + key().toUpper(); }
};

const QList<ConfigKey> &configKeys();

// Parses `text` for `key`. On failure returns false and sets *why to the predicate of the
// message, e.g. `must be a positive whole number, not "abc"`.
bool parseValue(const ConfigKey &key, const QString &text, KeyValue *value, QString *why);

} // namespace coderoom::config
