#include "configkeys_p.h"

namespace coderoom::config {

namespace {

using core::LogFormat;
using core::ServerConfig;

constexpr qint64 kMaxInt = 1'000'000'000;

QString number(qint64 v)
{
    return QString::number(v);
}

QString listenText(const ServerConfig &c)
{
    const QString host = c.address.protocol() == QAbstractSocket::IPv6Protocol
                             ? QLatin1Char('[') + c.address.toString() + QLatin1Char(']')
                             : c.address.toString();
    return host + QLatin1Char(':') + QString::number(c.port);
}

QString boolText(bool v)
{
    return v ? QStringLiteral("true") : QStringLiteral("false");
}

} // namespace

const QList<ConfigKey> &configKeys()
{
    // clang-format off
    static const QList<ConfigKey> keys = {
        {"listen", KeyKind::Listen, 0, 0, "host:port",
         "Address and port (port 0: pick a free one). Default 127.0.0.1:8765.",
         [](ServerConfig &c, const KeyValue &v) { c.address = v.address; c.port = v.port; },
         [](const ServerConfig &c) { return listenText(c); }},
        {"data_dir", KeyKind::Path, 0, 0, "dir",
         "Directory for the token, the database and the compile cache (required).",
         [](ServerConfig &c, const KeyValue &v) { c.dataDir = v.text; },
         [](const ServerConfig &c) { return c.dataDir; }},
        {"token_file", KeyKind::Path, 0, 0, "file",
         "File holding the accepted token (default: <data-dir>/token, created when absent).",
         [](ServerConfig &c, const KeyValue &v) { c.tokenFile = v.text; },
         [](const ServerConfig &c) { return c.tokenFile; }},
        {"admin_token_file", KeyKind::Path, 0, 0, "file",
         "File holding the admin view's token (default: <data-dir>/admin-token, created when "
         "absent).",
         [](ServerConfig &c, const KeyValue &v) { c.adminTokenFile = v.text; },
         [](const ServerConfig &c) { return c.adminTokenFile; }},
        {"resources_dir", KeyKind::Path, 0, 0, "dir",
         "Directory with languages.json and drivers/ (default: the installed one).",
         [](ServerConfig &c, const KeyValue &v) { c.resourcesDir = v.text; },
         [](const ServerConfig &c) { return c.resourcesDir; }},
        {"node", KeyKind::Text, 0, 0, "name", "Name of this server in a group (default node-a).",
         [](ServerConfig &c, const KeyValue &v) { c.node = v.text; },
         [](const ServerConfig &c) { return c.node; }},
        {"workers", KeyKind::Number, 1, 4096, "n", "Jobs running at once (default: cores).",
         [](ServerConfig &c, const KeyValue &v) { c.scheduler.workers = int(v.number); },
         [](const ServerConfig &c) { return number(c.scheduler.workers); }},
        {"max_queue", KeyKind::Number, 1, kMaxInt, "n", "Jobs waiting at most (default 64).",
         [](ServerConfig &c, const KeyValue &v) { c.scheduler.maxQueued = int(v.number); },
         [](const ServerConfig &c) { return number(c.scheduler.maxQueued); }},
        {"max_per_user", KeyKind::Number, 1, kMaxInt, "n",
         "Queued + running jobs per user (default 8).",
         [](ServerConfig &c, const KeyValue &v) { c.scheduler.maxPerUser = int(v.number); },
         [](const ServerConfig &c) { return number(c.scheduler.maxPerUser); }},
        {"live_sessions", KeyKind::Number, 0, 1000000, "n",
         "Default per-user limit: interactive sessions live at once (default 4; a class or a "
         "user may override it, see docs/accounts.md).",
         [](ServerConfig &c, const KeyValue &v) { c.quotaLiveSessions = int(v.number); },
         [](const ServerConfig &c) { return number(c.quotaLiveSessions); }},
        {"active_jobs", KeyKind::Number, 0, 1000000, "n",
         "Default per-user limit: runs/evals accepted and not finished (default 8).",
         [](ServerConfig &c, const KeyValue &v) { c.quotaActiveJobs = int(v.number); },
         [](const ServerConfig &c) { return number(c.quotaActiveJobs); }},
        {"jobs_per_minute", KeyKind::Number, 0, 1000000, "n",
         "Default per-user limit: runs/evals started in any 60 s (default 600).",
         [](ServerConfig &c, const KeyValue &v) { c.quotaJobsPerMinute = int(v.number); },
         [](const ServerConfig &c) { return number(c.quotaJobsPerMinute); }},
        {"queue_ttl_ms", KeyKind::Number, 1, kMaxInt, "ms",
         "Longest wait in the queue (default 10000).",
         [](ServerConfig &c, const KeyValue &v) {
             c.scheduler.queueTtlMs = v.number;
             c.limits.queueTtlMs = v.number;
         },
         [](const ServerConfig &c) { return number(c.scheduler.queueTtlMs); }},
        {"run_time_ms", KeyKind::Number, 1, kMaxInt, "ms",
         "Wall-clock limit per run (default 10000).",
         [](ServerConfig &c, const KeyValue &v) { c.limits.runTimeMs = v.number; },
         [](const ServerConfig &c) { return number(c.limits.runTimeMs); }},
        {"input_wait_ms", KeyKind::Number, 1, kMaxInt, "ms",
         "How long a run or REPL cell may wait for input; the run-time limit is paused "
         "meanwhile (default 900000, 15 minutes).",
         [](ServerConfig &c, const KeyValue &v) { c.limits.inputWaitMs = v.number; },
         [](const ServerConfig &c) { return number(c.limits.inputWaitMs); }},
        {"memory_mb", KeyKind::Number, 1, 1024 * 1024, "mb",
         "Memory limit per run (default 256).",
         [](ServerConfig &c, const KeyValue &v) { c.limits.memoryMb = v.number; },
         [](const ServerConfig &c) { return number(c.limits.memoryMb); }},
        {"writable_mb", KeyKind::Number, 1, 1024 * 1024, "mb",
         "What one job may write: /work, /tmp, /var/tmp and /dev/shm together, in memory "
         "(tmpfs); past it writes fail with \"No space left on device\" (default 64; a "
         "language's compile step may name more in languages.json).",
         [](ServerConfig &c, const KeyValue &v) { c.writableMb = v.number; },
         [](const ServerConfig &c) { return number(c.writableMb); }},
        {"job_cpu_millicores", KeyKind::Number, 0, 1024 * 1000, "millicores",
         "Each job's share of the CPU where the host gives coderoomd a cgroup cpu controller, "
         "in thousandths of a core (500 = half a core; default 0: not capped).",
         [](ServerConfig &c, const KeyValue &v) { c.jobCpuMilliCores = v.number; },
         [](const ServerConfig &c) { return number(c.jobCpuMilliCores); }},
        {"output_bytes", KeyKind::Number, 1, qint64(1) << 40, "bytes",
         "Output limit per run (default 1048576).",
         [](ServerConfig &c, const KeyValue &v) { c.limits.outputBytes = v.number; },
         [](const ServerConfig &c) { return number(c.limits.outputBytes); }},
        {"max_code_bytes", KeyKind::Number, 1, qint64(1) << 30, "bytes",
         "Largest program (all files) accepted (default 1048576).",
         [](ServerConfig &c, const KeyValue &v) { c.limits.maxCodeBytes = v.number; },
         [](const ServerConfig &c) { return number(c.limits.maxCodeBytes); }},
        {"max_frame_bytes", KeyKind::Number, 1024, qint64(1) << 30, "bytes",
         "Largest WebSocket frame or HTTP body accepted (default 2097152).",
         [](ServerConfig &c, const KeyValue &v) { c.maxFrameBytes = v.number; },
         [](const ServerConfig &c) { return number(c.maxFrameBytes); }},
        {"max_interpreters", KeyKind::Number, 1, 100000, "n",
         "Live REPL interpreters at most; idle ones past it hibernate (default 64).",
         [](ServerConfig &c, const KeyValue &v) { c.maxInterpreters = int(v.number); },
         [](const ServerConfig &c) { return number(c.maxInterpreters); }},
        {"interpreter_starts", KeyKind::Number, 1, 4096, "n",
         "Interpreters starting or replaying at once; more wait their turn, round robin across "
         "users (default: workers).",
         [](ServerConfig &c, const KeyValue &v) { c.interpreterStarts = int(v.number); },
         [](const ServerConfig &c) {
             return number(c.interpreterStarts < 0 ? c.scheduler.workers : c.interpreterStarts);
         }},
        {"warm_pool", KeyKind::Number, 0, 64, "n",
         "Pre-started interpreters per REPL language (default 1; 0 for none).",
         [](ServerConfig &c, const KeyValue &v) { c.warmPool = int(v.number); },
         [](const ServerConfig &c) { return number(c.warmPool); }},
        {"prestart", KeyKind::Number, 0, 4096, "n",
         "Pre-started Python sandboxes for batch runs, one run each (default: workers; 0: none).",
         [](ServerConfig &c, const KeyValue &v) { c.prestart = int(v.number); },
         [](const ServerConfig &c) {
             return number(c.prestart < 0 ? c.scheduler.workers : c.prestart);
         }},
        {"shutdown_grace_ms", KeyKind::Number, 1, 3'600'000, "ms",
         "On SIGTERM, how long running jobs may finish before they are stopped (default 5000).",
         [](ServerConfig &c, const KeyValue &v) { c.shutdownGraceMs = int(v.number); },
         [](const ServerConfig &c) { return number(c.shutdownGraceMs); }},
        {"tls_certificate", KeyKind::Path, 0, 0, "file",
         "PEM certificate (then its chain); with --tls-key: serve wss:// and https://.",
         [](ServerConfig &c, const KeyValue &v) { c.tlsCertificate = v.text; },
         [](const ServerConfig &c) { return c.tlsCertificate; }},
        {"tls_key", KeyKind::Path, 0, 0, "file", "PEM private key of --tls-certificate.",
         [](ServerConfig &c, const KeyValue &v) { c.tlsKey = v.text; },
         [](const ServerConfig &c) { return c.tlsKey; }},
        {"log_format", KeyKind::LogFormat, 0, 0, "text|json",
         "Log lines on standard error as text or one JSON object each (default text).",
         [](ServerConfig &c, const KeyValue &v) { c.logFormat = v.logFormat; },
         [](const ServerConfig &c) {
             return c.logFormat == LogFormat::Json ? QStringLiteral("json")
                                                   : QStringLiteral("text");
         }},
        {"event_dispatcher", KeyKind::EventDispatcher, 0, 0, "epoll|qt",
         "Event loop of the server: epoll (default; a wake-up costs per ready connection) or qt "
         "(Qt's own, which walks every connection on every wake-up; for comparison).",
         [](ServerConfig &c, const KeyValue &v) { c.eventDispatcher = v.eventDispatcher; },
         [](const ServerConfig &c) {
             return c.eventDispatcher == core::EventDispatcherChoice::Qt ? QStringLiteral("qt")
                                                                         : QStringLiteral("epoll");
         }},
        {"rest_without_token", KeyKind::Bool, 0, 0, nullptr,
         "REST APIs answer without a token (only on a trusted network).",
         [](ServerConfig &c, const KeyValue &v) { c.restWithoutToken = v.flag; },
         [](const ServerConfig &c) { return boolText(c.restWithoutToken); }},
        {"verbose", KeyKind::Bool, 0, 0, nullptr, "Log debug messages too.",
         [](ServerConfig &c, const KeyValue &v) { c.verbose = v.flag; },
         [](const ServerConfig &c) { return boolText(c.verbose); }},
    };
    // clang-format on
    return keys;
}

bool parseValue(const ConfigKey &key, const QString &text, KeyValue *value, QString *why)
{
    value->text = text;
    switch (key.kind) {
    case KeyKind::Text:
    case KeyKind::Path:
        return true;
    case KeyKind::Listen: {
        *why = QStringLiteral("must be HOST:PORT (127.0.0.1:8765, [::1]:8765, 0.0.0.0:8765), "
                              "not \"%1\"")
                   .arg(text);
        const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
        if (colon <= 0)
            return false;
        QString host = text.left(colon);
        if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
            host = host.mid(1, host.size() - 2);
        bool ok = false;
        const uint port = text.mid(colon + 1).toUInt(&ok);
        if (!ok || port > 65535)
            return false;
        if (host == QLatin1String("localhost"))
            value->address = QHostAddress::LocalHost;
        else if (!value->address.setAddress(host))
            return false;
        value->port = quint16(port);
        return true;
    }
    case KeyKind::Number: {
        bool ok = false;
        value->number = text.toLongLong(&ok);
        if (!ok || value->number < key.min) {
            if (key.min == 1)
                *why = QStringLiteral("must be a positive whole number, not \"%1\"").arg(text);
            else if (key.min == 0)
                *why = QStringLiteral("must be a whole number from 0 to %1, not \"%2\"")
                           .arg(key.max)
                           .arg(text);
            else
                *why = QStringLiteral("must be a whole number of at least %1, not \"%2\"")
                           .arg(key.min)
                           .arg(text);
            return false;
        }
        if (value->number > key.max) {
            *why = QStringLiteral("must be at most %1, not \"%2\"").arg(key.max).arg(text);
            return false;
        }
        return true;
    }
    case KeyKind::Bool: {
        const QString t = text.toLower();
        static const QStringList yes{QStringLiteral("true"), QStringLiteral("yes"),
                                     QStringLiteral("on"), QStringLiteral("1")};
        static const QStringList no{QStringLiteral("false"), QStringLiteral("no"),
                                    QStringLiteral("off"), QStringLiteral("0")};
        if (yes.contains(t) || no.contains(t)) {
            value->flag = yes.contains(t);
            return true;
        }
        *why = QStringLiteral("must be true or false, not \"%1\"").arg(text);
        return false;
    }
    case KeyKind::LogFormat:
        if (text == QLatin1String("text") || text == QLatin1String("json")) {
            value->logFormat = text == QLatin1String("json") ? LogFormat::Json : LogFormat::Text;
            return true;
        }
        *why = QStringLiteral("must be text or json, not \"%1\"").arg(text);
        return false;
    case KeyKind::EventDispatcher:
        if (text == QLatin1String("epoll") || text == QLatin1String("qt")) {
            value->eventDispatcher = text == QLatin1String("qt")
                                         ? core::EventDispatcherChoice::Qt
                                         : core::EventDispatcherChoice::Epoll;
            return true;
        }
        *why = QStringLiteral("must be epoll or qt, not \"%1\"").arg(text);
        return false;
    }
    return false;
}

} // namespace coderoom::config
