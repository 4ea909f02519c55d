// coderoomd: the Coderoom execution server. Configuration, wiring, signals and exit codes only.
#include "accountscli.h"
#include "cgroups.h"
#include "configloader.h"
#include "epolldispatcher.h"
#include "logformat.h"
#include "sandboxprocess.h"
#include "servercore.h"

#include <QAbstractEventDispatcher>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QSocketNotifier>
#include <QTextStream>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <malloc.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

Q_LOGGING_CATEGORY(lcReload, "coderoom.server.reload")
Q_LOGGING_CATEGORY(lcMain, "coderoom.server.main")

namespace {

// Every student is a socket, every live interpreter three pipes: the usual soft limit of 1024
// is a class of a few hundred. The hard limit is what the admin allows (LimitNOFILE= in the
// systemd unit); take all of it and say how much that is.
void raiseDescriptorLimit()
{
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) {
        qCWarning(lcMain) << "cannot read the open-files limit:" << qt_error_string(errno);
        return;
    }
    const rlim_t before = limit.rlim_cur;
    if (limit.rlim_cur != limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
            qCWarning(lcMain) << "cannot raise the open-files limit from" << qulonglong(before)
                              << "to" << qulonglong(limit.rlim_max) << ":"
                              << qt_error_string(errno);
            return;
        }
    }
    qCInfo(lcMain).noquote() << QStringLiteral("open files: soft limit %1 (was %2, hard limit %3)")
                                    .arg(qulonglong(limit.rlim_cur))
                                    .arg(qulonglong(before))
                                    .arg(qulonglong(limit.rlim_max));
}

int signalPipe[2] = {-1, -1};

void onSignal(int sig)
{
    const char c = char(sig);
    [[maybe_unused]] const ssize_t n = ::write(signalPipe[1], &c, 1);
}

void applyLogSettings(const coderoom::core::ServerConfig &config)
{
    coderoom::core::installLogHandler(config.logFormat);
    QLoggingCategory::setFilterRules(config.verbose ? QString()
                                                    : QStringLiteral("coderoom.*.debug=false"));
}

// SIGHUP: certificates are renewed in place (e.g. by certbot), then the config file and the
// environment are read again (flags keep precedence: they are the same arguments). A file with
// an error changes nothing; a good one changes what can change while serving, and every changed
// key is logged with whether it took effect or waits for a restart.
void reload(coderoom::core::ServerCore &server)
{
    QString tlsError;
    if (!server.reloadTls(&tlsError))
        qCCritical(lcReload).noquote()
            << "TLS reload failed, the old certificate stays:" << tlsError;
    const coderoom::config::ConfigResult loaded = coderoom::config::loadServerConfig(
        QCoreApplication::arguments(), QProcessEnvironment::systemEnvironment());
    if (loaded.action != coderoom::config::ConfigAction::Serve) {
        qCCritical(lcReload).noquote()
            << "configuration reload REFUSED; the old configuration stays in use:";
        for (const QString &e : loaded.errors)
            qCCritical(lcReload).noquote() << "  " << e;
        return;
    }
    const auto changes = coderoom::config::configChanges(server.config(), loaded.config);
    server.applyConfig(loaded.config);
    applyLogSettings(server.config());
    if (changes.isEmpty())
        qCInfo(lcReload) << "configuration reloaded: nothing changed";
    for (const coderoom::config::ConfigChange &c : changes) {
        if (c.live)
            qCInfo(lcReload).noquote() << "configuration reloaded:" << c.key << "=" << c.after
                                       << "(was" << c.before + QStringLiteral("): took effect");
        else
            qCWarning(lcReload).noquote()
                << "configuration reloaded:" << c.key << "=" << c.after << "needs a restart;"
                << c.before << "stays in use until then";
    }
}

} // namespace

