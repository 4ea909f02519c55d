#include "servercore.h"

#include "accounts.h"
#include "adminapi.h"
#include "cgroups.h"
#include "clientconnection.h"
#include "corerunservice.h"
#include "frontdoor.h"
#include "languageregistry.h"
#include "prestartpool.h"
#include "restapi.h"
#include "sandboxprocess.h"
#include "scheduler.h"
#include "sessionmanager.h"
#include "store.h"
#include "workrequest.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QTimer>
#include <QWebSocket>

Q_DECLARE_LOGGING_CATEGORY(lcCore)

namespace coderoom::core {

using namespace coderoom::protocol;
using transport::ClientConnection;
using transport::HttpRequest;
using transport::HttpResponse;

namespace {

// The interactive lane (interactiveLaneConfig): cells one user may have waiting or running, and
// the time a waiting cell gets beyond the running cell's limit (interrupt grace, rebuild).
constexpr int kCellsPerUser = 32;
constexpr int kUnboundedCells = 1'000'000;
constexpr qint64 kCellSlackMs = 3000;

template<class... Ts> struct Overloaded : Ts...
{
    using Ts::operator()...;
};

bool isValidUserName(const QString &user)
{
    if (user.isEmpty() || user.size() > 64)
        return false;
    for (const QChar c : user) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-') ||
              c == QLatin1Char('.') || c == QLatin1Char('@')))
            return false;
    }
    return true;
}

// Lowers `asked` to `ceiling`; records a note when the client asked for more.
qint64 clamp(const std::optional<qint64> &asked, qint64 ceiling, const char *name,
             QStringList &notes)
{
    if (!asked)
        return ceiling;
    if (*asked > ceiling) {
        notes << QStringLiteral("(%1 %2 was lowered to the server's limit of %3.)")
                     .arg(QLatin1String(name))
                     .arg(*asked)
                     .arg(ceiling);
        return ceiling;
    }
    return *asked;
}

} // namespace

