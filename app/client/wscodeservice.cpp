#include "wscodeservice.h"

#include "codec.h"
#include "wscodeservice_p.h"
#include "wsjob.h"
#include "wsreplsession.h"

#include <QFile>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QWebSocket>

#include <algorithm>

Q_LOGGING_CATEGORY(lcClient, "coderoom.app.client")

namespace coderoom::client {

using app::ConnectionState;
namespace proto = coderoom::protocol;

namespace {

const auto ClientName = QStringLiteral("coderoom-desktop/0.1");

// Errors the server returns instead of accepting work become the job's one result.
proto::Status statusForError(proto::ErrorCode code)
{
    switch (code) {
    case proto::ErrorCode::QuotaExceeded:
    case proto::ErrorCode::RateLimited:
    case proto::ErrorCode::ShuttingDown:
        return proto::Status::Overloaded;
    case proto::ErrorCode::InternalError:
        return proto::Status::InternalError;
    default:
        return proto::Status::Error;
    }
}

} // namespace

QList<QSslCertificate> WsCodeServicePrivate::loadCaCertificates(const QString &path, QString *error)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        *error = WsCodeService::tr("The CA certificate file %1 does not exist").arg(path);
        return {};
    }
    QFile file(path);
    if (info.isDir() || !file.open(QIODevice::ReadOnly)) {
        *error = WsCodeService::tr("Cannot read the CA certificate file %1").arg(path);
        return {};
    }
    const QByteArray data = file.readAll();
    // Teachers export CAs both ways; PEM may hold a chain, DER holds exactly one.
    QList<QSslCertificate> certificates = QSslCertificate::fromData(data, QSsl::Pem);
    if (certificates.isEmpty())
        certificates = QSslCertificate::fromData(data, QSsl::Der);
    certificates.removeIf([](const QSslCertificate &c) { return c.isNull(); });
    if (certificates.isEmpty())
        *error = WsCodeService::tr("The file %1 holds no certificate (PEM or DER)").arg(path);
    return certificates;
}

QString WsCodeServicePrivate::describeTlsErrors(const QList<QSslError> &errors) const
{
    // One sentence a pupil can act on (Qt's own text follows for the teacher), in the order
    // that matters: a wrong host name is a wrong URL or certificate, whoever signed it.
    const auto has = [&errors](std::initializer_list<QSslError::SslError> kinds) {
        return std::any_of(errors.begin(), errors.end(), [kinds](const QSslError &e) {
            return std::find(kinds.begin(), kinds.end(), e.error()) != kinds.end();
        });
    };
    const QString host = currentUrl.host();
    QString problem;
    if (has({QSslError::HostNameMismatch})) {
        problem = WsCodeService::tr("its certificate is for another host name, not %1").arg(host);
    } else if (has({QSslError::CertificateExpired})) {
        problem = WsCodeService::tr("its certificate has expired");
    } else if (has({QSslError::CertificateNotYetValid})) {
        problem = WsCodeService::tr("its certificate is not valid yet (check this computer's "
                                    "clock)");
    } else if (has({QSslError::CertificateRevoked})) {
        problem = WsCodeService::tr("its certificate has been revoked");
    } else if (settings.caFile.isEmpty()) {
        problem = WsCodeService::tr("its certificate is not signed by a certificate authority "
                                    "this computer trusts; choose the CA certificate file your "
                                    "teacher gave you under Connect to server");
    } else {
        problem = WsCodeService::tr("its certificate was not signed by the CA certificate in %1")
                      .arg(settings.caFile);
    }
    QStringList details;
    for (const QSslError &error : errors)
        details.append(error.errorString());
    details.removeDuplicates();
    return WsCodeService::tr("Refused the server %1: %2 (%3)")
        .arg(currentUrl.toString(QUrl::RemoveUserInfo | QUrl::RemovePath), problem,
             details.join(QStringLiteral("; ")));
}

// ---- WsCodeService ------------------------------------------------------------------------

WsCodeService::WsCodeService(QObject *parent)
    : WsCodeService(ClientSettings{}, parent)
{}

WsCodeService::WsCodeService(const ClientSettings &settings, QObject *parent)
    : CodeService(parent)
    , d(std::make_unique<WsCodeServicePrivate>(this))
{
    d->settings = settings;
}

WsCodeService::~WsCodeService()
{
    d->retryTimer.stop();
    d->handshakeTimer.stop();
    d->dropSocket();
    // Jobs and sessions point at d; QObject would delete them only after d is gone.
    const auto children = this->children();
    for (QObject *child : children) {
        if (qobject_cast<WsJob *>(child) || qobject_cast<WsReplSession *>(child))
            delete child;
    }
}

