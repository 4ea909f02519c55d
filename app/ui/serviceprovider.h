#pragma once

#include "codeservice.h"
#include "connectiondialog.h"

#include <QObject>

#include <memory>

// Owns the app's one CodeService and replaces it when the connection settings change: local
// mode (a private coderoomd: LocalCodeService) or a classroom server (WsCodeService). Built
// without app/client (CODEROOM_HAVE_CLIENT unset) it provides no service and the window shows
// "Offline".
namespace coderoom::ui {

class ServiceProvider final : public QObject
{
    Q_OBJECT
public:
    explicit ServiceProvider(QObject *parent = nullptr);
    ~ServiceProvider() override;

    app::CodeService *service() const { return m_service.get(); }
    // Drops the current service (its jobs finish, its private server stops) and starts one for
    // the settings. Emits serviceChanged with the new service (or nullptr).
    void apply(const ConnectionSettings &settings);

signals:
    void serviceChanged(coderoom::app::CodeService *service);

private:
    std::unique_ptr<app::CodeService> m_service;
};

} // namespace coderoom::ui