ServerCore::ServerCore(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
{
    m_requestPrefix = QString::number(QRandomGenerator::system()->generate() % 0xFFFFFF, 36);
}

ServerCore::~ServerCore()
{
    m_rest.reset();         // abandons pending REST runs before the requests go
    qDeleteAll(m_requests); // stops every sandbox before the scheduler goes
    m_requests.clear();
    delete m_sessions; // before the store it writes to
    m_sessions = nullptr;
    if (sandbox::cgroups() == m_cgroups)
        sandbox::useCgroups(nullptr);
}

bool ServerCore::start(QString *error)
{
    if (m_config.dataDir.isEmpty()) {
        *error = QStringLiteral("--data-dir is required");
        return false;
    }
    if (!QDir().mkpath(m_config.dataDir)) {
        *error = QStringLiteral("cannot create data directory %1").arg(m_config.dataDir);
        return false;
    }
    QFile::setPermissions(m_config.dataDir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);

    const auto token = m_auth.load(m_config.tokenFile, m_config.dataDir, error);
    if (!token)
        return false;
    m_tokenPath = token->path;
    m_tokenCreated = token->created;
    m_admin = std::make_unique<AdminApi>(this);
    if (!m_admin->load(m_config.adminTokenFile, m_config.dataDir, error))
        return false;

    m_accounts = std::make_unique<accounts::Accounts>();
    if (!m_accounts->open(accounts::Accounts::defaultPath(m_config.dataDir), error)) {
        *error = QStringLiteral("cannot open the accounts database: ") + *error;
        return false;
    }
    accounts::UserLimits defaults;
    defaults.liveSessions = m_config.quotaLiveSessions;
    defaults.activeJobs = m_config.quotaActiveJobs;
    defaults.jobsPerMinute = m_config.quotaJobsPerMinute;
    m_accounts->setDefaultLimits(defaults);
    m_quota = accounts::QuotaTracker(defaults);

    sandbox::setDefaultWritableMb(m_config.writableMb);
    sandbox::setDefaultCpuMilliCores(m_config.jobCpuMilliCores);
    // A cgroup per job where the host gives the server one; first the groups of a server that
    // was killed here mid-job (their processes with them).
    m_cgroups = std::shared_ptr<cgroup::CgroupHost>(cgroup::CgroupHost::open());
    if (const int stale = m_cgroups->removeStale(); stale > 0)
        qCInfo(lcCore) << "removed" << stale << "job cgroup(s) of a server that is gone";
    sandbox::useCgroups(m_cgroups);
    const sandbox::Capabilities &caps = sandbox::probeCapabilities();
    if (!caps.usable) {
        *error = QStringLiteral("the sandbox does not work: %1 (is bubblewrap installed? "
                                "apt-get install bubblewrap)")
                     .arg(caps.problem);
        return false;
    }

    m_resourcesDir =
        m_config.resourcesDir.isEmpty() ? languages::defaultResourcesDir() : m_config.resourcesDir;
    const QString registryPath = QDir(m_resourcesDir).filePath(QStringLiteral("languages.json"));
    auto registry = languages::LanguageRegistry::load(registryPath, error);
    if (!registry)
        return false;
    m_languages = std::make_unique<languages::LanguageRegistry>(std::move(*registry));
    for (const languages::Language &l : m_languages->languages()) {
        if (l.available)
            qCInfo(lcCore).noquote() << "language" << l.id << l.version << "ready";
        else
            qCWarning(lcCore).noquote() << "language" << l.id << "unavailable:" << l.problem;
    }
    languages::PrestartOptions prestart;
    prestart.size = m_config.prestart < 0 ? m_config.scheduler.workers : m_config.prestart;
    if (const languages::Language *python = m_languages->find(QStringLiteral("python")))
        m_prestart = new languages::PrestartPool(*python, m_resourcesDir, prestart, this);

    m_store = std::make_unique<store::Store>();
    const QString databaseFile =
        m_config.databaseFile.isEmpty()
            ? QDir(m_config.dataDir).filePath(QStringLiteral("coderoom.db"))
            : m_config.databaseFile;
    QString storeError;
    if (!m_store->open(databaseFile, &storeError)) {
        *error =
            QStringLiteral("cannot open the session database %1: %2").arg(databaseFile, storeError);
        return false;
    }
    sessions::SessionConfig sessionConfig;
    sessionConfig.resourcesDir = m_resourcesDir;
    sessionConfig.maxInterpreters = m_config.maxInterpreters;
    sessionConfig.maxStarting =
        m_config.interpreterStarts < 0 ? m_config.scheduler.workers : m_config.interpreterStarts;
    sessionConfig.defaultWarmPool = m_config.warmPool;
    sessionConfig.evalTimeMs = m_config.limits.runTimeMs;
    sessionConfig.inputWaitMs = m_config.limits.inputWaitMs;
    sessionConfig.evalOutputBytes = m_config.limits.outputBytes;
    m_sessions =
        new sessions::SessionManager(sessionConfig, m_store.get(), m_languages.get(), this);
    connect(m_sessions, &sessions::SessionManager::restored, this, &ServerCore::onSessionRestored);
    m_sessions->startWarmPool();

    m_scheduler = new scheduler::Scheduler(m_config.scheduler, this);
    m_interactive = new scheduler::Scheduler(interactiveLaneConfig(m_config), this);
    m_runService = std::make_unique<CoreRunService>(this);
    restapi::RestApiConfig restConfig;
    // CoreRunService decides on every request, so rest_without_token can change on SIGHUP.
    restConfig.requireToken = false;
    m_rest = std::make_unique<restapi::RestApi>(m_runService.get(), restConfig);
    connect(m_scheduler, &scheduler::Scheduler::dispatch, this, &ServerCore::onDispatch);
    connect(m_scheduler, &scheduler::Scheduler::expired, this, &ServerCore::onExpired);
    connect(m_interactive, &scheduler::Scheduler::dispatch, this, &ServerCore::onDispatch);
    connect(m_interactive, &scheduler::Scheduler::expired, this, &ServerCore::onExpired);

    transport::FrontConfig front;
    front.address = m_config.address;
    front.port = m_config.port;
    front.maxBodyBytes = m_config.maxFrameBytes;
    front.tlsCertificate = m_config.tlsCertificate;
    front.tlsKey = m_config.tlsKey;
    m_front = new transport::FrontDoor(front, this);
    m_front->setHttpHandler([this](const HttpRequest &request, const transport::HttpReply &reply) {
        handleHttp(request, reply);
    });
    connect(m_front, &transport::FrontDoor::webSocketConnected, this, &ServerCore::onWebSocket);
    QString listenError;
    if (!m_front->listen(&listenError)) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(m_config.address.toString())
                     .arg(m_config.port)
                     .arg(listenError);
        return false;
    }
    return true;
}