void WsCodeService::setSettings(const ClientSettings &settings)
{
    d->settings = settings;
}
ClientSettings WsCodeService::settings() const
{
    return d->settings;
}
QUrl WsCodeService::currentUrl() const
{
    return d->currentUrl;
}

void WsCodeService::applyState(ConnectionState state, const QString &detail, int retryIn)
{
    setState(state, detail, retryIn);
}

void WsCodeService::applyLanguages(const QList<proto::LanguageInfo> &languages,
                                   const proto::ServerLimits &limits)
{
    setLanguages(languages, limits);
}

void WsCodeService::open()
{
    d->retryTimer.stop();
    if (d->socket) {
        d->dropSocket();
        d->failInFlight(tr("The connection to the server was lost (reconnecting)"));
    }
    d->attempt = 0;
    d->redirects = 0;
    d->connectTo(d->settings.url);
}

void WsCodeService::close(const QString &reason)
{
    const QString why = reason.isEmpty() ? tr("Disconnected") : reason;
    d->retryTimer.stop();
    d->dropSocket();
    d->failInFlight(tr("The connection to the server was closed: %1").arg(why));
    d->failWaiting(tr("Not connected to a server: %1").arg(why));
    d->goOffline(why);
}

void WsCodeService::awaitServer(const QString &detail)
{
    d->retryTimer.stop();
    if (d->socket) {
        d->dropSocket();
        d->failInFlight(tr("The connection to the server was lost: %1").arg(detail));
    }
    for (WsReplSession *session : d->liveSessions())
        session->connectionLost();
    d->sessionReplies.clear();
    d->phase = WsCodeServicePrivate::Phase::Waiting;
    applyState(ConnectionState::Starting, detail);
}

app::Job *WsCodeService::doRun(const app::RunSpec &spec)
{
    proto::Run run;
    run.language = spec.language;
    run.files = spec.files;
    run.main = spec.main;
    run.stdinData = spec.stdinData;
    run.args = spec.args;
    run.session = spec.session;
    auto *job = new WsJob(this, run, this);
    d->submit(job);
    return job;
}

app::ReplSession *WsCodeService::doOpenSession(const QString &language)
{
    auto *session = new WsReplSession(this, language, this);
    d->sessions.append(session);
    if (d->isConnected())
        d->sendSessionRequest(WsCodeServicePrivate::ReplyKind::Open, session,
                              session->openMessage());
    else if (d->phase == WsCodeServicePrivate::Phase::Idle)
        QMetaObject::invokeMethod(
            session, [session] { session->handleOpenFailed(tr("Not connected"), false); },
            Qt::QueuedConnection);
    return session;
}

// ---- WsCodeServicePrivate: connection -----------------------------------------------------

WsCodeServicePrivate::WsCodeServicePrivate(WsCodeService *service)
    : q(service)
{
    retryTimer.setInterval(1000);
    QObject::connect(&retryTimer, &QTimer::timeout, q, [this] {
        if (--retryIn > 0) {
            q->applyState(ConnectionState::Reconnecting, retryReason, retryIn);
            return;
        }
        retryTimer.stop();
        connectTo(settings.url);
    });
    handshakeTimer.setSingleShot(true);
    QObject::connect(&handshakeTimer, &QTimer::timeout, q, [this] {
        dropSocket();
        scheduleRetry(WsCodeService::tr("The server did not answer in time"));
    });
}

QList<WsReplSession *> WsCodeServicePrivate::liveSessions()
{
    sessions.removeAll(nullptr); // deleted by their owner
    QList<WsReplSession *> live;
    for (const QPointer<WsReplSession> &session : std::as_const(sessions)) {
        if (WsReplSession *s = session.data())
            live.append(s);
    }
    return live;
}

QString WsCodeServicePrivate::newId()
{
    return QStringLiteral("c%1").arg(nextId++);
}

QString WsCodeServicePrivate::displayName() const
{
    if (!settings.label.isEmpty())
        return settings.label;
    return QStringLiteral("%1:%2").arg(currentUrl.host()).arg(currentUrl.port());
}

