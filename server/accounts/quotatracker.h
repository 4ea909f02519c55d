#pragma once

#include "accountstypes.h"

#include <QHash>
#include <QString>

#include <deque>
#include <functional>

// Per-user (and per-class) admission quotas, in memory. Pure: no SQL, no sockets, no timers;
// time comes from an injectable clock (milliseconds, monotonic).
//
// Protocol for the caller (server/core):
//   hello ok          -> setLimits(identity.user, identity.limits)      (once per connection)
//   run/eval arrives  -> allowJob(user, className, &why)  false: refuse with `why`
//                        true: the start is counted in the per-minute windows, then
//   job accepted      -> jobStarted(user)   ... its result -> jobFinished(user)
//   session.open      -> allowSession(user, liveSessionsNow, &why)
// allowJob() refuses when the user already has activeJobs jobs between jobStarted and
// jobFinished, or has started jobsPerMinute jobs in the last 60 s, or the user's class has
// started its class cap in the last 60 s.
//
// Memory: a user's entry is dropped once it has no active job and an empty window (checked when
// the user is touched and in a sweep at most once a window), unless it carries limits different
// from the defaults (those are bounded by the registered users).
namespace coderoom::accounts {

class QuotaTracker final
{
public:
    using Clock = std::function<qint64()>; // ms; default: a monotonic QElapsedTimer
    static constexpr qint64 WindowMs = 60 * 1000;

    explicit QuotaTracker(const UserLimits &defaults = {}, Clock clock = {});

    // Limits for one user (from Identity); users never set get the defaults.
    void setLimits(const QString &user, const UserLimits &limits);
    UserLimits limits(const QString &user) const;
    // Jobs a whole class may start per minute together; 0 (the default) means no class cap.
    void setClassJobsPerMinute(const QString &className, int perMinute);
    void setDefaultClassJobsPerMinute(int perMinute);

    // Counts the start when it returns true (check and count in one step, so two requests
    // cannot both pass on the last slot). *why is a sentence for the student when false.
    bool allowJob(const QString &user, const QString &className, QString *why);
    void jobStarted(const QString &user);
    void jobFinished(const QString &user); // unmatched calls are ignored
    // liveSessions: how many the user has open now (the session manager knows).
    bool allowSession(const QString &user, int liveSessions, QString *why) const;

    int activeJobs(const QString &user) const;
    int trackedUsers() const; // for tests of the memory bound

private:
    struct UserState
    {
        std::deque<qint64> starts; // allowed starts in the window, oldest first
        int active = 0;
        std::optional<UserLimits> limits;
    };
    qint64 now() const;
    static void expire(std::deque<qint64> &starts, qint64 now);
    void forgetIfIdle(const QString &user);
    void sweep(qint64 now);

    UserLimits m_defaults;
    Clock m_clock;
    QHash<QString, UserState> m_users;
    QHash<QString, std::deque<qint64>> m_classStarts;
    QHash<QString, int> m_classCaps;
    int m_defaultClassCap = 0;
    qint64 m_lastSweep = 0;
};

} // namespace coderoom::accounts