bool ServerCore::reloadTls(QString *error)
{
    if (!m_front || !m_front->isTls())
        return true; // nothing to reload
    return m_front->reloadTls(error);
}

quint16 ServerCore::port() const
{
    return m_front ? m_front->port() : 0;
}

QString ServerCore::webSocketUrl() const
{
    QString host = m_front->address().toString();
    if (m_front->address().protocol() == QAbstractSocket::IPv6Protocol)
        host = QLatin1Char('[') + host + QLatin1Char(']');
    return QStringLiteral("%1://%2:%3/api/v1/ws")
        .arg(m_front->isTls() ? QStringLiteral("wss") : QStringLiteral("ws"), host)
        .arg(port());
}

QList<LanguageInfo> ServerCore::languages() const
{
    QList<LanguageInfo> out;
    for (const languages::Language &l : m_languages->availableLanguages())
        out.append({l.id, l.name, l.version, l.hasRepl, l.extensions});
    return out;
}

scheduler::Config interactiveLaneConfig(const ServerConfig &config)
{
    scheduler::Config lane;
    // No slot limit: a cell runs on its own session's interpreter. What bounds the lane is
    // elsewhere: one cell per session (its lane), interpreter starts (the session manager's
    // start queue), and max_interpreters (a cell that would need one more is refused there).
    lane.workers = kUnboundedCells;
    // What waits here is a cell behind its own session's running cell: bounded per user.
    lane.maxPerUser = std::max(config.scheduler.maxPerUser, kCellsPerUser);
    lane.maxQueued = std::max(config.scheduler.maxQueued, 4 * config.maxInterpreters);
    // A cell typed while the one before it runs waits for that one's whole time limit (then
    // the interrupt grace and a rebuild), and only then for as long as a queued run would.
    lane.queueTtlMs = config.scheduler.queueTtlMs + config.limits.runTimeMs + kCellSlackMs;
    return lane;
}

ServerLimits ServerCore::limits() const
{
    ServerLimits l = m_config.limits;
    l.queueTtlMs = m_config.scheduler.queueTtlMs;
    return l;
}

QString ServerCore::newRequestId()
{
    return QStringLiteral("r%1-%2").arg(m_requestPrefix).arg(++m_nextRequest);
}

void ServerCore::onWebSocket(QWebSocket *socket)
{
    if (m_draining) {
        socket->close(QWebSocketProtocol::CloseCodeGoingAway, QStringLiteral("shutting down"));
        socket->deleteLater();
        return;
    }
    CodecLimits limits;
    limits.maxFrameBytes = m_config.maxFrameBytes;
    auto *connection = new ClientConnection(socket, limits, this);
    m_connections.insert(connection->id(), connection);
    m_connectedAt.insert(connection->id(), QDateTime::currentMSecsSinceEpoch());
    connect(connection, &ClientConnection::received, this,
            [this, connection](const ClientMessage &m) { onMessage(connection, m); });
    connect(connection, &ClientConnection::disconnected, this,
            [this, connection] { onDisconnected(connection); });
}