void WsCodeServicePrivate::connectTo(const QUrl &url)
{
    dropSocket();
    const QString scheme = url.scheme();
    if (!url.isValid() || (scheme != QLatin1String("ws") && scheme != QLatin1String("wss"))) {
        goOffline(WsCodeService::tr("Not a ws:// or wss:// URL: %1").arg(url.toString()));
        return;
    }
    currentUrl = url;
    socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, q);
    if (scheme == QLatin1String("wss") && !settings.caFile.isEmpty()) {
        QString error;
        const auto certificates = loadCaCertificates(settings.caFile, &error);
        if (certificates.isEmpty()) {
            // Before any byte goes out: a wrong path is a setting to fix, not a network fault.
            dropSocket();
            goOffline(error);
            return;
        }
        QSslConfiguration ssl = QSslConfiguration::defaultConfiguration();
        ssl.addCaCertificates(certificates);
        socket->setSslConfiguration(ssl);
    }
    QWebSocket *s = socket;
    QObject::connect(s, &QWebSocket::connected, q, [this, s] {
        if (s == socket)
            onSocketConnected();
    });
    QObject::connect(s, &QWebSocket::disconnected, q, [this, s] {
        if (s == socket)
            onSocketGone(s->closeReason().isEmpty() ? WsCodeService::tr("Connection lost")
                                                    : s->closeReason());
    });
    // Qt 6.4 has no errorOccurred: this is the one place the old overloaded signal is used.
    QObject::connect(s, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), q,
                     [this, s](QAbstractSocket::SocketError) {
                         if (s == socket)
                             onSocketGone(s->errorString());
                     });
    tlsProblem.clear();
    QObject::connect(s, &QWebSocket::sslErrors, q, [this, s](const QList<QSslError> &errors) {
        for (const QSslError &error : errors)
            qCWarning(lcClient) << "TLS:" << error.errorString();
        if (s == socket)
            tlsProblem = describeTlsErrors(errors);
    });
    QObject::connect(s, &QWebSocket::textMessageReceived, q, [this, s](const QString &text) {
        if (s == socket)
            onTextMessage(text);
    });

    phase = Phase::Opening;
    q->applyState(ConnectionState::Connecting, displayName());
    qCInfo(lcClient) << "connecting to" << url.toString(QUrl::RemoveUserInfo);
    handshakeTimer.start(settings.handshakeTimeoutMs);
    socket->open(url);
}

void WsCodeServicePrivate::dropSocket()
{
    handshakeTimer.stop();
    if (!socket)
        return;
    QWebSocket *s = socket;
    socket = nullptr;
    QObject::disconnect(s, nullptr, q, nullptr);
    s->abort();
    s->deleteLater();
    if (phase != Phase::Waiting)
        phase = Phase::Idle;
}

void WsCodeServicePrivate::onSocketConnected()
{
    phase = Phase::Handshaking;
    proto::Hello hello;
    helloId = newId();
    hello.id = helloId;
    hello.token = settings.token;
    hello.user = settings.user;
    hello.client = ClientName;
    socket->sendTextMessage(QString::fromUtf8(proto::encode(hello)));
}

void WsCodeServicePrivate::onSocketGone(const QString &reason)
{
    if (!tlsProblem.isEmpty()) {
        // We never ignore TLS errors, so the handshake failed; the same certificate would come
        // back on every retry: say why and stop.
        qCInfo(lcClient) << "certificate refused:" << reason;
        goOffline(tlsProblem);
        return;
    }
    const bool wasConnected = phase == Phase::Connected;
    qCInfo(lcClient) << "connection gone:" << reason;
    dropSocket();
    if (wasConnected)
        failInFlight(WsCodeService::tr("The connection to the server was lost: %1").arg(reason));
    scheduleRetry(reason);
}

void WsCodeServicePrivate::scheduleRetry(const QString &reason)
{
    for (WsReplSession *session : liveSessions())
        session->connectionLost();
    sessionReplies.clear();
    const QList<int> &backoff = settings.backoffSeconds;
    const int delay =
        backoff.isEmpty() ? 1 : backoff.at(std::min<qsizetype>(attempt, backoff.size() - 1));
    ++attempt;
    phase = Phase::Waiting;
    retryIn = std::max(delay, 1);
    retryReason = reason;
    q->applyState(ConnectionState::Reconnecting, retryReason, retryIn);
    retryTimer.start();
}

void WsCodeServicePrivate::goOffline(const QString &reason)
{
    retryTimer.stop();
    dropSocket();
    phase = Phase::Idle;
    for (WsReplSession *session : liveSessions())
        session->connectionLost();
    sessionReplies.clear();
    failWaiting(WsCodeService::tr("Not connected to a server: %1").arg(reason));
    q->applyState(ConnectionState::Offline, reason);
}

