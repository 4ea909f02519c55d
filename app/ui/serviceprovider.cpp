#include "serviceprovider.h"

#ifdef CODEROOM_HAVE_CLIENT
#include "localcodeservice.h"
#include "wscodeservice.h"
#endif

#include <QLoggingCategory>
#include <QUrl>

Q_LOGGING_CATEGORY(lcProvider, "coderoom.app.ui.service", QtInfoMsg)

namespace coderoom::ui {

ServiceProvider::ServiceProvider(QObject *parent)
    : QObject(parent)
{}

ServiceProvider::~ServiceProvider() = default;

void ServiceProvider::apply(const ConnectionSettings &settings)
{
    // Tell the window first, so nothing holds the old service when it goes.
    emit serviceChanged(nullptr);
    m_service.reset();
#ifdef CODEROOM_HAVE_CLIENT
    if (settings.remote) {
        client::ClientSettings clientSettings;
        clientSettings.url = QUrl(settings.url);
        clientSettings.user = settings.user;
        clientSettings.token = settings.token;
        clientSettings.caFile = settings.caFile;
        auto service = std::make_unique<client::WsCodeService>(clientSettings);
        service->open();
        m_service = std::move(service);
    } else {
        auto service = std::make_unique<client::LocalCodeService>();
        service->start();
        m_service = std::move(service);
    }
    if (settings.remote)
        qCInfo(lcProvider) << "remote mode:" << settings.url;
    else
        qCInfo(lcProvider) << "local mode";
#else
    qCWarning(lcProvider) << "built without app/client: no server connection possible"
                          << settings.remote;
#endif
    emit serviceChanged(m_service.get());
}

} // namespace coderoom::ui
