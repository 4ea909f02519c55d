#pragma once

#include "runservice.h"

// The core's side of restapi::RunService: REST runs take the same path as WebSocket runs.
namespace coderoom::core {

class ServerCore;

class CoreRunService final : public restapi::RunService
{
public:
    explicit CoreRunService(ServerCore *core)
        : m_core(core)
    {}

    QList<protocol::LanguageInfo> languages() const override;
    protocol::ServerLimits limits() const override;
    std::optional<QString> authenticate(const QString &token,
                                        const QHostAddress &peer) const override;
    void submit(const protocol::Run &run, const QString &user,
                const std::function<void(const protocol::ServerMessage &)> &events,
                QObject *guard) override;

private:
    ServerCore *m_core;
    mutable quint64 m_next = 0;
};

} // namespace coderoom::core
