#pragma once

#include "messages.h"

#include <QHostAddress>
#include <QObject>

#include <functional>
#include <optional>

// What the REST APIs (Piston v2, Jobe) need from the server, without knowing the core: the
// languages, the limits, who a token belongs to, and a way to submit a run through the same
// queue, sandbox and limits as a WebSocket `run`. The core implements it.
namespace coderoom::restapi {

class RunService
{
public:
    virtual ~RunService() = default;

    virtual QList<protocol::LanguageInfo> languages() const = 0;
    virtual protocol::ServerLimits limits() const = 0;

    // The user a request is charged to (fairness, quotas), or nullopt when the token is refused.
    // `token` may be empty: allowed only when the server runs its REST APIs without tokens.
    virtual std::optional<QString> authenticate(const QString &token,
                                                const QHostAddress &peer) const = 0;

    // Every event of the run reaches `events`, in protocol order (accepted, started, output*,
    // result), or a single protocol::Error when it was refused before queueing. Exactly one
    // Result or Error ends it. Nothing is delivered after `guard` is destroyed (and the run is
    // then abandoned: stopped if it runs).
    virtual void submit(const protocol::Run &run, const QString &user,
                        const std::function<void(const protocol::ServerMessage &)> &events,
                        QObject *guard) = 0;
};

} // namespace coderoom::restapi
