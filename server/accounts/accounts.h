#pragma once

#include "accountstypes.h"

#include <QList>
#include <QString>

#include <memory>
#include <optional>

// Users and their personal tokens in one SQLite file, <data-dir>/accounts.db (QtSql, QSQLITE).
//
// Lifecycle (like store::Store):
//   Closed --open() ok--> Open --~Accounts()--> gone
//          --open() fails--> Closed (error says why; every other call then fails cleanly)
//   open() creates the file with mode 0600 (it holds token hashes), migrates it to
//   schemaVersion() one transaction per step, or refuses a file from a newer version.
//
// Tokens: "crt_<id>_<secret>", id = 8 random bytes (16 hex), secret = 32 random bytes
// (base64url, 43 chars). Only the id and HMAC-SHA-256(salt, id ":" secret) with a per-token
// 16-byte random salt are stored. A slow KDF (scrypt/argon2) buys nothing here: it protects
// low-entropy passwords from guessing, and a 256-bit random secret cannot be guessed; the salt
// keeps equal secrets from having equal hashes and the id in the message pins a hash to its row.
// authenticate() finds the row by id (primary key, no scan of hashes) and compares hashes in
// constant time.
//
// User names: 1-64 letters, digits or _ - . @ (what hello accepts), unique ignoring ASCII case.
//
// Errors never throw: calls return false / std::nullopt and *error (when given) and lastError()
// say why; failures are logged under coderoom.server.accounts. Values always go through prepared
// statements. Not a QObject, not thread-safe: one Accounts per thread.
namespace coderoom::accounts {

class AccountsPrivate;

class Accounts final
{
public:
    Accounts();
    ~Accounts();
    Accounts(const Accounts &) = delete;
    Accounts &operator=(const Accounts &) = delete;

    static QString defaultPath(const QString &dataDir); // <dataDir>/accounts.db
    static int schemaVersion();
    static bool isValidUserName(const QString &name);

    // Creates the parent directory and the file (0600) if missing, migrates. ":memory:" works.
    bool open(const QString &path, QString *error);
    bool isOpen() const;
    QString lastError() const;
    QString connectionName() const; // unique per instance; for tests that read the file

    // The server's defaults (from its config), the base every Identity's limits start from.
    void setDefaultLimits(const UserLimits &limits);
    UserLimits defaultLimits() const;

    bool addUser(const QString &name, Role role, const QString &className, QString *error);
    bool removeUser(const QString &name, QString *error); // its tokens go with it
    std::optional<UserRecord> user(const QString &name) const;
    QList<UserRecord> listUsers() const; // by name
    // Replaces the user's (or the class's) overrides; negative values are refused.
    bool setUserLimits(const QString &name, const LimitOverrides &limits, QString *error);
    bool setClassLimits(const QString &className, const LimitOverrides &limits, QString *error);
    LimitOverrides classLimits(const QString &className) const; // empty when none stored
    // server defaults <- class overrides <- the user's overrides
    UserLimits limitsFor(const UserRecord &user) const;

    // The secret is in the result only; it is never stored or logged.
    std::optional<IssuedToken> issueToken(const QString &user, const QString &label,
                                          QString *error);
    bool revokeToken(const QString &id, QString *error); // false if unknown or already revoked
    QList<TokenRecord> listTokens(const QString &user = QString()) const; // empty user: all

    // The identity a personal token stands for; nullopt for anything else (malformed, unknown
    // id, wrong secret, revoked, user removed). Records last use (at most once a minute).
    // The caller decides what to do with the user name a hello claims (ignore or compare).
    std::optional<Identity> authenticate(const QString &token);

    // The server's shared token (data-dir/token) as a quick-start class token: any user name,
    // role student, default limits, viaClassToken. Check isValid(): the result is INVALID
    // (empty user) when the claimed name is malformed or belongs to a registered user
    // (ignoring case), because sessions are owned by user name and the class token must not
    // let anyone act as a registered account; also invalid when that check fails (fail closed).
    // Without open() nothing is registered, so every valid name passes.
    // Call only after the class token matched.
    Identity classIdentity(const QString &claimedUser) const;

private:
    std::unique_ptr<AccountsPrivate> d;
};

} // namespace coderoom::accounts
