#pragma once

#include "benchclient.h"
#include "stats.h"

#include <QElapsedTimer>
#include <QMap>
#include <QString>

#include <functional>
#include <memory>
#include <vector>

// A lesson on one server, shared by `class` and `scale`: students connected and idle (hello
// only), typists with a Python session each sending `x += 1` about once a second, one second of
// thinking after each answer. Every figure a lesson reports is from the client's side.
namespace coderoom::bench {

class ServerHandle;

struct Lesson
{
    int sent = 0;
    int lost = 0; // sent, no result by the end
    QMap<QString, int> statuses;
    Samples rt;
    double cpu = 0.0; // coderoomd, % of one core over the lesson
    double wallS = 0.0;
};

struct Typist
{
    std::unique_ptr<BenchClient> client;
    QString session;
    bool ready = false;
    int ok = 0;
};

struct Classroom
{
    std::vector<std::unique_ptr<BenchClient>> idle;
    std::vector<Typist> typists;
    int idleAsked = 0;
    int idleConnected = 0;
    double idleS = 0.0; // to connect the idle students
    int typistsReady = 0;
};

// Connects `idleCount` idle students (64 at a time) and `typistCount` typists (`parallelOpens`
// at a time, each opening a session and defining `x = 0`).
void seatClass(const ServerHandle &server, int idleCount, int typistCount, int parallelOpens,
               Classroom &room);

// Every ready typist types for `durationS` seconds; results that come later than 30 s after
// the end count as lost. `clock` runs from the start of the scenario.
Lesson runLesson(const ServerHandle &server, Classroom &room, int durationS,
                 const QElapsedTimer &clock);

// "ok 120, timeout 2" or "none".
QString statusCounts(const QMap<QString, int> &counts);

// Every cell answered ok and none lost.
bool allOk(const Lesson &l);

} // namespace coderoom::bench
