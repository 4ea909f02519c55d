// coderoom-bench: load generator for coderoomd. Subcommands and flags: --help; what each
// measures and how to read it: docs/benchmarks.md.
#include "scenarios.h"

#ifdef CODEROOM_BENCH_EPOLL
#include "epolldispatcher.h"
#endif

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSysInfo>
#include <QThread>
#include <sys/resource.h>

#include <cstdio>
#include <functional>
#include <utility>
#include <vector>

#ifndef CODEROOMD_PATH
#define CODEROOMD_PATH ""
#endif

using namespace coderoom::bench;

namespace {

bool readInt(const QCommandLineParser &p, const QString &name, int &out)
{
    if (!p.isSet(name))
        return true;
    bool ok = false;
    const int v = p.value(name).toInt(&ok);
    if (!ok || v <= 0) {
        std::fprintf(stderr, "coderoom-bench: --%s wants a positive number\n", qPrintable(name));
        return false;
    }
    out = v;
    return true;
}

void printMachine()
{
    QString model;
    QFile cpu(QStringLiteral("/proc/cpuinfo"));
    if (cpu.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : cpu.readAll().split('\n')) {
            if (line.startsWith("model name")) {
                model = QString::fromUtf8(line.mid(line.indexOf(':') + 1).trimmed());
                break;
            }
        }
    }
    QString memory;
    QFile mem(QStringLiteral("/proc/meminfo"));
    if (mem.open(QIODevice::ReadOnly))
        memory = QString::fromUtf8(mem.readLine().simplified());
    QFile load(QStringLiteral("/proc/loadavg"));
    QString loadavg;
    if (load.open(QIODevice::ReadOnly))
        loadavg = QString::fromUtf8(load.readAll().trimmed());
    std::printf("Machine: %d cores, %s, %s, %s; load average at start: %s\n\n",
                QThread::idealThreadCount(), qPrintable(model), qPrintable(memory),
                qPrintable(QSysInfo::prettyProductName()), qPrintable(loadavg));
    std::fflush(stdout);
}

} // namespace

