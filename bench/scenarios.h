#pragma once

#include <QString>
#include <QStringList>
#include <QUrl>

// The benchmarks of docs/benchmarks.md. Each starts its own coderoomd (unless a URL is given),
// runs within a few minutes, prints Markdown tables on stdout and returns a process exit code
// (0: measured; 1: could not measure, reason on stderr). Errors seen while measuring are
// counted in the tables, not fatal.
namespace coderoom::bench {

struct Options
{
    QString serverPath; // coderoomd to start
    QUrl url;           // outside server instead (with token)
    QString token;
    QString python = QStringLiteral("/usr/bin/python3");
    int iterations = 2000;     // REPL round trips
    int batchIterations = 100; // hello-world runs, and each floor
    int throughputJobs = 300;  // Python jobs at saturation
    int sessions = 5000;       // scale: connected sessions
    int active = 200;          // scale: of which send work
    int maxInterpreters = 200; // scale: live interpreters at most
    int parallelOpens = 4;     // scale: session opens in flight
    int durationS = 20;        // scale: active phase
    int budgetS = 240;         // scale: longest time spent opening sessions
    bool jupyter = true;
    // scale: the server's event loops to compare, one lesson each, side by side
    QStringList dispatchers = {QStringLiteral("epoll"), QStringLiteral("qt")};
    bool openAll = false; // scale: every student opens a session (hibernation), not a lesson
};

class ServerHandle;
// Starts the coderoomd under test with these extra flags, or attaches to --url; false (reason on
// stderr) when it cannot.
bool bringUp(const Options &o, ServerHandle &server, const QStringList &extra);

int runRepl(const Options &o);
int runBatch(const Options &o);
int runOpen(const Options &o);
int runThroughput(const Options &o);
int runReplay(const Options &o);
int runScale(const Options &o);        // scalescenario.cpp: a lesson per event dispatcher
int runScaleOpenAll(const Options &o); // scalescenario.cpp: every student opens a session
// The numeric value of one /metrics sample (the whole line up to the value, e.g.
// `coderoom_event_loop_waits_total`); -1 when absent.
double metricValue(const QUrl &wsUrl, const QByteArray &name);
int runClass(const Options &o); // classscenario.cpp: issue 21's class under disturbance

} // namespace coderoom::bench
