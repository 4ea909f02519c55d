#pragma once

#include "stats.h"

#include <QJsonObject>
#include <QStringList>

// The floors the server is compared against, measured in the same run on the same machine:
// what the work costs with no server, no WebSocket and no queue in between.
namespace coderoom::bench {

// The sandbox's bwrap flags (server/sandbox/bwrapcommand.cpp) around command, minus the parts
// that need descriptors from the server (seccomp program, /etc/passwd data).
QStringList sandboxArguments(const QStringList &command);

// `x += 1` round trips to python_driver.py over bare fd 3/4 pipes, no sandbox: the REPL floor.
Samples pipeDriverRoundTrips(const QString &python, const QString &driver, int iterations,
                             int warmup, QString *error);
// Spawn, run, reap: `argv` to completion with stdout read to EOF. One sample per run.
Samples spawnToExit(const QStringList &argv, int iterations, QString *error);
// A sandboxed python3 started ahead of time, waiting on stdin; the clock runs from handing it
// the program to its exit. Each interpreter is used once, then discarded.
Samples prestartedSandbox(const QString &python, const QString &code, int iterations,
                          QString *error);

// bench/jupyter_baseline.py through /usr/bin/python3; its JSON report, or empty + error.
QJsonObject jupyterBaseline(const QString &python, int iterations, QString *error);

} // namespace coderoom::bench
