#pragma once

#include "hellolimiter.h"
#include "metrics.h"
#include "quotatracker.h"
#include "serverconfig.h"
#include "tokenauth.h"
#include "workrequest.h"

#include <QHash>
#include <QJsonArray>
#include <QObject>
#include <QPointer>

#include <memory>
#include <optional>

namespace coderoom::cgroup {
class CgroupHost;
}

class QWebSocket;

namespace coderoom::transport {
class ClientConnection;
class FrontDoor;
struct HttpRequest;
struct HttpResponse;
} // namespace coderoom::transport
namespace coderoom::languages {
class LanguageRegistry;
class PrestartPool;
class LibraryProbe;
struct Language;
} // namespace coderoom::languages
namespace coderoom::store {
class Store;
}
namespace coderoom::restapi {
class RestApi;
}
namespace coderoom::core {
class AdminApi;
class CoreRunService;
} // namespace coderoom::core
namespace coderoom::accounts {
class Accounts;
struct Identity;
} // namespace coderoom::accounts
namespace coderoom::sessions {
class SessionManager;
}
namespace coderoom::scheduler {
class Scheduler;
struct Ticket;
} // namespace coderoom::scheduler

// Wires the server modules together: front door -> connections -> scheduler -> program runs.
// Holds no policy of its own beyond translating between them.
//
// Two lanes, two schedulers with the same policy code and their own configuration: batch runs
// take one of `workers` slots (starting a sandboxed program is CPU); REPL cells go through the
// interactive lane, which never waits for a batch slot (a cell is a line written into an
// interpreter that already runs), one cell per session at a time, round robin across users.
//
// Life: Stopped --start()--> Serving --shutdown()--> Draining --(all results sent)--> Stopped
// (stopped() emitted once).
namespace coderoom::core {

class ServerCore final : public QObject
{
    Q_OBJECT
public:
    explicit ServerCore(ServerConfig config, QObject *parent = nullptr);
    ~ServerCore() override;

    // Loads the token and languages, checks the sandbox, listens. false + *error when the server
    // cannot serve (port taken, bubblewrap missing, no data dir ...).
    bool start(QString *error);
    void shutdown(); // SIGTERM: stop accepting, let running work finish up to the grace period
    bool reloadTls(QString *error); // SIGHUP: new certificate and key for new connections
    // SIGHUP: takes from `config` what can change while serving (scheduler, limits, grace,
    // node, rest_without_token, log settings); the rest stays until a restart. The caller
    // validated `config` (server/config) and says per key which took effect.
    void applyConfig(const ServerConfig &config);
    const ServerConfig &config() const { return m_config; }

    quint16 port() const;
    QString webSocketUrl() const;
    QString tokenPath() const { return m_tokenPath; }

    // A run from outside the WebSocket (the REST APIs): validated, queued, sandboxed and limited
    // exactly like a WebSocket `run`. Every event reaches `events` (accepted ... result), or one
    // Error when the request was refused before queueing. Events stop when `guard` is destroyed.
    void submitRun(const protocol::Run &run, const QString &user, const QString &owner,
                   const std::function<void(const protocol::ServerMessage &)> &events,
                   QObject *guard);
    // Used by the REST APIs to authorize a request's token.
    bool tokenMatches(const QString &token) const { return m_auth.matches(token); }
    QList<protocol::LanguageInfo> languages() const;
    protocol::ServerLimits limits() const;
    bool tokenCreated() const { return m_tokenCreated; }
    bool restWithoutToken() const { return m_config.restWithoutToken; }
    QString adminTokenPath() const;
    bool adminTokenCreated() const;

signals:
    void stopped();

private:
    friend class AdminApi; // reads the tables below; cancels and closes like the owner would

    void onWebSocket(QWebSocket *socket);
    void onMessage(transport::ClientConnection *connection, const protocol::ClientMessage &message);
    void onDisconnected(transport::ClientConnection *connection);
    void dropOwner(const QString &owner);

