#pragma once

#include "serverconfig.h"

#include <QProcessEnvironment>
#include <QStringList>

// coderoomd's configuration from three sources, each overriding the one before:
//   1. a `key = value` file (--config FILE, or CODEROOM_CONFIG; no file is read otherwise),
//   2. environment variables CODEROOM_<KEY> (CODEROOM_MEMORY_MB=512),
//   3. command-line flags --<key-with-dashes> (--memory-mb 512).
// Every key, its default and its meaning: packaging/coderoomd.conf and docs/configuration.md.
//
// Nothing here exits the process or prints: main.cpp acts on ConfigResult::action, so tests can
// call loadServerConfig() with any arguments and environment.
namespace coderoom::config {

enum class ConfigAction
{
    Serve,        // run the server with `config`
    CheckConfig,  // --check-config and no errors: print `text` (effective configuration), exit 0
    AdminCommand, // argv[1] is `user` or `token`: run `adminArguments` against config.dataDir
    ShowHelp,     // --help: print `text`, exit 0
    ShowVersion,  // --version: print `text`, exit 0
    Invalid,      // print errorText(), exit 2 (also for --check-config with errors)
};

struct ConfigResult
{
    ConfigAction action = ConfigAction::Invalid;
    core::ServerConfig config;
    QString configFile;         // absolute path of the file read; empty when none
    QStringList adminArguments; // AdminCommand: from the subcommand on, server flags taken out
    QString text;               // help, version, or the effective configuration
    // One sentence each, naming the key, what is wrong and where the value came from:
    // memory_mb must be a positive whole number, not "abc" (line 12 of /etc/coderoomd.conf)
    QStringList errors;
    bool checkRequested = false; // --check-config was given (exit 2 on errors, 0 otherwise)

    bool ok() const { return action != ConfigAction::Invalid; }
    QString errorText() const; // errors, one per line, each starting "coderoomd: "
};

// arguments: argv as QCoreApplication::arguments() gives it (program name first).
ConfigResult loadServerConfig(const QStringList &arguments, const QProcessEnvironment &env);

// One key whose value differs between the running configuration and a reloaded one (SIGHUP).
struct ConfigChange
{
    QString key;
    QString before; // as --check-config shows it
    QString after;
    bool live = false; // takes effect while serving; false: needs a restart
};
// The keys whose shown value differs, in table order. Which keys are live:
// docs/configuration.md, "Reloading (SIGHUP)".
QList<ConfigChange> configChanges(const core::ServerConfig &before,
                                  const core::ServerConfig &after);

// The first argument words that start an admin subcommand (handled by the accounts module).
QStringList adminSubcommands();

} // namespace coderoom::config
