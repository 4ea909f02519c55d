// Server -> client messages: encoding (the server's side) and decoding (the clients' side).
#include "codec.h"
#include "jsonfields_p.h"

#include <QJsonArray>

namespace coderoom::protocol {

using detail::FieldReader;
using detail::nullable;

namespace {

template<typename T> QString idOf(const T &m)
{
    if constexpr (requires { m.id; })
        return m.id;
    else
        return {};
}

template<typename T> void setId(T &m, const QString &id)
{
    if constexpr (requires { m.id; })
        m.id = id;
}

QJsonObject limitsJson(const ServerLimits &l)
{
    return {{QStringLiteral("run_time_ms"), l.runTimeMs},
            {QStringLiteral("queue_ttl_ms"), l.queueTtlMs},
            {QStringLiteral("memory_mb"), l.memoryMb},
            {QStringLiteral("output_bytes"), l.outputBytes},
            {QStringLiteral("max_code_bytes"), l.maxCodeBytes},
            {QStringLiteral("input_wait_ms"), l.inputWaitMs}};
}

struct ServerEncoder
{
    QJsonObject operator()(const Welcome &m) const
    {
        QJsonArray languages;
        for (const LanguageInfo &l : m.languages) {
            languages.append(QJsonObject{
                {QStringLiteral("id"), l.id},
                {QStringLiteral("name"), l.name},
                {QStringLiteral("version"), l.version},
                {QStringLiteral("repl"), l.repl},
                {QStringLiteral("extensions"), QJsonArray::fromStringList(l.extensions)}});
        }
        return {{QStringLiteral("protocol"), m.protocol},
                {QStringLiteral("server"), m.server},
                {QStringLiteral("node"), m.node},
                {QStringLiteral("languages"), languages},
                {QStringLiteral("limits"), limitsJson(m.limits)}};
    }
    QJsonObject operator()(const Redirect &m) const
    {
        return {{QStringLiteral("url"), m.url}, {QStringLiteral("node"), m.node}};
    }
    QJsonObject operator()(const Error &m) const
    {
        return {{QStringLiteral("code"), toWire(m.code)}, {QStringLiteral("message"), m.message}};
    }
    QJsonObject operator()(const SessionOpened &m) const
    {
        return {{QStringLiteral("session"), m.session},
                {QStringLiteral("language"), m.language},
                {QStringLiteral("restored"), m.restored},
                {QStringLiteral("history"), m.history}};
    }
    QJsonObject operator()(const SessionClosed &m) const
    {
        QJsonObject o{{QStringLiteral("session"), m.session}};
        if (!m.reason.isEmpty())
            o.insert(QStringLiteral("reason"), m.reason);
        return o;
    }
    QJsonObject operator()(const SessionRestored &m) const
    {
        QJsonObject o{{QStringLiteral("session"), m.session},
                      {QStringLiteral("reason"), toWire(m.reason)},
                      {QStringLiteral("replayed"), m.replayed}};
        if (m.divergedAt)
            o.insert(QStringLiteral("diverged_at"), *m.divergedAt);
        if (!m.message.isEmpty())
            o.insert(QStringLiteral("message"), m.message);
        return o;
    }
    QJsonObject operator()(const Accepted &m) const
    {
        return {{QStringLiteral("request"), m.request},
                {QStringLiteral("queue_position"), m.queuePosition}};
    }
    QJsonObject operator()(const Started &m) const
    {
        return {{QStringLiteral("request"), m.request}};
    }
    QJsonObject operator()(const Output &m) const
    {
        return {{QStringLiteral("request"), m.request},
                {QStringLiteral("stream"), toWire(m.stream)},
                {QStringLiteral("data"), m.data}};
    }
    QJsonObject operator()(const InputWait &m) const
    {
        return {{QStringLiteral("request"), m.request}};
    }
    QJsonObject operator()(const Result &m) const
    {
        QJsonObject o{{QStringLiteral("request"), m.request},
                      {QStringLiteral("status"), toWire(m.status)},
                      {QStringLiteral("exit_code"), nullable(m.exitCode)},
                      {QStringLiteral("signal"), nullable(m.signal)},
                      {QStringLiteral("time_ms"), m.timeMs},
                      {QStringLiteral("cpu_ms"), m.cpuMs},
                      {QStringLiteral("memory_kb"), m.memoryKb},
                      {QStringLiteral("truncated"), m.truncated},
                      {QStringLiteral("message"), m.message}};
        if (m.value)
            o.insert(QStringLiteral("value"), *m.value);
        if (!m.limit.isEmpty())
            o.insert(QStringLiteral("limit"), m.limit);
        if (m.writableKb > 0)
            o.insert(QStringLiteral("writable_kb"), m.writableKb);
        if (m.writableFull)
            o.insert(QStringLiteral("writable_full"), true);
        return o;
    }
    QJsonObject operator()(const Completions &m) const
    {
        return {{QStringLiteral("session"), m.session},
                {QStringLiteral("items"), QJsonArray::fromStringList(m.items)}};
    }
    QJsonObject operator()(const HistoryReply &m) const
    {
        QJsonArray entries;
        for (const HistoryEntry &e : m.entries) {
            entries.append(QJsonObject{{QStringLiteral("seq"), e.seq},
                                       {QStringLiteral("code"), e.code},
                                       {QStringLiteral("status"), toWire(e.status)}});
        }
        return {{QStringLiteral("session"), m.session}, {QStringLiteral("entries"), entries}};
    }
    QJsonObject operator()(const Pong &) const { return {}; }
    QJsonObject operator()(const SessionWaiting &m) const
    {
        return {{QStringLiteral("session"), m.session},
                {QStringLiteral("queue_position"), m.queuePosition}};
    }
};

Status readStatus(FieldReader &r, const char *key)
{
    const QString name = r.string(key);
    const auto status = statusFromWire(name);
    if (r.ok() && !status)
        r.fail(QStringLiteral("unknown status \"%1\"").arg(name));
    return status.value_or(Status::InternalError);
}

ServerLimits readServerLimits(FieldReader &outer)
{
    FieldReader r(outer.object("limits", false));
    ServerLimits l;
    l.runTimeMs = r.maybeInteger("run_time_ms").value_or(l.runTimeMs);
    l.queueTtlMs = r.maybeInteger("queue_ttl_ms").value_or(l.queueTtlMs);
    l.memoryMb = r.maybeInteger("memory_mb").value_or(l.memoryMb);
    l.outputBytes = r.maybeInteger("output_bytes").value_or(l.outputBytes);
    l.maxCodeBytes = r.maybeInteger("max_code_bytes").value_or(l.maxCodeBytes);
    l.inputWaitMs = r.maybeInteger("input_wait_ms").value_or(l.inputWaitMs);
    if (!r.ok())
        outer.fail(QStringLiteral("in \"limits\": ") + r.error());
    return l;
}

QList<LanguageInfo> readLanguages(FieldReader &outer)
{
    QList<LanguageInfo> out;
    for (const QJsonValue &v : outer.array("languages", false)) {
        FieldReader r(v.toObject());
        out.append({r.string("id"), r.optionalString("name"), r.optionalString("version"),
                    r.boolean("repl", false), r.stringList("extensions", false)});
        if (!r.ok() || !v.isObject()) {
            outer.fail(QStringLiteral("in \"languages\": ") +
                       (r.ok() ? QStringLiteral("entries must be objects") : r.error()));
            return {};
        }
    }
    return out;
}

QList<HistoryEntry> readEntries(FieldReader &outer)
{
    QList<HistoryEntry> out;
    for (const QJsonValue &v : outer.array("entries", true)) {
        FieldReader r(v.toObject());
        HistoryEntry e{r.integer("seq"), r.string("code"), readStatus(r, "status")};
        if (!r.ok()) {
            outer.fail(QStringLiteral("in \"entries\": ") + r.error());
            return {};
        }
        out.append(e);
    }
    return out;
}

std::optional<ServerMessage> readServer(const QString &type, FieldReader &r)
{
    if (type == QLatin1String("welcome")) {
        Welcome m;
        m.protocol = r.int32("protocol");
        m.server = r.optionalString("server");
        m.node = r.optionalString("node");
        m.languages = readLanguages(r);
        m.limits = readServerLimits(r);
        return m;
    }
    if (type == QLatin1String("redirect"))
        return Redirect{{}, r.string("url"), r.optionalString("node")};
    if (type == QLatin1String("error")) {
        const QString name = r.string("code");
        // An unknown code from a newer server still reaches the user as its message.
        return Error{{},
                     errorCodeFromWire(name).value_or(ErrorCode::InternalError),
                     r.optionalString("message")};
    }
    if (type == QLatin1String("session.opened")) {
        return SessionOpened{{},
                             r.string("session"),
                             r.optionalString("language"),
                             r.boolean("restored", false),
                             r.maybeInteger("history").value_or(0)};
    }
    if (type == QLatin1String("session.closed"))
        return SessionClosed{{}, r.string("session"), r.optionalString("reason")};
    if (type == QLatin1String("session.restored")) {
        SessionRestored m;
        m.session = r.string("session");
        const QString reason = r.string("reason");
        m.reason = restoreReasonFromWire(reason).value_or(RestoreReason::Crash);
        m.replayed = r.maybeInteger("replayed").value_or(0);
        m.divergedAt = r.maybeInteger("diverged_at");
        m.message = r.optionalString("message");
        return m;
    }
    if (type == QLatin1String("accepted")) {
        return Accepted{{}, r.string("request"), r.maybeInteger("queue_position").value_or(0)};
    }
    if (type == QLatin1String("started"))
        return Started{r.string("request")};
    if (type == QLatin1String("output")) {
        Output m{r.string("request"), OutputStream::Stdout, r.string("data")};
        const QString stream = r.string("stream");
        const auto s = outputStreamFromWire(stream);
        if (r.ok() && !s)
            r.fail(QStringLiteral("unknown stream \"%1\"").arg(stream));
        m.stream = s.value_or(OutputStream::Stdout);
        return m;
    }
    if (type == QLatin1String("input.wait"))
        return InputWait{r.string("request")};
    if (type == QLatin1String("result")) {
        Result m;
        m.request = r.optionalString("request");
        m.status = readStatus(r, "status");
        m.exitCode = r.maybeIntOrNull("exit_code");
        m.signal = r.maybeIntOrNull("signal");
        m.value = r.maybeString("value");
        m.timeMs = r.maybeInteger("time_ms").value_or(0);
        m.cpuMs = r.maybeInteger("cpu_ms").value_or(0);
        m.memoryKb = r.maybeInteger("memory_kb").value_or(0);
        m.writableKb = r.maybeInteger("writable_kb").value_or(0);
        m.writableFull = r.boolean("writable_full", false);
        m.truncated = r.boolean("truncated", false);
        m.message = r.optionalString("message");
        m.limit = r.optionalString("limit");
        return m;
    }
    if (type == QLatin1String("completions"))
        return Completions{{}, r.optionalString("session"), r.stringList("items", true)};
    if (type == QLatin1String("history"))
        return HistoryReply{{}, r.optionalString("session"), readEntries(r)};
    if (type == QLatin1String("pong"))
        return Pong{};
    if (type == QLatin1String("session.waiting")) {
        return SessionWaiting{
            {}, r.string("session"), r.maybeInteger("queue_position").value_or(0)};
    }
    return std::nullopt;
}

} // namespace

QString typeName(const ServerMessage &message)
{
    static const char *const names[] = {
        "welcome",          "redirect",    "error",   "session.opened", "session.closed",
        "session.restored", "accepted",    "started", "output",         "input.wait",
        "result",           "completions", "history", "pong",           "session.waiting"};
    static_assert(std::size(names) == std::variant_size_v<ServerMessage>);
    return QLatin1String(names[message.index()]);
}

Decoded<ServerMessage> decodeServerMessage(const QByteArray &frame, const CodecLimits &limits)
{
    QJsonObject object;
    QString type;
    QString id;
    if (auto error = detail::parseFrame(frame, limits, object, type, id))
        return *error;
    FieldReader reader(object);
    std::optional<ServerMessage> message = readServer(type, reader);
    if (!message) {
        return DecodeError{ErrorCode::UnknownType,
                           QStringLiteral("unknown message type \"%1\"").arg(type), id, type};
    }
    if (!reader.ok())
        return DecodeError{ErrorCode::BadRequest, type + QStringLiteral(": ") + reader.error(), id,
                           type};
    std::visit([&id](auto &m) { setId(m, id); }, *message);
    return *message;
}

QJsonObject toJson(const ServerMessage &message)
{
    QJsonObject o = std::visit(ServerEncoder{}, message);
    o.insert(QStringLiteral("type"), typeName(message));
    const QString id = std::visit([](const auto &m) { return idOf(m); }, message);
    if (!id.isEmpty())
        o.insert(QStringLiteral("id"), id);
    return o;
}

QByteArray encode(const ServerMessage &message)
{
    return detail::toCompactJson(toJson(message));
}

} // namespace coderoom::protocol
