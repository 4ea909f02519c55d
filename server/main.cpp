// coderoomd: the Coderoom execution server. Configuration, wiring, signals and exit codes only.
#include "accountscli.h"
#include "configloader.h"
#include "logformat.h"
#include "servercore.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QSocketNotifier>
#include <QTextStream>

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

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("coderoomd"));
    QCoreApplication::setApplicationVersion(QStringLiteral(CODEROOM_VERSION));

    using coderoom::config::ConfigAction;
    const coderoom::config::ConfigResult loaded = coderoom::config::loadServerConfig(
        QCoreApplication::arguments(), QProcessEnvironment::systemEnvironment());
    switch (loaded.action) {
    case ConfigAction::ShowHelp:
    case ConfigAction::ShowVersion:
    case ConfigAction::CheckConfig:
        std::fputs(qPrintable(loaded.text), stdout);
        return 0;
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
    coderoom::core::installLogHandler(config.logFormat);
    if (!config.verbose)
        QLoggingCategory::setFilterRules(QStringLiteral("coderoom.*.debug=false"));

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
            // Certificates are renewed in place (e.g. by certbot): new connections get the new
            // ones; a broken pair keeps the old ones in use.
            QString reloadError;
            if (!server.reloadTls(&reloadError))
                std::fprintf(stderr, "coderoomd: TLS reload failed: %s\n", qPrintable(reloadError));
            return;
        }
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