void ServerCore::onMessage(ClientConnection *c, const ClientMessage &message)
{
    std::visit(Overloaded{
                   [&](const Hello &m) { handleHello(c, m); },
                   [&](const Run &m) { handleRun(c, m); },
                   [&](const Input &m) { handleInput(c, m); },
                   [&](const Interrupt &m) { handleInterrupt(c, m); },
                   [&](const Cancel &m) { handleCancel(c, m); },
                   [&](const Ping &m) { c->send(Pong{m.id}); },
                   [&](const SessionOpen &m) { handleSessionOpen(c, m); },
                   [&](const SessionRestart &m) { handleSessionRestart(c, m); },
                   [&](const SessionClose &m) { handleSessionClose(c, m); },
                   [&](const Eval &m) { handleEval(c, m); },
                   [&](const Complete &m) { handleComplete(c, m); },
                   [&](const HistoryRequest &m) { handleHistory(c, m); },
               },
               message);
}

void ServerCore::handleHello(ClientConnection *c, const Hello &m)
{
    if (c->isReady()) {
        c->sendError(ErrorCode::BadRequest, QStringLiteral("hello was already said"), m.id);
        return;
    }
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    qint64 retryAfterMs = 0;
    if (!m_helloLimiter.allowed(c->peerAddress(), now, &retryAfterMs)) {
        ++m_metrics.helloFailures;
        c->sendError(ErrorCode::RateLimited,
                     QStringLiteral("Too many failed sign-ins from your address; try again in "
                                    "%1 s.")
                         .arg((retryAfterMs + 999) / 1000),
                     m.id);
        c->close();
        return;
    }
    // A personal token names its user; the shared class token takes the user's word for it,
    // except for names that belong to registered accounts.
    std::optional<accounts::Identity> identity = m_accounts->authenticate(m.token);
    QString refusal = QStringLiteral("wrong or missing token");
    if (!identity && m_auth.matches(m.token)) {
        const QString claimed = m.user.isEmpty() ? QStringLiteral("local") : m.user;
        if (!isValidUserName(claimed)) {
            c->sendError(ErrorCode::BadRequest,
                         QStringLiteral("user names are 1-64 letters, digits or _ - . @"), m.id);
            return;
        }
        const accounts::Identity classIdentity = m_accounts->classIdentity(claimed);
        if (classIdentity.isValid())
            identity = classIdentity;
        else
            refusal = QStringLiteral("\"%1\" is a registered account: sign in with your own "
                                     "token")
                          .arg(claimed);
    }
    if (!identity) {
        m_helloLimiter.recordFailure(c->peerAddress(), now);
        ++m_metrics.helloFailures;
        qCInfo(lcCore) << "refused hello from" << c->peerAddress() << "(bad token)";
        c->sendError(ErrorCode::Unauthorized, refusal, m.id);
        c->close();
        return;
    }
    m_helloLimiter.recordSuccess(c->peerAddress());
    if (m.protocol != ProtocolVersion) {
        c->sendError(ErrorCode::BadRequest,
                     QStringLiteral("protocol %1 is not spoken here; this server speaks %2")
                         .arg(m.protocol)
                         .arg(ProtocolVersion),
                     m.id);
        c->close();
        return;
    }
    const QString user = identity->user;
    m_quota.setLimits(user, identity->limits);
    m_connectionClass.insert(c->id(), identity->className);
    c->accept(user);
    Welcome welcome;
    welcome.id = m.id;
    welcome.server = QStringLiteral("coderoom/") + QLatin1String(CODEROOM_VERSION);
    welcome.node = m_config.node;
    welcome.languages = languages();
    welcome.limits = limits();
    c->send(welcome);
}

