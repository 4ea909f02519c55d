#include "corerunservice.h"

#include "servercore.h"

namespace coderoom::core {

QList<protocol::LanguageInfo> CoreRunService::languages() const
{
    return m_core->languages();
}

protocol::ServerLimits CoreRunService::limits() const
{
    return m_core->limits();
}

std::optional<QString> CoreRunService::authenticate(const QString &token,
                                                    const QHostAddress &peer) const
{
    // Read on every request: rest_without_token may change on SIGHUP.
    if (!m_core->restWithoutToken() && !m_core->tokenMatches(token))
        return std::nullopt;
    // REST clients have no user name: each address is its own user for fairness.
    return QStringLiteral("rest@") + peer.toString();
}

void CoreRunService::submit(const protocol::Run &run, const QString &user,
                            const std::function<void(const protocol::ServerMessage &)> &events,
                            QObject *guard)
{
    m_core->submitRun(run, user, QStringLiteral("http-%1").arg(++m_next), events, guard);
}

} // namespace coderoom::core