void WsCodeServicePrivate::failInFlight(const QString &message)
{
    const auto inFlight = jobsById.values();
    jobsById.clear();
    jobsByRequest.clear();
    for (const QPointer<WsJob> &job : inFlight) {
        if (WsJob *j = job.data())
            j->finishLocally(proto::Status::InternalError, message);
    }
}

void WsCodeServicePrivate::failWaiting(const QString &message)
{
    const auto waiting = unsent;
    unsent.clear();
    for (const QPointer<WsJob> &job : waiting) {
        if (WsJob *j = job.data())
            j->finishLocally(proto::Status::InternalError, message);
    }
    for (WsReplSession *session : liveSessions())
        session->failWaiting(message);
}

// ---- WsCodeServicePrivate: sending --------------------------------------------------------

bool WsCodeServicePrivate::send(const proto::ClientMessage &message)
{
    if (!socket || phase != Phase::Connected)
        return false;
    socket->sendTextMessage(QString::fromUtf8(proto::encode(message)));
    socket->flush(); // out now, not on the next pass of the event loop
    return true;
}

void WsCodeServicePrivate::submit(WsJob *job)
{
    if (phase == Phase::Idle) {
        // Offline: say so through the job's one result, after the caller has connected to it.
        QMetaObject::invokeMethod(
            job,
            [job] {
                job->finishLocally(proto::Status::InternalError,
                                   WsCodeService::tr("Not connected to a server"));
            },
            Qt::QueuedConnection);
        return;
    }
    if (!isConnected()) {
        unsent.append(job);
        return;
    }
    const QString id = newId();
    std::visit([&id](auto &m) { m.id = id; }, job->request());
    jobsById.insert(id, job);
    job->markSent();
    send(job->request());
}

void WsCodeServicePrivate::forget(WsJob *job)
{
    unsent.removeAll(job);
    for (auto it = jobsById.begin(); it != jobsById.end();) {
        it = it.value() == job ? jobsById.erase(it) : std::next(it);
    }
    for (auto it = jobsByRequest.begin(); it != jobsByRequest.end();) {
        it = it.value() == job ? jobsByRequest.erase(it) : std::next(it);
    }
}

void WsCodeServicePrivate::sendSessionRequest(ReplyKind kind, WsReplSession *session,
                                              proto::ClientMessage message)
{
    const QString id = newId();
    std::visit([&id](auto &m) { m.id = id; }, message);
    sessionReplies.insert(id, SessionReply{kind, session});
    send(message);
}

// ---- WsCodeServicePrivate: receiving ------------------------------------------------------

void WsCodeServicePrivate::onTextMessage(const QString &text)
{
    const auto decoded = proto::decodeServerMessage(text.toUtf8());
    if (!decoded.isValid()) {
        // A broken frame is the server's bug, not a reason to drop work in flight.
        qCWarning(lcClient) << "ignoring an invalid frame from the server:"
                            << decoded.error().message;
        return;
    }
    std::visit(
        [this](const auto &m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, proto::Welcome>) {
                onWelcome(m);
            } else if constexpr (std::is_same_v<T, proto::Redirect>) {
                onRedirect(m);
            } else if constexpr (std::is_same_v<T, proto::Error>) {
                onError(m);
            } else if constexpr (std::is_same_v<T, proto::SessionOpened>) {
                onSessionOpened(m);
            } else if constexpr (std::is_same_v<T, proto::SessionClosed>) {
                sessionReplies.remove(m.id);
            } else if constexpr (std::is_same_v<T, proto::SessionRestored>) {
                for (WsReplSession *session : liveSessions()) {
                    if (session->sessionId() == m.session)
                        session->handleRestored(m);
                }
            } else if constexpr (std::is_same_v<T, proto::Accepted>) {
                if (WsJob *job = jobsById.value(m.id).data()) {
                    jobsByRequest.insert(m.request, job);
                    job->handleAccepted(m);
                }
            } else if constexpr (std::is_same_v<T, proto::Started>) {
                if (WsJob *job = jobsByRequest.value(m.request).data())
                    job->handleStarted();
            } else if constexpr (std::is_same_v<T, proto::Output>) {
                if (WsJob *job = jobsByRequest.value(m.request).data())
                    job->handleOutput(m);
            } else if constexpr (std::is_same_v<T, proto::InputWait>) {
                if (WsJob *job = jobsByRequest.value(m.request).data())
                    job->handleInputWait();
            } else if constexpr (std::is_same_v<T, proto::Result>) {
                onResult(m);
            } else if constexpr (std::is_same_v<T, proto::Completions>) {
                if (WsReplSession *session = sessionReplies.take(m.id).session.data())
                    session->handleCompletions(m.items);
            } else if constexpr (std::is_same_v<T, proto::SessionWaiting>) {
                // Not taken: session.opened (or an error) still answers this open.
                if (WsReplSession *session = sessionReplies.value(m.id).session.data())
                    session->handleWaiting(m.queuePosition);
            } else {
                // history and pong: nothing in the desktop asks for them yet.
            }
        },
        decoded.message());
}

