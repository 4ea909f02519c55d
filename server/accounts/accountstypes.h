#pragma once

#include <QList>
#include <QString>

#include <optional>

// Plain data shared by Accounts, QuotaTracker and the CLI. No behaviour beyond small helpers.
namespace coderoom::accounts {

enum class Role
{
    Student,
    Teacher,
    Admin,
};

QString roleName(Role role);                           // "student" | "teacher" | "admin"
std::optional<Role> roleFromName(const QString &name); // case-insensitive; nullopt if unknown

// What one user may do at once. Defaults come from the server's config (Accounts and
// QuotaTracker take them); a class and then a user may override each field.
struct UserLimits
{
    int liveSessions = 4;   // interactive interpreters open at once
    int activeJobs = 8;     // runs/evals accepted and not yet finished (queued or running)
    // Runs/evals started in any sliding 60 s window. High enough for a fast REPL typist (one
    // cell a second is 60), low enough to stop a script hammering the server.
    int jobsPerMinute = 600;

    friend bool operator==(const UserLimits &, const UserLimits &) = default;
};

// Per-user or per-class overrides: an empty field inherits from the level above
// (server defaults <- class <- user).
struct LimitOverrides
{
    std::optional<int> liveSessions;
    std::optional<int> activeJobs;
    std::optional<int> jobsPerMinute;

    bool isEmpty() const { return !liveSessions && !activeJobs && !jobsPerMinute; }
    UserLimits appliedTo(UserLimits base) const
    {
        base.liveSessions = liveSessions.value_or(base.liveSessions);
        base.activeJobs = activeJobs.value_or(base.activeJobs);
        base.jobsPerMinute = jobsPerMinute.value_or(base.jobsPerMinute);
        return base;
    }
    friend bool operator==(const LimitOverrides &, const LimitOverrides &) = default;
};

struct UserRecord
{
    QString name;
    Role role = Role::Student;
    QString className; // empty: no class
    LimitOverrides limits;
    qint64 createdMs = 0;
};

// A token as listed: never the secret, which exists only in IssuedToken at issue time.
struct TokenRecord
{
    QString id; // public, unique; the part of the token between "crt_" and the second "_"
    QString user;
    QString label;
    qint64 createdMs = 0;
    qint64 lastUsedMs = 0; // 0: never used (updated at most once a minute)
    qint64 revokedMs = 0;  // 0: valid
    bool isRevoked() const { return revokedMs != 0; }
};

// Returned once by issueToken(); the secret is not stored and cannot be shown again.
struct IssuedToken
{
    QString id;
    QString secret; // the whole token the client presents: "crt_<id>_<43 base64url chars>"
};

// Who a hello authenticated as, and what they may do.
struct Identity
{
    QString user; // the canonical stored name (may differ in case from what was typed)
    Role role = Role::Student;
    QString className;
    UserLimits limits; // server defaults <- class overrides <- user overrides
    QString tokenId;   // the personal token used; empty for the class token
    bool viaClassToken = false;

    bool isValid() const { return !user.isEmpty(); }
};

} // namespace coderoom::accounts
