#include "jsonfields_p.h"

#include <QJsonDocument>
#include <QStringDecoder>

#include <cmath>

namespace coderoom::protocol::detail {

namespace {

// JSON numbers are doubles; beyond 2^53 - 1 neighbouring integers share one double (2^53 + 1
// reads as 2^53), so such values are refused rather than silently rounded.
constexpr double maxExactInteger = 9007199254740991.0;

// Nesting depth outside strings, counted before QJsonDocument sees the frame: its own limit
// (1024) is far above anything the protocol uses, and a deep frame is cheap to refuse here.
int nestingDepth(const QByteArray &frame)
{
    int depth = 0;
    int maxDepth = 0;
    bool inString = false;
    bool escaped = false;
    for (const char c : frame) {
        if (inString) {
            if (escaped)
                escaped = false;
            else if (c == '\\')
                escaped = true;
            else if (c == '"')
                inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '{' || c == '[') {
            maxDepth = std::max(maxDepth, ++depth);
        } else if (c == '}' || c == ']') {
            --depth;
        }
    }
    return maxDepth;
}

} // namespace

void FieldReader::fail(const QString &message)
{
    if (m_error.isEmpty())
        m_error = message;
}

QJsonValue FieldReader::value(const char *key, bool required)
{
    const QJsonValue v = m_object.value(QLatin1String(key));
    if (v.isUndefined() && required)
        fail(QStringLiteral("missing field \"%1\"").arg(QLatin1String(key)));
    return v;
}

QString FieldReader::string(const char *key)
{
    const QJsonValue v = value(key, true);
    if (!v.isUndefined() && !v.isString())
        fail(QStringLiteral("field \"%1\" must be a string").arg(QLatin1String(key)));
    return v.toString();
}

QString FieldReader::optionalString(const char *key) { return maybeString(key).value_or(QString()); }

std::optional<QString> FieldReader::maybeString(const char *key)
{
    const QJsonValue v = value(key, false);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    if (!v.isString()) {
        fail(QStringLiteral("field \"%1\" must be a string").arg(QLatin1String(key)));
        return std::nullopt;
    }
    return v.toString();
}

qint64 FieldReader::integer(const char *key)
{
    const auto v = maybeInteger(key);
    if (!v && ok())
        fail(QStringLiteral("missing field \"%1\"").arg(QLatin1String(key)));
    return v.value_or(0);
}

std::optional<qint64> FieldReader::maybeInteger(const char *key)
{
    const QJsonValue v = value(key, false);
    if (v.isUndefined() || v.isNull())
        return std::nullopt;
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || std::isnan(d) || std::trunc(d) != d || std::fabs(d) > maxExactInteger) {
        fail(QStringLiteral("field \"%1\" must be an integer").arg(QLatin1String(key)));
        return std::nullopt;
    }
    return static_cast<qint64>(d);
}

int FieldReader::int32(const char *key)
{
    const qint64 v = integer(key);
    if (v < INT_MIN || v > INT_MAX) {
        fail(QStringLiteral("field \"%1\" is out of range").arg(QLatin1String(key)));
        return 0;
    }
    return static_cast<int>(v);
}

std::optional<int> FieldReader::maybeIntOrNull(const char *key)
{
    const auto v = maybeInteger(key);
    if (v && (*v < INT_MIN || *v > INT_MAX)) {
        fail(QStringLiteral("field \"%1\" is out of range").arg(QLatin1String(key)));
        return std::nullopt;
    }
    return v ? std::optional<int>(static_cast<int>(*v)) : std::nullopt;
}

bool FieldReader::boolean(const char *key, bool fallback)
{
    const QJsonValue v = value(key, false);
    if (v.isUndefined() || v.isNull())
        return fallback;
    if (!v.isBool())
        fail(QStringLiteral("field \"%1\" must be true or false").arg(QLatin1String(key)));
    return v.toBool(fallback);
}

QJsonArray FieldReader::array(const char *key, bool required)
{
    const QJsonValue v = value(key, required);
    if (!v.isUndefined() && !v.isNull() && !v.isArray())
        fail(QStringLiteral("field \"%1\" must be an array").arg(QLatin1String(key)));
    return v.toArray();
}

QJsonObject FieldReader::object(const char *key, bool required)
{
    const QJsonValue v = value(key, required);
    if (!v.isUndefined() && !v.isNull() && !v.isObject())
        fail(QStringLiteral("field \"%1\" must be an object").arg(QLatin1String(key)));
    return v.toObject();
}

QStringList FieldReader::stringList(const char *key, bool required)
{
    QStringList out;
    const QJsonArray items = array(key, required);
    for (const QJsonValue &item : items) {
        if (!item.isString()) {
            fail(QStringLiteral("field \"%1\" must hold only strings").arg(QLatin1String(key)));
            return {};
        }
        out.append(item.toString());
    }
    return out;
}

std::optional<DecodeError> parseFrame(const QByteArray &frame, const CodecLimits &limits,
                                      QJsonObject &object, QString &type, QString &id)
{
    if (frame.size() > limits.maxFrameBytes) {
        return DecodeError{ErrorCode::TooLarge,
                           QStringLiteral("frame of %1 bytes exceeds the limit of %2 bytes")
                               .arg(frame.size())
                               .arg(limits.maxFrameBytes),
                           {}, {}};
    }
    QStringDecoder utf8(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = utf8(frame);
    if (utf8.hasError())
        return DecodeError{ErrorCode::BadRequest, QStringLiteral("frame is not valid UTF-8"), {}, {}};
    if (nestingDepth(frame) > limits.maxDepth) {
        return DecodeError{ErrorCode::BadRequest,
                           QStringLiteral("JSON nested deeper than %1 levels").arg(limits.maxDepth),
                           {}, {}};
    }
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(frame, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        return DecodeError{ErrorCode::BadRequest,
                           QStringLiteral("not valid JSON: %1 at offset %2")
                               .arg(parseError.errorString())
                               .arg(parseError.offset),
                           {}, {}};
    }
    if (!doc.isObject())
        return DecodeError{ErrorCode::BadRequest, QStringLiteral("frame must be a JSON object"), {}, {}};
    object = doc.object();

    const QJsonValue idValue = object.value(QLatin1String("id"));
    if (!idValue.isUndefined() && !idValue.isNull() && !idValue.isString()) {
        return DecodeError{ErrorCode::BadRequest, QStringLiteral("field \"id\" must be a string"),
                           {}, {}};
    }
    id = idValue.toString();
    const QJsonValue typeValue = object.value(QLatin1String("type"));
    if (!typeValue.isString() || typeValue.toString().isEmpty()) {
        return DecodeError{ErrorCode::BadRequest,
                           QStringLiteral("missing field \"type\" (a non-empty string)"), id, {}};
    }
    type = typeValue.toString();
    return std::nullopt;
}

QByteArray toCompactJson(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

} // namespace coderoom::protocol::detail
