#include "startqueue.h"

#include <algorithm>

namespace coderoom::sessions {

void StartQueue::push(const QString &session, const QString &user)
{
    if (m_userOf.contains(session))
        return;
    m_userOf.insert(session, user);
    QList<QString> &own = m_byUser[user];
    if (own.isEmpty())
        m_rotation.append(user);
    own.append(session);
}

QString StartQueue::takeNext()
{
    if (m_rotation.isEmpty())
        return {};
    const QString user = m_rotation.takeFirst();
    QList<QString> &own = m_byUser[user];
    const QString session = own.takeFirst();
    m_userOf.remove(session);
    if (own.isEmpty())
        m_byUser.remove(user);
    else
        m_rotation.append(user); // served: to the back
    return session;
}

void StartQueue::remove(const QString &session)
{
    const auto it = m_userOf.constFind(session);
    if (it == m_userOf.cend())
        return;
    const QString user = *it;
    m_userOf.erase(it);
    QList<QString> &own = m_byUser[user];
    own.removeOne(session);
    if (own.isEmpty()) {
        m_byUser.remove(user);
        m_rotation.removeOne(user);
    }
}

int StartQueue::position(const QString &session) const
{
    const auto it = m_userOf.constFind(session);
    if (it == m_userOf.cend())
        return -1;
    const QList<QString> own = m_byUser.value(*it);
    // k of the user's own sessions go first: this one starts in round k. Users ahead in the
    // rotation get k + 1 starts before it, users behind it k.
    const qsizetype k = own.indexOf(session);
    qsizetype ahead = k;
    bool beforeUser = true;
    for (const QString &other : m_rotation) {
        if (other == *it) {
            beforeUser = false;
            continue;
        }
        const qsizetype turns = beforeUser ? k + 1 : k;
        ahead += std::min<qsizetype>(m_byUser.value(other).size(), turns);
    }
    return int(ahead);
}

} // namespace coderoom::sessions
