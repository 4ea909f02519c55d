#pragma once

#include <QHash>
#include <QList>
#include <QString>

// Sessions waiting for their interpreter to start (a new session, or a hibernated one woken by
// resume or a cell): who goes next when a start slot frees. Round robin across users, each
// user's sessions in arrival order, so a student with many tabs delays a classmate by at most
// one start. Pure bookkeeping; the session manager decides when a slot is free.
namespace coderoom::sessions {

class StartQueue
{
public:
    // Appends; a session already waiting keeps its place. A new user joins at the back of the
    // rotation.
    void push(const QString &session, const QString &user);
    // The next session to start (round robin), removed; empty when nothing waits.
    QString takeNext();
    void remove(const QString &session);

    bool contains(const QString &session) const { return m_userOf.contains(session); }
    bool isEmpty() const { return m_userOf.isEmpty(); }
    int size() const { return int(m_userOf.size()); }
    // Starts ahead of this one if nothing else arrives: 0 = next; -1 = not waiting.
    int position(const QString &session) const;

private:
    QHash<QString, QString> m_userOf;        // session -> user
    QHash<QString, QList<QString>> m_byUser; // user -> sessions, oldest first
    QList<QString> m_rotation;               // users with a waiting session, next first
};

} // namespace coderoom::sessions
