#include "localcodeservice.h"

#include "wscodeservice.h"

namespace coderoom::client {

using app::ConnectionState;
using localserver::LocalServer;
using localserver::LocalServerOutcome;

LocalCodeService::LocalCodeService(const localserver::LocalServerSetup &setup, QObject *parent)
    : CodeService(parent)
    , m_server(new LocalServer(setup, this))
    , m_client(new WsCodeService(this))
{
    connect(m_server, &LocalServer::ready, this, [this](const QUrl &url) {
        m_serverUp = true;
        ClientSettings settings = m_client->settings();
        settings.url = url;
        settings.token = m_server->token();
        settings.user = QStringLiteral("local");
        settings.label = tr("Local");
        // Loopback: the server is back within a second or it crashed; no need for long waits.
        settings.backoffSeconds = {1};
        m_client->setSettings(settings);
        m_client->open(); // a new port after a restart; sessions are resumed on it
    });
    connect(m_server, &LocalServer::crashed, this, [this](const QString &reason) {
        m_serverUp = false;
        const QString detail = tr("Restarting the local server (%1)").arg(reason);
        m_client->awaitServer(detail);
        setState(ConnectionState::Starting, detail);
    });
    connect(m_server, &LocalServer::done, this, [this](LocalServerOutcome, const QString &why) {
        m_serverUp = false;
        m_client->close(why);
        setState(ConnectionState::Offline, why);
    });
    connect(m_client, &CodeService::stateChanged, this, [this] { followClientState(); });
    connect(m_client, &CodeService::languagesChanged, this,
            [this] { setLanguages(m_client->languages(), m_client->limits()); });
}

LocalCodeService::~LocalCodeService()
{
    // The client first: its socket must not report the server's exit as a lost connection.
    m_client->disconnect(this);
    m_server->disconnect(this);
}

void LocalCodeService::start()
{
    const QString detail = tr("Starting the local server");
    m_client->awaitServer(detail);
    setState(ConnectionState::Starting, detail);
    m_server->start();
}

void LocalCodeService::stop()
{
    // The client first, so the server's exit is not reported as a lost connection to retry.
    m_serverUp = false;
    m_client->close(tr("The local server was stopped"));
    m_server->stop();
}

void LocalCodeService::followClientState()
{
    // While the server is (re)starting, the client's retries against the old port are noise.
    if (!m_serverUp)
        return;
    setState(m_client->state(), m_client->stateDetail(), m_client->retryInSeconds());
}

app::Job *LocalCodeService::doRun(const app::RunSpec &spec)
{
    return m_client->run(spec);
}

app::ReplSession *LocalCodeService::doOpenSession(const QString &language)
{
    return m_client->openSession(language);
}

} // namespace coderoom::client