int main(int argc, char *argv[])
{
    // glibc gives the top of the heap back to the kernel once 128 KiB of it is free, and the
    // history write of every REPL cell frees about that much: each eval paid a brk() to shrink
    // the heap and another to grow it again (13% of coderoomd's CPU in `coderoom-bench repl`).
    // Keep up to 8 MiB of free heap instead.
    mallopt(M_TRIM_THRESHOLD, 8 * 1024 * 1024);
    mallopt(M_TOP_PAD, 1024 * 1024);

    // The configuration is read before the application object exists: the event dispatcher
    // it names can only be installed before that (Qt takes the main thread's dispatcher when
    // QCoreApplication is constructed). Arguments are decoded as Qt decodes them.
    QStringList arguments;
    for (int i = 0; i < argc; ++i)
        arguments.append(QString::fromLocal8Bit(argv[i]));
    using coderoom::config::ConfigAction;
    const coderoom::config::ConfigResult loaded =
        coderoom::config::loadServerConfig(arguments, QProcessEnvironment::systemEnvironment());
    const bool epoll =
        loaded.action == ConfigAction::Serve &&
        loaded.config.eventDispatcher == coderoom::core::EventDispatcherChoice::Epoll;
    if (epoll) {
        auto *dispatcher = new coderoom::eventloop::EpollEventDispatcher;
        if (dispatcher->isValid()) {
            QCoreApplication::setEventDispatcher(dispatcher); // Qt owns it from here
        } else {
            delete dispatcher;
            std::fputs("coderoomd: the epoll event dispatcher is unavailable; using Qt's\n",
                       stderr);
        }
    }

    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("coderoomd"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CODEROOM_VERSION));
    switch (loaded.action) {
    case ConfigAction::ShowHelp:
    case ConfigAction::ShowVersion:
        std::fputs(qPrintable(loaded.text), stdout);
        return 0;
    case ConfigAction::CheckConfig: {
        std::fputs(qPrintable(loaded.text), stdout);
        // Which mechanism will enforce which limit on this host (the lines of /ready's
        // sandbox.enforcement), as comments: the output still reads back as a config file.
        QLoggingCategory::setFilterRules(QStringLiteral("coderoom.*.info=false\ncoderoom.*.debug=false"));
        coderoom::sandbox::useCgroups(coderoom::cgroup::CgroupHost::open());
        std::fputs("\n# Limits on this host (as /ready's sandbox.enforcement):\n", stdout);
        for (const QString &line : coderoom::sandbox::enforcement())
            std::fprintf(stdout, "#   %s\n", qPrintable(line));
        coderoom::sandbox::useCgroups(nullptr);
        return 0;
    }
    case ConfigAction::Invalid:
        std::fputs(qPrintable(loaded.errorText()), stderr);
        return 2;
    case ConfigAction::AdminCommand: {
        // `coderoomd user ...` / `coderoomd token ...`: accounts in <data-dir>/accounts.db.
        QTextStream out(stdout);
        QTextStream err(stderr);
        return coderoom::accounts::runAccountsCommand(loaded.adminArguments, loaded.config.dataDir,
                                                      out, err);
    }
    case ConfigAction::Serve:
        break;
    }
    const coderoom::core::ServerConfig &config = loaded.config;
    applyLogSettings(config);
    raiseDescriptorLimit();
    qCInfo(lcMain).noquote()
        << "event loop:"
        << (coderoom::eventloop::EpollEventDispatcher::current()
                ? QStringLiteral("epoll")
                : QString::fromLatin1(
                      QAbstractEventDispatcher::instance()->metaObject()->className()));

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
    sigaction(SIGHUP, &sa, nullptr);
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
        if (::read(signalPipe[0], &c, 1) != 1)
            return;
        if (c == SIGHUP) {
            reload(server);
            return;
        }
        server.shutdown();
    });
    QObject::connect(&server, &coderoom::core::ServerCore::stopped, &app,
                     [] { QCoreApplication::exit(0); });

    std::fprintf(stderr, "coderoomd: token %s %s\n",
                 server.tokenCreated() ? "created in" : "read from",
                 qPrintable(server.tokenPath()));
    std::fprintf(stderr, "coderoomd: admin token %s %s (the admin view: /admin)\n",
                 server.adminTokenCreated() ? "created in" : "read from",
                 qPrintable(server.adminTokenPath()));
    // Scripts and tests wait for exactly this line (docs/protocol.md, "Starting the server").
    std::fprintf(stdout, "coderoomd listening on %s\n", qPrintable(server.webSocketUrl()));
    std::fflush(stdout);
    return app.exec();
}
