// Client -> server messages: decoding (the server's side) and encoding (the clients' side).
#include "codec.h"
#include "jsonfields_p.h"

#include <QJsonArray>

namespace coderoom::protocol {

using detail::FieldReader;

namespace {

RunLimits readRunLimits(FieldReader &outer)
{
    const QJsonObject o = outer.object("limits", false);
    FieldReader r(o);
    RunLimits limits{r.maybeInteger("run_time_ms"), r.maybeInteger("cpu_ms"),
                     r.maybeInteger("memory_mb"), r.maybeInteger("output_bytes"),
                     r.maybeInteger("compile_time_ms")};
    for (const auto &v : {limits.runTimeMs, limits.cpuMs, limits.memoryMb, limits.outputBytes,
                          limits.compileTimeMs}) {
        if (v && *v <= 0)
            r.fail(QStringLiteral("limits must be positive"));
    }
    if (!r.ok())
        outer.fail(QStringLiteral("in \"limits\": ") + r.error());
    return limits;
}

QList<SourceFile> readFiles(FieldReader &outer)
{
    QList<SourceFile> files;
    const QJsonArray items = outer.array("files", true);
    for (const QJsonValue &item : items) {
        if (!item.isObject()) {
            outer.fail(QStringLiteral("each entry of \"files\" must be an object"));
            return {};
        }
        FieldReader r(item.toObject());
        SourceFile file{r.optionalString("name"), r.string("content")};
        if (!r.ok()) {
            outer.fail(QStringLiteral("in \"files\": ") + r.error());
            return {};
        }
        files.append(file);
    }
    if (outer.ok() && files.isEmpty())
        outer.fail(QStringLiteral("\"files\" must hold at least one file"));
    return files;
}

std::optional<ClientMessage> readClient(const QString &type, const QString &id, FieldReader &r)
{
    if (type == QLatin1String("hello")) {
        Hello m{id, 0, r.optionalString("token"), r.optionalString("user"),
                r.optionalString("client")};
        m.protocol = r.int32("protocol");
        return m;
    }
    if (type == QLatin1String("session.open")) {
        SessionOpen m{id, r.optionalString("language"), r.optionalString("session")};
        if (r.ok() && m.language.isEmpty() && m.session.isEmpty())
            r.fail(QStringLiteral("session.open needs \"language\" or \"session\""));
        return m;
    }
    if (type == QLatin1String("session.restart"))
        return SessionRestart{id, r.string("session")};
    if (type == QLatin1String("session.close"))
        return SessionClose{id, r.string("session")};
    if (type == QLatin1String("eval"))
        return Eval{id, r.string("session"), r.string("code")};
    if (type == QLatin1String("run")) {
        Run m;
        m.id = id;
        m.language = r.string("language");
        m.files = readFiles(r);
        m.main = r.optionalString("main");
        m.stdinData = r.maybeString("stdin");
        m.args = r.stringList("args", false);
        m.limits = readRunLimits(r);
        m.session = r.optionalString("session");
        return m;
    }
    if (type == QLatin1String("input")) {
        Input m{id, r.string("request"), r.optionalString("data"), r.boolean("eof", false)};
        if (r.ok() && !r.has("data") && !m.eof)
            r.fail(QStringLiteral("input needs \"data\" or \"eof\":true"));
        return m;
    }
    if (type == QLatin1String("interrupt"))
        return Interrupt{id, r.string("request")};
    if (type == QLatin1String("cancel"))
        return Cancel{id, r.string("request")};
    if (type == QLatin1String("complete")) {
        Complete m{id, r.string("session"), r.string("code"), 0};
        m.cursor = r.maybeInteger("cursor").value_or(m.code.size());
        if (r.ok() && (m.cursor < 0 || m.cursor > m.code.size()))
            r.fail(QStringLiteral("\"cursor\" must lie within \"code\""));
        return m;
    }
    if (type == QLatin1String("history"))
        return HistoryRequest{id, r.string("session")};
    if (type == QLatin1String("ping"))
        return Ping{id};
    return std::nullopt;
}

struct ClientEncoder
{
    QJsonObject operator()(const Hello &m) const
    {
        return {{QStringLiteral("protocol"), m.protocol}, {QStringLiteral("token"), m.token},
                {QStringLiteral("user"), m.user}, {QStringLiteral("client"), m.client}};
    }
    QJsonObject operator()(const SessionOpen &m) const
    {
        QJsonObject o;
        if (!m.language.isEmpty())
            o.insert(QStringLiteral("language"), m.language);
        if (!m.session.isEmpty())
            o.insert(QStringLiteral("session"), m.session);
        return o;
    }
    QJsonObject operator()(const SessionRestart &m) const
    {
        return {{QStringLiteral("session"), m.session}};
    }
    QJsonObject operator()(const SessionClose &m) const
    {
        return {{QStringLiteral("session"), m.session}};
    }
    QJsonObject operator()(const Eval &m) const
    {
        return {{QStringLiteral("session"), m.session}, {QStringLiteral("code"), m.code}};
    }
    QJsonObject operator()(const Run &m) const
    {
        QJsonArray files;
        for (const SourceFile &f : m.files) {
            files.append(QJsonObject{{QStringLiteral("name"), f.name},
                                     {QStringLiteral("content"), f.content}});
        }
        QJsonObject o{{QStringLiteral("language"), m.language},
                      {QStringLiteral("files"), files},
                      {QStringLiteral("args"), QJsonArray::fromStringList(m.args)}};
        if (!m.main.isEmpty())
            o.insert(QStringLiteral("main"), m.main);
        if (m.stdinData)
            o.insert(QStringLiteral("stdin"), *m.stdinData);
        if (!m.session.isEmpty())
            o.insert(QStringLiteral("session"), m.session);
        QJsonObject limits;
        const auto put = [&limits](const char *key, const std::optional<qint64> &v) {
            if (v)
                limits.insert(QLatin1String(key), *v);
        };
        put("run_time_ms", m.limits.runTimeMs);
        put("cpu_ms", m.limits.cpuMs);
        put("memory_mb", m.limits.memoryMb);
        put("output_bytes", m.limits.outputBytes);
        put("compile_time_ms", m.limits.compileTimeMs);
        if (!limits.isEmpty())
            o.insert(QStringLiteral("limits"), limits);
        return o;
    }
    QJsonObject operator()(const Input &m) const
    {
        QJsonObject o{{QStringLiteral("request"), m.request}};
        if (m.eof)
            o.insert(QStringLiteral("eof"), true);
        if (!m.data.isEmpty() || !m.eof)
            o.insert(QStringLiteral("data"), m.data);
        return o;
    }
    QJsonObject operator()(const Interrupt &m) const
    {
        return {{QStringLiteral("request"), m.request}};
    }
    QJsonObject operator()(const Cancel &m) const
    {
        return {{QStringLiteral("request"), m.request}};
    }
    QJsonObject operator()(const Complete &m) const
    {
        return {{QStringLiteral("session"), m.session}, {QStringLiteral("code"), m.code},
                {QStringLiteral("cursor"), m.cursor}};
    }
    QJsonObject operator()(const HistoryRequest &m) const
    {
        return {{QStringLiteral("session"), m.session}};
    }
    QJsonObject operator()(const Ping &) const { return {}; }
};

} // namespace

QString typeName(const ClientMessage &message)
{
    static const char *const names[] = {"hello",  "session.open", "session.restart",
                                        "session.close", "eval", "run", "input", "interrupt",
                                        "cancel", "complete", "history", "ping"};
    static_assert(std::size(names) == std::variant_size_v<ClientMessage>);
    return QLatin1String(names[message.index()]);
}

Decoded<ClientMessage> decodeClientMessage(const QByteArray &frame, const CodecLimits &limits)
{
    QJsonObject object;
    QString type;
    QString id;
    if (auto error = detail::parseFrame(frame, limits, object, type, id))
        return *error;
    FieldReader reader(object);
    std::optional<ClientMessage> message = readClient(type, id, reader);
    if (!message) {
        return DecodeError{ErrorCode::UnknownType,
                           QStringLiteral("unknown message type \"%1\"").arg(type), id, type};
    }
    if (!reader.ok())
        return DecodeError{ErrorCode::BadRequest, type + QStringLiteral(": ") + reader.error(),
                           id, type};
    return *message;
}

QJsonObject toJson(const ClientMessage &message)
{
    QJsonObject o = std::visit(ClientEncoder{}, message);
    o.insert(QStringLiteral("type"), typeName(message));
    const QString id = std::visit([](const auto &m) { return m.id; }, message);
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return o;
}

QByteArray encode(const ClientMessage &message) { return detail::toCompactJson(toJson(message)); }

} // namespace coderoom::protocol
