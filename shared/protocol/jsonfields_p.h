#pragma once

#include "codec.h"

#include <QJsonArray>
#include <QJsonObject>

// Private helpers shared by the client and server codecs.
namespace coderoom::protocol::detail {

// Reads typed fields from one JSON object and remembers the first problem, so a decoder reads
// every field straight through and checks ok() once at the end.
class FieldReader
{
public:
    explicit FieldReader(const QJsonObject &object) : m_object(object) {}

    QString string(const char *key);                   // required
    QString optionalString(const char *key);           // absent -> empty
    std::optional<QString> maybeString(const char *key);
    qint64 integer(const char *key);                   // required
    int int32(const char *key);                        // required, within int's range
    std::optional<qint64> maybeInteger(const char *key);
    std::optional<int> maybeIntOrNull(const char *key); // absent or null -> nullopt
    bool boolean(const char *key, bool fallback);
    QJsonArray array(const char *key, bool required);
    QJsonObject object(const char *key, bool required);
    QStringList stringList(const char *key, bool required);

    bool has(const char *key) const { return m_object.contains(QLatin1String(key)); }
    void fail(const QString &message);
    bool ok() const { return m_error.isEmpty(); }
    const QString &error() const { return m_error; }

private:
    QJsonValue value(const char *key, bool required);

    QJsonObject m_object;
    QString m_error;
};

// Steps shared by both directions: size, UTF-8, depth, JSON, "type" and "id". On success fills
// object/type/id and returns nullopt.
std::optional<DecodeError> parseFrame(const QByteArray &frame, const CodecLimits &limits,
                                      QJsonObject &object, QString &type, QString &id);

QByteArray toCompactJson(const QJsonObject &object);

inline QJsonValue nullable(const std::optional<int> &v)
{
    return v ? QJsonValue(*v) : QJsonValue(QJsonValue::Null);
}

} // namespace coderoom::protocol::detail
