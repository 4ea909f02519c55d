#include "quotatracker.h"

#include <QElapsedTimer>

#include <memory>

namespace coderoom::accounts {

namespace {

// Seconds to wait, rounded up so "wait 0 s" is never said.
qint64 waitSeconds(qint64 ms)
{
    return std::max<qint64>(1, (ms + 999) / 1000);
}

QString programs(int n)
{
    return n == 1 ? QStringLiteral("1 program") : QStringLiteral("%1 programs").arg(n);
}

} // namespace

QuotaTracker::QuotaTracker(const UserLimits &defaults, Clock clock)
    : m_defaults(defaults)
    , m_clock(std::move(clock))
{
    if (!m_clock) {
        auto timer = std::make_shared<QElapsedTimer>();
        timer->start();
        m_clock = [timer] {
            return timer->elapsed();
        };
    }
}

qint64 QuotaTracker::now() const
{
    return m_clock();
}

void QuotaTracker::expire(std::deque<qint64> &starts, qint64 now)
{
    while (!starts.empty() && now - starts.front() >= WindowMs)
        starts.pop_front();
}

void QuotaTracker::setLimits(const QString &user, const UserLimits &limits)
{
    if (limits == m_defaults) {
        auto it = m_users.find(user);
        if (it != m_users.end()) {
            it->limits.reset();
            forgetIfIdle(user);
        }
        return;
    }
    m_users[user].limits = limits;
}

UserLimits QuotaTracker::limits(const QString &user) const
{
    const auto it = m_users.constFind(user);
    return it != m_users.cend() && it->limits ? *it->limits : m_defaults;
}

void QuotaTracker::setClassJobsPerMinute(const QString &className, int perMinute)
{
    m_classCaps.insert(className, perMinute);
}

void QuotaTracker::setDefaultClassJobsPerMinute(int perMinute)
{
    m_defaultClassCap = perMinute;
}

bool QuotaTracker::allowJob(const QString &user, const QString &className, QString *why)
{
    const qint64 t = now();
    const UserLimits lim = limits(user);
    UserState &state = m_users[user];
    expire(state.starts, t);

    auto refuse = [&](const QString &message) {
        if (why)
            *why = message;
        forgetIfIdle(user);
        return false;
    };
    if (state.active >= lim.activeJobs) {
        return refuse(lim.activeJobs == 0
                          ? QStringLiteral("You may not run programs on this server.")
                          : QStringLiteral("You already have %1 running or waiting; wait for one "
                                           "to finish.")
                                .arg(programs(state.active)));
    }
    if (qsizetype(state.starts.size()) >= lim.jobsPerMinute) {
        if (lim.jobsPerMinute == 0)
            return refuse(QStringLiteral("You may not run programs on this server."));
        const qint64 waitMs = state.starts.front() + WindowMs - t;
        return refuse(QStringLiteral("You have started %1 in the last minute; wait %2 s.")
                          .arg(programs(int(state.starts.size())))
                          .arg(waitSeconds(waitMs)));
    }
    std::deque<qint64> *classStarts = nullptr;
    if (!className.isEmpty()) {
        const int cap = m_classCaps.value(className, m_defaultClassCap);
        if (cap > 0) {
            classStarts = &m_classStarts[className];
            expire(*classStarts, t);
            if (qsizetype(classStarts->size()) >= cap) {
                const qint64 waitMs = classStarts->front() + WindowMs - t;
                return refuse(
                    QStringLiteral("Your class %1 has started %2 in the last minute; wait %3 s.")
                        .arg(className, programs(int(classStarts->size())))
                        .arg(waitSeconds(waitMs)));
            }
        }
    }
    state.starts.push_back(t);
    if (classStarts)
        classStarts->push_back(t);
    sweep(t);
    return true;
}

void QuotaTracker::jobStarted(const QString &user)
{
    ++m_users[user].active;
}

void QuotaTracker::jobFinished(const QString &user)
{
    auto it = m_users.find(user);
    if (it == m_users.end() || it->active == 0)
        return;
    --it->active;
    forgetIfIdle(user);
}

bool QuotaTracker::allowSession(const QString &user, int liveSessions, QString *why) const
{
    const int max = limits(user).liveSessions;
    if (liveSessions < max)
        return true;
    if (why) {
        *why = max == 0 ? QStringLiteral("You may not open interactive sessions on this server.")
                        : QStringLiteral("You have %1 interactive sessions open (the most "
                                         "allowed); close one first.")
                              .arg(liveSessions);
    }
    return false;
}

int QuotaTracker::activeJobs(const QString &user) const
{
    return m_users.value(user).active;
}

int QuotaTracker::trackedUsers() const
{
    return int(m_users.size());
}

void QuotaTracker::sweep(qint64 now)
{
    // Bounded memory: once a window, drop users and classes with nothing left to count, so
    // names that came once (class-token users are any name) do not pile up.
    if (now - m_lastSweep < WindowMs)
        return;
    m_lastSweep = now;
    for (auto it = m_users.begin(); it != m_users.end();) {
        expire(it->starts, now);
        it = it->active == 0 && it->starts.empty() && !it->limits ? m_users.erase(it)
                                                                  : std::next(it);
    }
    for (auto it = m_classStarts.begin(); it != m_classStarts.end();) {
        expire(it.value(), now);
        it = it->empty() ? m_classStarts.erase(it) : std::next(it);
    }
}

void QuotaTracker::forgetIfIdle(const QString &user)
{
    auto it = m_users.find(user);
    if (it == m_users.end())
        return;
    expire(it->starts, now());
    if (it->active == 0 && it->starts.empty() && !it->limits)
        m_users.erase(it);
}

} // namespace coderoom::accounts