    void handleHello(transport::ClientConnection *c, const protocol::Hello &m);
    void handleRun(transport::ClientConnection *c, const protocol::Run &m);
    void handleInput(transport::ClientConnection *c, const protocol::Input &m);
    void handleInterrupt(transport::ClientConnection *c, const protocol::Interrupt &m);
    void handleCancel(transport::ClientConnection *c, const protocol::Cancel &m);
    void handleSessionOpen(transport::ClientConnection *c, const protocol::SessionOpen &m);
    void handleSessionRestart(transport::ClientConnection *c, const protocol::SessionRestart &m);
    // session.waiting when the session's interpreter has to wait for a start (extension).
    void tellIfWaiting(transport::ClientConnection *c, const QString &id, const QString &session);
    void handleSessionClose(transport::ClientConnection *c, const protocol::SessionClose &m);
    void handleEval(transport::ClientConnection *c, const protocol::Eval &m);
    void handleComplete(transport::ClientConnection *c, const protocol::Complete &m);
    void handleHistory(transport::ClientConnection *c, const protocol::HistoryRequest &m);
    struct Submitter
    {
        QString user;
        QString owner; // connection id (or an HTTP request's), for fairness and clean-up
        WorkRequest::Sink sink;
    };
    std::optional<protocol::Error> prepareRun(const protocol::Run &m, WorkRequest::Setup &setup);
    void submit(const Submitter &from, WorkRequest *request, const QString &clientId,
                const QString &lane);
    scheduler::Scheduler *laneOf(const WorkRequest *request) const; // batch or interactive
    static WorkRequest::Sink sinkFor(transport::ClientConnection *c);
    void onSessionRestored(const QString &session, protocol::RestoreReason reason, qint64 replayed,
                           std::optional<qint64> divergedAt, const QString &message);

    WorkRequest *ownedRequest(transport::ClientConnection *c, const QString &request,
                              const QString &id);
    void onDispatch(const scheduler::Ticket &ticket);
    void onExpired(const scheduler::Ticket &ticket);
    void onRequestFinished(const QString &request, protocol::Status status, qint64 runMs);
    void maybeFinishShutdown();

    void handleHttp(const transport::HttpRequest &request,
                    const std::function<void(const transport::HttpResponse &)> &reply);
    transport::HttpResponse readiness() const;
    static QByteArray eventLoopMetrics();
    void checkLibraries(); // starts the course-library check once (LibraryProbe)
    QJsonArray librariesJson(const languages::Language &language) const;

    QString newRequestId();

    // First, so it goes last: every sandbox (requests, pools, sessions) is gone by then and
    // the server's parent groups are empty and removed with it.
    std::shared_ptr<cgroup::CgroupHost> m_cgroups;
    ServerConfig m_config;
    TokenAuth m_auth;
    QString m_tokenPath;
    bool m_tokenCreated = false;
    QString m_resourcesDir;
    std::unique_ptr<languages::LanguageRegistry> m_languages;
    std::unique_ptr<store::Store> m_store;
    std::unique_ptr<accounts::Accounts> m_accounts;
    std::unique_ptr<CoreRunService> m_runService;
    std::unique_ptr<restapi::RestApi> m_rest;
    std::unique_ptr<AdminApi> m_admin;
    accounts::QuotaTracker m_quota;
    accounts::HelloLimiter m_helloLimiter;
    QHash<QString, QString> m_connectionClass; // connection id -> the user's class
    QHash<QString, QString> m_requestUser;     // request -> user, for the active-jobs quota
    sessions::SessionManager *m_sessions = nullptr;
    // Pre-started Python sandboxes for batch runs.
    languages::PrestartPool *m_prestart = nullptr;
    // Which course libraries import, per language; checked on the first /ready and again after
    // a reload (an admin who installed one sees it without a restart).
    QList<languages::LibraryProbe *> m_libraryProbes;
    bool m_librariesChecked = false;
    QHash<QString, QString> m_sessionConnection; // session -> connection that opened it last
    transport::FrontDoor *m_front = nullptr;
    scheduler::Scheduler *m_scheduler = nullptr;                 // batch runs: `workers` slots
    scheduler::Scheduler *m_interactive = nullptr;               // REPL cells: one per session
    QHash<QString, transport::ClientConnection *> m_connections; // by connection id
    QHash<QString, WorkRequest *> m_requests;                    // by request id
    QHash<QString, QString> m_requestOwner;                      // request -> connection id
    // Connection id -> when it connected (ms since the epoch), for the admin view.
    QHash<QString, qint64> m_connectedAt;
    Metrics m_metrics;
    QString m_requestPrefix;
    quint64 m_nextRequest = 0;
    bool m_draining = false;
};

} // namespace coderoom::core
