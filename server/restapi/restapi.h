#pragma once

#include "httptypes.h"
#include "messages.h"

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

// Piston v2 and Jobe compatible REST APIs on the server's HTTP port (docs/rest.md). Both only
// translate: every run goes through RunService::submit, so it takes the same queue, sandbox and
// limits as a WebSocket `run`.
//
// Routes (everything else: handle() returns false and the core answers 404):
//   GET  /api/v2/runtimes                     Piston: the languages with their aliases
//   POST /api/v2/execute                      Piston: run a program, answer when it ended
//   GET  /jobe/index.php/restapi/languages    Jobe: [[id, version], ...]
//   POST /jobe/index.php/restapi/runs         Jobe: run a run_spec, answer when it ended
//   PUT  /jobe/index.php/restapi/files/{id}   Jobe: keep a file for later runs' file_list
//   HEAD /jobe/index.php/restapi/files/{id}   Jobe: 204 when the file is kept, else 404
//
// One request's life: routed -> authenticated (401 when refused) -> parsed (400 when bad) ->
// submitted -> events collected -> result -> replied. The reply callback is called exactly once.
// A run still waiting when the RestApi is destroyed is abandoned (its guard goes first), and
// nothing is replied for it.
namespace coderoom::restapi {

class RunService;
class FileStore;
struct CollectedRun;

struct RestApiConfig
{
    // false: requests without a token are accepted (RunService::authenticate still decides).
    bool requireToken = true;
    // Jobe's uploaded files live in memory, least recently used dropped first beyond this total.
    qint64 fileStoreBytes = 64 * 1024 * 1024;
};

class RestApi final
{
public:
    RestApi(RunService *service, const RestApiConfig &config = {});
    ~RestApi();
    RestApi(const RestApi &) = delete;
    RestApi &operator=(const RestApi &) = delete;

    // True when the path is one of ours: then `reply` is (or will be) called exactly once.
    // False: not ours, `reply` is not called (the core answers 404).
    bool handle(const transport::HttpRequest &request, const transport::HttpReply &reply);

    // Number of REST runs submitted and not yet answered (tests, metrics).
    int pendingRuns() const;

private:
    void handlePiston(const transport::HttpRequest &request, const QString &route,
                      const transport::HttpReply &reply);
    void handleJobe(const transport::HttpRequest &request, const QString &route,
                    const transport::HttpReply &reply);
    std::optional<QString> authenticate(const transport::HttpRequest &request) const;
    void submit(const protocol::Run &run, const QString &user,
                const std::function<void(const CollectedRun &)> &done);

    RunService *m_service;
    RestApiConfig m_config;
    std::unique_ptr<FileStore> m_files;
    quint64 m_nextRun = 0;
    // Parent of every pending run's guard; declared last so it goes first on destruction.
    std::unique_ptr<QObject> m_guards;
};

} // namespace coderoom::restapi