std::optional<Error> ServerCore::prepareRun(const Run &m, WorkRequest::Setup &setup)
{
    const languages::Language *language = m_languages->find(m.language);
    if (!language || !language->available) {
        return Error{m.id, ErrorCode::UnknownLanguage,
                     language ? QStringLiteral("%1 is not available on this server: %2")
                                    .arg(m.language, language->problem)
                              : QStringLiteral("unknown language \"%1\"").arg(m.language)};
    }
    languages::ProgramRequest program;
    qint64 codeBytes = 0;
    for (const SourceFile &f : m.files) {
        QString why;
        const QString name =
            f.name.isEmpty() ? QStringLiteral("main.") + language->extensions.value(0) : f.name;
        if (!languages::ProgramRun::isValidFileName(name, &why)) {
            return Error{m.id, ErrorCode::BadRequest,
                         QStringLiteral("file name \"%1\": %2").arg(name, why)};
        }
        program.files.append({name, f.content.toUtf8()});
        codeBytes += program.files.last().content.size();
    }
    if (codeBytes > m_config.limits.maxCodeBytes) {
        return Error{m.id, ErrorCode::TooLarge,
                     QStringLiteral("the program is %1 bytes; this server takes at most %2")
                         .arg(codeBytes)
                         .arg(m_config.limits.maxCodeBytes)};
    }
    program.main = m.main;
    program.args = m.args;
    if (m.stdinData)
        program.stdinData = m.stdinData->toUtf8();

    setup.clientId = m.id;
    setup.request = newRequestId();
    setup.language = *language;
    const ServerLimits &ceiling = m_config.limits;
    // A language's own run limits bound the server's (ProgramRun only ever lowers them), so
    // the limit a student is told about is the one that applies.
    setup.limits.runTimeMs =
        clamp(m.limits.runTimeMs, std::min(ceiling.runTimeMs, language->limits.wallMs),
              "run_time_ms", setup.notes);
    setup.limits.cpuMs = clamp(m.limits.cpuMs, std::min(ceiling.runTimeMs, language->limits.cpuMs),
                               "cpu_ms", setup.notes);
    setup.limits.memoryMb = clamp(m.limits.memoryMb, ceiling.memoryMb, "memory_mb", setup.notes);
    setup.limits.outputBytes =
        clamp(m.limits.outputBytes, ceiling.outputBytes, "output_bytes", setup.notes);
    program.limits.wallMs = setup.limits.runTimeMs;
    program.limits.cpuMs = setup.limits.cpuMs;
    program.limits.memoryMb = std::min(setup.limits.memoryMb, language->limits.memoryMb);
    setup.limits.memoryMb = *program.limits.memoryMb;
    program.limits.outputBytes = setup.limits.outputBytes;
    program.limits.inputWaitMs = ceiling.inputWaitMs;
    setup.limits.inputWaitMs = ceiling.inputWaitMs;
    if (m.limits.compileTimeMs)
        program.limits.compileWallMs = m.limits.compileTimeMs;
    setup.program = program;
    setup.options.cacheDir = QDir(m_config.dataDir).filePath(QStringLiteral("cache"));
    setup.options.prestart = m_prestart;
    setup.backlogCapBytes = m_config.clientBacklogBytes;

    return std::nullopt;
}

void ServerCore::handleRun(ClientConnection *c, const Run &m)
{
    WorkRequest::Setup setup;
    if (const auto error = prepareRun(m, setup)) {
        c->send(*error);
        return;
    }
    submit({c->user(), c->id(), sinkFor(c)}, new WorkRequest(std::move(setup), sinkFor(c), this),
           m.id, {});
}

void ServerCore::submitRun(const Run &run, const QString &user, const QString &owner,
                           const std::function<void(const ServerMessage &)> &events, QObject *guard)
{
    WorkRequest::Setup setup;
    if (const auto error = prepareRun(run, setup)) {
        events(*error);
        return;
    }
    const WorkRequest::Sink sink{events, {}, guard};
    // The HTTP client went away: its run is abandoned like a disconnected WebSocket client's.
    connect(guard, &QObject::destroyed, this, [this, owner] { dropOwner(owner); });
    submit({user, owner, sink}, new WorkRequest(std::move(setup), sink, this), run.id, {});
}

WorkRequest::Sink ServerCore::sinkFor(ClientConnection *c)
{
    return {[c](const ServerMessage &m) { c->send(m); }, [c] { return c->backlogBytes(); }, c};
}

