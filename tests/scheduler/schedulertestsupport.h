#pragma once

#include "scheduler.h"

#include <QString>
#include <QStringList>

// Tickets and configs in one line, shared by tst_scheduler (each rule on its own) and
// tst_schedulerburst (all of them at once under load).
namespace coderoom::scheduler::testing {

// "request:user" or "request:user:lane"; the owner is the user's connection "conn-<user>".
inline Ticket ticketFrom(const QString &spec)
{
    const QStringList parts = spec.split(u':');
    Ticket t;
    t.request = parts.value(0);
    t.user = parts.value(1);
    t.lane = parts.value(2);
    t.owner = QStringLiteral("conn-") + t.user;
    return t;
}

inline Ticket ticket(const QString &request, const QString &user, const QString &lane = {})
{
    return ticketFrom(request + u':' + user + u':' + lane);
}

inline Config config(int workers, int maxQueued = 64, int maxPerUser = 64, qint64 ttlMs = 60000)
{
    Config c;
    c.workers = workers;
    c.maxQueued = maxQueued;
    c.maxPerUser = maxPerUser;
    c.queueTtlMs = ttlMs;
    return c;
}

} // namespace coderoom::scheduler::testing