int main(int argc, char *argv[])
{
#ifdef CODEROOM_BENCH_EPOLL
    // Thousands of client sockets here too: Qt's poll() walk would be what the bench measures.
    if (auto *d = new coderoom::eventloop::EpollEventDispatcher; d->isValid())
        QCoreApplication::setEventDispatcher(d);
    else
        delete d;
#endif
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("coderoom-bench"));
    // Thousands of WebSockets in this one process: take the whole hard open-files limit.
    if (rlimit files{};
        ::getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
        files.rlim_cur = files.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &files);
    }
    QLoggingCategory::setFilterRules(QStringLiteral("qt.*.debug=false"));

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Load generator for coderoomd. Subcommands: repl, batch, open, "
                       "throughput, replay, scale, class, all. Prints Markdown tables on stdout."));
    parser.addHelpOption();
    parser.addPositionalArgument(
        QStringLiteral("subcommand"),
        QStringLiteral("repl|batch|open|throughput|replay|scale|class|all"));
    parser.addOptions({
        {QStringLiteral("server"), QStringLiteral("coderoomd to start (default: the built one)."),
         QStringLiteral("path"), QStringLiteral(CODEROOMD_PATH)},
        {QStringLiteral("url"), QStringLiteral("Use a running server instead."),
         QStringLiteral("ws-url")},
        {QStringLiteral("token"), QStringLiteral("Token for --url."), QStringLiteral("token")},
        {QStringLiteral("python"),
         QStringLiteral("Python for the floors (default "
                        "/usr/bin/python3)."),
         QStringLiteral("path")},
        {QStringLiteral("iterations"), QStringLiteral("REPL round trips (default 2000)."),
         QStringLiteral("n")},
        {QStringLiteral("batch-iterations"),
         QStringLiteral("Hello-world runs and floor spawns (default 100)."), QStringLiteral("n")},
        {QStringLiteral("jobs"), QStringLiteral("Python jobs for throughput (default 300)."),
         QStringLiteral("n")},
        {QStringLiteral("sessions"),
         QStringLiteral("Scale: sessions; class: students connected (default 5000)."),
         QStringLiteral("n")},
        {QStringLiteral("active"),
         QStringLiteral("Scale: active sessions; class: typists (default 200)."),
         QStringLiteral("n")},
        {QStringLiteral("max-interpreters"),
         QStringLiteral("Scale: the server's live interpreter cap (default 200)."),
         QStringLiteral("n")},
        {QStringLiteral("parallel-opens"),
         QStringLiteral("Scale: session opens in flight (default 4)."), QStringLiteral("n")},
        {QStringLiteral("duration"), QStringLiteral("Scale: active phase seconds (default 20)."),
         QStringLiteral("s")},
        {QStringLiteral("budget"),
         QStringLiteral("Scale: most seconds spent opening sessions (default 240)."),
         QStringLiteral("s")},
        {QStringLiteral("no-jupyter"), QStringLiteral("Skip the Jupyter comparison.")},
        {QStringLiteral("event-dispatcher"),
         QStringLiteral("Scale: the server's event loops, one lesson each (default epoll,qt)."),
         QStringLiteral("list")},
        {QStringLiteral("open-all"),
         QStringLiteral("Scale: every student opens a session (hibernation memory) instead of "
                        "a lesson of idle students and typists.")},
    });
    parser.process(app);

    Options o;
    o.serverPath = parser.value(QStringLiteral("server"));
    if (parser.isSet(QStringLiteral("url"))) {
        o.url = QUrl(parser.value(QStringLiteral("url")));
        o.token = parser.value(QStringLiteral("token"));
    }
    if (parser.isSet(QStringLiteral("python")))
        o.python = parser.value(QStringLiteral("python"));
    o.jupyter = !parser.isSet(QStringLiteral("no-jupyter"));
    o.openAll = parser.isSet(QStringLiteral("open-all"));
    if (parser.isSet(QStringLiteral("event-dispatcher")))
        o.dispatchers = parser.value(QStringLiteral("event-dispatcher"))
                            .split(QLatin1Char(','), Qt::SkipEmptyParts);
    if (!readInt(parser, QStringLiteral("iterations"), o.iterations) ||
        !readInt(parser, QStringLiteral("batch-iterations"), o.batchIterations) ||
        !readInt(parser, QStringLiteral("jobs"), o.throughputJobs) ||
        !readInt(parser, QStringLiteral("sessions"), o.sessions) ||
        !readInt(parser, QStringLiteral("active"), o.active) ||
        !readInt(parser, QStringLiteral("max-interpreters"), o.maxInterpreters) ||
        !readInt(parser, QStringLiteral("parallel-opens"), o.parallelOpens) ||
        !readInt(parser, QStringLiteral("duration"), o.durationS) ||
        !readInt(parser, QStringLiteral("budget"), o.budgetS))
        return 2;
    if (o.url.isEmpty() && !QFileInfo(o.serverPath).isExecutable()) {
        std::fprintf(stderr, "coderoom-bench: no coderoomd at \"%s\" (use --server or --url)\n",
                     qPrintable(o.serverPath));
        return 2;
    }

    const QStringList positional = parser.positionalArguments();
    const QString command = positional.value(0, QStringLiteral("all"));
    const std::vector<std::pair<QString, std::function<int(const Options &)>>> all{
        {QStringLiteral("repl"), runRepl},     {QStringLiteral("batch"), runBatch},
        {QStringLiteral("open"), runOpen},     {QStringLiteral("throughput"), runThroughput},
        {QStringLiteral("replay"), runReplay}, {QStringLiteral("scale"), runScale},
        {QStringLiteral("class"), runClass},
    };
    printMachine();
    int status = 0;
    bool found = false;
    for (const auto &[name, run] : all) {
        if (command != name && command != QLatin1String("all"))
            continue;
        found = true;
        std::printf("## %s\n\n", qPrintable(name));
        std::fflush(stdout);
        status = std::max(status, run(o));
    }
    if (!found) {
        std::fprintf(stderr, "coderoom-bench: unknown subcommand \"%s\"\n", qPrintable(command));
        return 2;
    }
    return status;
}