void ServerCore::submit(const Submitter &from, WorkRequest *request, const QString &clientId,
                        const QString &lane)
{
    scheduler::Ticket ticket;
    ticket.request = request->request();
    ticket.user = from.user;
    ticket.owner = from.owner;
    ticket.lane = lane;
    QString quotaRefusal;
    if (!m_quota.allowJob(from.user, m_connectionClass.value(from.owner), &quotaRefusal)) {
        Result refused;
        refused.id = clientId;
        refused.request = request->request();
        refused.status = Status::Overloaded;
        refused.message = quotaRefusal;
        m_metrics.count(request->language(), request->isEval(), toWire(refused.status));
        if (from.sink.guard)
            from.sink.send(refused);
        delete request;
        return;
    }
    scheduler::Scheduler *queue = laneOf(request);
    const scheduler::SubmitResult admission = queue->submit(ticket);
    if (admission.admission != scheduler::Admission::Accepted) {
        Result refused;
        refused.id = clientId;
        refused.request = request->request();
        refused.status = Status::Overloaded;
        switch (admission.admission) {
        case scheduler::Admission::UserLimit:
            refused.message =
                request->isEval()
                    ? QStringLiteral("You already have %1 cells waiting or running. Wait for "
                                     "them to finish (or interrupt one), then try again.")
                          .arg(queue->config().maxPerUser)
                    : QStringLiteral("You already have %1 programs queued or running. "
                                     "Wait for one to finish, then try again.")
                          .arg(m_config.scheduler.maxPerUser);
            break;
        case scheduler::Admission::ShuttingDown:
            refused.message = QStringLiteral("The server is shutting down; try again shortly.");
            break;
        case scheduler::Admission::DuplicateRequest:
            refused.status = Status::InternalError;
            refused.message = QStringLiteral("The server reused a request id; please retry.");
            break;
        default:
            refused.message =
                request->isEval()
                    ? cellsOverloadedMessage(admission.retryAfterMs, queue->queuedCount())
                    : overloadedMessage(admission.retryAfterMs, queue->queuedCount());
        }
        ++m_metrics.overloaded;
        m_metrics.count(request->language(), request->isEval(), toWire(refused.status));
        if (from.sink.guard)
            from.sink.send(refused);
        delete request;
        return;
    }
    connect(request, &WorkRequest::finished, this, &ServerCore::onRequestFinished);
    connect(request, &WorkRequest::waitingForUser, queue,
            [queue, id = request->request()](bool waiting) {
                queue->setWaitingForUser(id, waiting);
            });
    m_requests.insert(request->request(), request);
    m_requestOwner.insert(request->request(), from.owner);
    m_requestUser.insert(request->request(), from.user);
    m_quota.jobStarted(from.user);
    int position = admission.queuePosition;
    // A cell for a session that must be woken first waits for the interpreter starts ahead.
    if (request->isEval() && position == 0)
        position = std::max(0, m_sessions->startPosition(request->session()));
    if (from.sink.guard)
        from.sink.send(Accepted{clientId, request->request(), position});
}

scheduler::Scheduler *ServerCore::laneOf(const WorkRequest *request) const
{
    return request->isEval() ? m_interactive : m_scheduler;
}

WorkRequest *ServerCore::ownedRequest(ClientConnection *c, const QString &request,
                                      const QString &id)
{
    WorkRequest *r = m_requests.value(request);
    if (!r || m_requestOwner.value(request) != c->id()) {
        c->sendError(ErrorCode::NotFound,
                     QStringLiteral("no request \"%1\" of yours is queued or running").arg(request),
                     id);
        return nullptr;
    }
    return r;
}

void ServerCore::handleInput(ClientConnection *c, const Input &m)
{
    if (WorkRequest *r = ownedRequest(c, m.request, m.id)) {
        if (!m.data.isEmpty())
            r->writeInput(m.data.toUtf8());
        if (m.eof)
            r->closeInput();
    }
}

void ServerCore::handleInterrupt(ClientConnection *c, const Interrupt &m)
{
    if (WorkRequest *r = ownedRequest(c, m.request, m.id))
        r->interrupt();
}

void ServerCore::handleCancel(ClientConnection *c, const Cancel &m)
{
    WorkRequest *r = ownedRequest(c, m.request, m.id);
    if (!r)
        return;
    switch (laneOf(r)->cancel(m.request)) {
    case scheduler::CancelResult::RemovedFromQueue:
        r->finishWithoutRunning(Status::Cancelled, QStringLiteral("Cancelled before it started."));
        break;
    case scheduler::CancelResult::Running:
        r->stop(QStringLiteral("Cancelled."));
        break;
    case scheduler::CancelResult::NotFound:
        break;
    }
}