void WsCodeServicePrivate::onWelcome(const proto::Welcome &welcome)
{
    if (phase != Phase::Handshaking)
        return;
    if (welcome.protocol != proto::ProtocolVersion) {
        goOffline(WsCodeService::tr("The server speaks protocol %1; this app speaks %2")
                      .arg(welcome.protocol)
                      .arg(proto::ProtocolVersion));
        return;
    }
    handshakeTimer.stop();
    phase = Phase::Connected;
    attempt = 0;
    redirects = 0;
    qCInfo(lcClient) << "connected to" << welcome.server << "node" << welcome.node;
    q->applyLanguages(welcome.languages, welcome.limits);
    q->applyState(ConnectionState::Connected, displayName());

    // Sessions first (new ones and resumes), then the work that waited for the connection.
    for (WsReplSession *session : liveSessions()) {
        if (!session->wantsOpen())
            continue;
        const bool resume = session->isResume();
        sendSessionRequest(resume ? ReplyKind::Resume : ReplyKind::Open, session,
                           session->openMessage());
    }
    const auto waiting = unsent;
    unsent.clear();
    for (const QPointer<WsJob> &job : waiting) {
        if (WsJob *j = job.data())
            submit(j);
    }
}

void WsCodeServicePrivate::onRedirect(const proto::Redirect &redirect)
{
    if (phase != Phase::Handshaking)
        return;
    const QUrl target(redirect.url);
    if (++redirects > settings.maxRedirects) {
        goOffline(WsCodeService::tr("Too many redirects (the last one to %1)").arg(redirect.url));
        return;
    }
    // The token follows the redirect, so never let a redirect take it off TLS.
    if (currentUrl.scheme() == QLatin1String("wss") && target.scheme() != QLatin1String("wss")) {
        goOffline(WsCodeService::tr("Refused a redirect from wss:// to %1").arg(redirect.url));
        return;
    }
    qCInfo(lcClient) << "redirected to" << redirect.url << "node" << redirect.node;
    connectTo(target);
}

void WsCodeServicePrivate::onError(const proto::Error &error)
{
    if (phase == Phase::Handshaking && (error.id == helloId || error.id.isEmpty())) {
        // unauthorized, hello_required, rate_limited: retrying the same hello will not help.
        goOffline(WsCodeService::tr("The server refused the connection: %1 (%2)")
                      .arg(error.message, proto::toWire(error.code)));
        return;
    }
    if (WsJob *job = jobsById.value(error.id).data()) {
        proto::Result result;
        result.id = error.id;
        result.status = statusForError(error.code);
        result.message = error.message;
        forget(job);
        job->finishWith(result);
        return;
    }
    const SessionReply reply = sessionReplies.take(error.id);
    if (WsReplSession *session = reply.session.data()) {
        const bool resume = reply.kind == ReplyKind::Resume;
        if (reply.kind == ReplyKind::Open || resume)
            session->handleOpenFailed(error.message, resume);
        else if (reply.kind == ReplyKind::Complete)
            session->handleCompletions({});
        else
            qCWarning(lcClient) << "session request failed:" << error.message;
        return;
    }
    qCWarning(lcClient) << "error from the server:" << proto::toWire(error.code) << error.message;
}

void WsCodeServicePrivate::onSessionOpened(const proto::SessionOpened &opened)
{
    const SessionReply reply = sessionReplies.take(opened.id);
    WsReplSession *session = reply.session.data();
    if (!session)
        return;
    if (reply.kind == ReplyKind::Restart)
        session->handleRestarted();
    else
        session->handleOpened(opened, reply.kind == ReplyKind::Resume);
}

void WsCodeServicePrivate::onResult(const proto::Result &result)
{
    WsJob *job = jobsByRequest.value(result.request).data();
    if (!job)
        job = jobsById.value(result.id).data(); // e.g. overloaded: a result without accepted
    if (!job)
        return;
    forget(job);
    job->finishWith(result);
}

} // namespace coderoom::client
