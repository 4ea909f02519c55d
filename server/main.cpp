// coderoomd: the Coderoom execution server. Arguments, wiring, signals and exit codes only.
#include "logformat.h"
#include "servercore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QLoggingCategory>
#include <QSocketNotifier>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

namespace {

int signalPipe[2] = {-1, -1};

void onSignal(int sig)
{
    const char c = char(sig);
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &c, 1);
}

bool parseListen(const QString &value, coderoom::core::ServerConfig &config)
{
    const qsizetype colon = value.lastIndexOf(QLatin1Char(':'));
    if (colon <= 0)
        return false;
    QString host = value.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool ok = false;
    const uint port = value.mid(colon + 1).toUInt(&ok);
    if (!ok || port > 65535)
        return false;
    if (host == QLatin1String("localhost"))
        config.address = QHostAddress::LocalHost;
    else if (!config.address.setAddress(host))
        return false;
    config.port = quint16(port);
    return true;
}

bool positive(const QCommandLineParser &p, const QString &name, qint64 &out)
{
    if (!p.isSet(name))
        return true;
    bool ok = false;
    const qint64 v = p.value(name).toLongLong(&ok);
    if (!ok || v <= 0) {
        std::fprintf(stderr, "coderoomd: --%s needs a positive number, not \"%s\"\n",
                     qPrintable(name), qPrintable(p.value(name)));
        return false;
    }
    out = v;
    return true;
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("coderoomd"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CODEROOM_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Coderoom execution server"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("listen"), QStringLiteral("Address and port (port 0: pick a free one)."),
         QStringLiteral("host:port"), QStringLiteral("127.0.0.1:8765")},
        {QStringLiteral("data-dir"),
         QStringLiteral("Directory for the token, the database and "
                        "the compile cache (required)."),
         QStringLiteral("dir")},
        {QStringLiteral("token-file"),
         QStringLiteral("File holding the accepted token (default: "
                        "<data-dir>/token, created when absent)."),
         QStringLiteral("file")},
        {QStringLiteral("resources-dir"),
         QStringLiteral("Directory with languages.json and drivers/."), QStringLiteral("dir")},
        {QStringLiteral("node"), QStringLiteral("Name of this server in a group."),
         QStringLiteral("name")},
        {QStringLiteral("workers"), QStringLiteral("Jobs running at once (default: cores)."),
         QStringLiteral("n")},
        {QStringLiteral("max-queue"), QStringLiteral("Jobs waiting at most (default 64)."),
         QStringLiteral("n")},
        {QStringLiteral("max-per-user"),
         QStringLiteral("Queued + running jobs per user (default 8)."), QStringLiteral("n")},
        {QStringLiteral("queue-ttl-ms"),
         QStringLiteral("Longest wait in the queue (default "
                        "10000)."),
         QStringLiteral("ms")},
        {QStringLiteral("run-time-ms"),
         QStringLiteral("Wall-clock limit per run (default "
                        "10000)."),
         QStringLiteral("ms")},
        {QStringLiteral("memory-mb"), QStringLiteral("Memory limit per run (default 256)."),
         QStringLiteral("mb")},
        {QStringLiteral("verbose"), QStringLiteral("Log debug messages too.")},
        {QStringLiteral("log-format"), QStringLiteral("text (default) or json (one object a line)."),
         QStringLiteral("format")},
        {QStringLiteral("max-interpreters"),
         QStringLiteral("Live REPL interpreters at most; idle ones past it hibernate (default "
                        "64)."),
         QStringLiteral("n")},
        {QStringLiteral("warm-pool"),
         QStringLiteral("Pre-started interpreters per REPL language (default 1; 0 for none)."),
         QStringLiteral("n")},
        {QStringLiteral("output-bytes"), QStringLiteral("Output limit per run (default 1048576)."),
         QStringLiteral("bytes")},
    });
    parser.process(app);
    if (!parser.isSet(QStringLiteral("verbose")))
        QLoggingCategory::setFilterRules(QStringLiteral("coderoom.*.debug=false"));
    const QString logFormat = parser.value(QStringLiteral("log-format"));
    if (!logFormat.isEmpty() && logFormat != QLatin1String("text") &&
        logFormat != QLatin1String("json")) {
        std::fprintf(stderr, "coderoomd: --log-format is text or json, not \"%s\"\n",
                     qPrintable(logFormat));
        return 2;
    }
    coderoom::core::installLogHandler(logFormat == QLatin1String("json")
                                          ? coderoom::core::LogFormat::Json
                                          : coderoom::core::LogFormat::Text);

    coderoom::core::ServerConfig config;
    if (!parseListen(parser.value(QStringLiteral("listen")), config)) {
        std::fprintf(stderr, "coderoomd: --listen wants HOST:PORT, not \"%s\"\n",
                     qPrintable(parser.value(QStringLiteral("listen"))));
        return 2;
    }
    config.dataDir = parser.value(QStringLiteral("data-dir"));
    if (config.dataDir.isEmpty()) {
        std::fprintf(stderr, "coderoomd: --data-dir DIR is required\n");
        return 2;
    }
    config.dataDir = QDir(config.dataDir).absolutePath();
    config.tokenFile = parser.value(QStringLiteral("token-file"));
    config.resourcesDir = parser.value(QStringLiteral("resources-dir"));
    if (parser.isSet(QStringLiteral("node")))
        config.node = parser.value(QStringLiteral("node"));
    config.scheduler.workers = std::max(1, QThread::idealThreadCount());
    qint64 workers = config.scheduler.workers;
    qint64 maxQueue = config.scheduler.maxQueued;
    qint64 maxPerUser = config.scheduler.maxPerUser;
    if (!positive(parser, QStringLiteral("workers"), workers) ||
        !positive(parser, QStringLiteral("max-queue"), maxQueue) ||
        !positive(parser, QStringLiteral("max-per-user"), maxPerUser) ||
        !positive(parser, QStringLiteral("queue-ttl-ms"), config.scheduler.queueTtlMs) ||
        !positive(parser, QStringLiteral("run-time-ms"), config.limits.runTimeMs) ||
        !positive(parser, QStringLiteral("memory-mb"), config.limits.memoryMb) ||
        !positive(parser, QStringLiteral("output-bytes"), config.limits.outputBytes))
        return 2;
    qint64 maxInterpreters = config.maxInterpreters;
    if (!positive(parser, QStringLiteral("max-interpreters"), maxInterpreters))
        return 2;
    config.maxInterpreters = int(maxInterpreters);
    if (parser.isSet(QStringLiteral("warm-pool"))) {
        bool ok = false;
        config.warmPool = parser.value(QStringLiteral("warm-pool")).toInt(&ok);
        if (!ok || config.warmPool < 0 || config.warmPool > 64) {
            std::fprintf(stderr, "coderoomd: --warm-pool wants 0 to 64\n");
            return 2;
        }
    }
    config.scheduler.workers = int(workers);
    config.scheduler.maxQueued = int(maxQueue);
    config.scheduler.maxPerUser = int(maxPerUser);
    config.limits.queueTtlMs = config.scheduler.queueTtlMs;

    // Signals arrive on a pipe and are handled in the event loop (async-signal-safe handler).
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, signalPipe) != 0) {
        std::perror("coderoomd: socketpair");
        return 1;
    }
    struct sigaction sa = {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);

    coderoom::core::ServerCore server(config);
    QString error;
    if (!server.start(&error)) {
        std::fprintf(stderr, "coderoomd: %s\n", qPrintable(error));
        return 1;
    }
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, &server, [&server] {
        char c = 0;
        [[maybe_unused]] const ssize_t n = ::read(signalPipe[0], &c, 1);
        server.shutdown();
    });
    QObject::connect(&server, &coderoom::core::ServerCore::stopped, &app,
                     [] { QCoreApplication::exit(0); });

    std::fprintf(stderr, "coderoomd: token %s %s\n",
                 server.tokenCreated() ? "created in" : "read from",
                 qPrintable(server.tokenPath()));
    // Scripts and tests wait for exactly this line (docs/protocol.md, "Starting the server").
    std::fprintf(stdout, "coderoomd listening on %s\n", qPrintable(server.webSocketUrl()));
    std::fflush(stdout);
    return app.exec();
}