void ServerCore::onDispatch(const scheduler::Ticket &ticket)
{
    WorkRequest *r = m_requests.value(ticket.request);
    if (!r) {
        if (auto *lane = qobject_cast<scheduler::Scheduler *>(sender()))
            lane->finish(ticket.request);
        return;
    }
    m_metrics.waitSeconds.observe(double(r->queuedMs()) / 1000.0);
    r->start();
}

void ServerCore::onExpired(const scheduler::Ticket &ticket)
{
    if (WorkRequest *r = m_requests.value(ticket.request)) {
        ++m_metrics.queueTimeouts;
        const qint64 waitedMs = scheduler::Scheduler::nowMs() - ticket.enqueuedAtMs;
        r->finishWithoutRunning(Status::QueueTimeout, r->isEval()
                                                          ? cellQueueTimeoutMessage(waitedMs)
                                                          : queueTimeoutMessage(waitedMs));
    }
}

void ServerCore::onRequestFinished(const QString &request, Status status, qint64 runMs)
{
    WorkRequest *r = m_requests.take(request);
    m_requestOwner.remove(request);
    m_quota.jobFinished(m_requestUser.take(request));
    if (!r)
        return;
    m_metrics.count(r->language(), r->isEval(), toWire(status));
    if (!r->sandboxFailure().isEmpty()) {
        ++m_metrics.sandboxFailures[r->sandboxFailure()];
        qCWarning(lcCore).noquote()
            << "sandbox failure" << r->sandboxFailure() << "in request" << request;
    }
    if (r->isRunning()) {
        m_metrics.runSeconds.observe(double(runMs) / 1000.0);
        laneOf(r)->finish(request);
    }
    r->deleteLater();
    maybeFinishShutdown();
}

void ServerCore::onDisconnected(ClientConnection *c)
{
    m_connections.remove(c->id());
    m_connectedAt.remove(c->id());
    m_connectionClass.remove(c->id());
    dropOwner(c->id());
    c->deleteLater();
}

void ServerCore::dropOwner(const QString &owner)
{
    for (scheduler::Scheduler *lane : {m_scheduler, m_interactive}) {
        const scheduler::Scheduler::Dropped dropped = lane->dropOwner(owner);
        for (const scheduler::Ticket &t : dropped.queued) {
            m_requestOwner.remove(t.request);
            m_quota.jobFinished(m_requestUser.take(t.request));
            delete m_requests.take(t.request); // never ran; nobody is left to tell
        }
        for (const scheduler::Ticket &t : dropped.running) {
            if (WorkRequest *r = m_requests.value(t.request))
                r->stop(); // its done() frees the slot through onRequestFinished
        }
    }
    maybeFinishShutdown();
}

void ServerCore::shutdown()
{
    if (m_draining)
        return;
    m_draining = true;
    qCInfo(lcCore) << "shutting down:" << m_requests.size() << "requests open";
    if (m_front)
        m_front->stopListening();
    for (scheduler::Scheduler *lane : {m_scheduler, m_interactive}) {
        if (!lane)
            continue;
        for (const scheduler::Ticket &t : lane->shutdown()) {
            if (WorkRequest *r = m_requests.value(t.request))
                r->finishWithoutRunning(Status::Cancelled,
                                        QStringLiteral("The server is shutting down; your "
                                                       "program did not run. Try again shortly."));
        }
    }
    QTimer::singleShot(m_config.shutdownGraceMs, this, [this] {
        const auto open = m_requests.values();
        for (WorkRequest *r : open)
            r->stop(QStringLiteral("Stopped: the server is shutting down."));
    });
    maybeFinishShutdown();
}

void ServerCore::maybeFinishShutdown()
{
    if (!m_draining || !m_requests.isEmpty())
        return;
    m_draining = false; // once
    const auto connections = m_connections.values();
    for (ClientConnection *c : connections)
        c->close();
    QTimer::singleShot(0, this, &ServerCore::stopped);
}

} // namespace coderoom::core
