#pragma once

#include "codeservice.h"
#include "localserver.h"

// Local mode: a private coderoomd (LocalServer) plus a WsCodeService pointed at its loopback URL
// with its token. The UI sees one CodeService:
//   Starting ("Starting the local server") -> Connected ("Local")
//   server crashed -> Starting ("Restarting the local server"); jobs in flight finish with
//   internal_error; once it is back, the client reconnects and sessions are resumed by replay
//   server gave up / not found -> Offline (detail says why)
// Runs and sessions asked for while Starting wait for the connection.
namespace coderoom::client {

class WsCodeService;

class LocalCodeService final : public app::CodeService
{
    Q_OBJECT
public:
    explicit LocalCodeService(const localserver::LocalServerSetup &setup = {},
                              QObject *parent = nullptr);
    ~LocalCodeService() override;

    void start();
    void stop();

    localserver::LocalServer *server() const { return m_server; }
    WsCodeService *client() const { return m_client; }

protected:
    app::Job *doRun(const app::RunSpec &spec) override;
    app::ReplSession *doOpenSession(const QString &language) override;

private:
    void followClientState();

    localserver::LocalServer *m_server = nullptr;
    WsCodeService *m_client = nullptr;
    bool m_serverUp = false;
};

} // namespace coderoom::client
