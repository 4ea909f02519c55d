#pragma once

#include "storetypes.h"

#include <QList>
#include <QString>

#include <memory>
#include <optional>

// Durable interpreter sessions and their history in one SQLite file (QtSql, driver QSQLITE).
//
// Lifecycle:
//   Closed --open() ok--> Open --~Store()--> gone
//          --open() fails--> Closed (error says why; every other call then fails cleanly)
//   open() creates the file (mode 0600: history holds users' code) and migrates it to
//   schemaVersion(), one transaction per step, or refuses a file from a newer version.
//
// Durability: every append() is one committed transaction in WAL mode before it returns, so the
// caller may send the result afterwards. See Durability for what "committed" survives.
//
// Threads: not a QObject and not thread-safe; one Store per thread. Several Stores (threads or
// processes) may open the same file: writers serialise on SQLite's lock, waiting up to
// StoreOptions::busyTimeoutMs.
//
// Errors never throw: calls return false / std::nullopt / -1 and lastError() says why; failures
// are also logged under coderoom.server.store. Values always go through prepared statements.
//
// Ownership: session() checks the owner; the other calls take an id the caller has already
// resolved through session(), and do not check again.
namespace coderoom::store {

class StorePrivate;

class Store final
{
public:
    Store();
    ~Store(); // closes the connection and removes its (unique) QSqlDatabase connection name
    Store(const Store &) = delete;
    Store &operator=(const Store &) = delete;

    // Creates the parent directory and the file if missing, migrates. ":memory:" gives a
    // private in-memory database (not durable; WAL does not apply). SQLite opens its own
    // files, with O_CLOEXEC (SQLite >= 3.8 does so on Linux; the tests check it).
    bool open(const QString &path, QString *error);
    bool open(const QString &path, const StoreOptions &options, QString *error);
    bool isOpen() const;
    QString lastError() const;
    static int schemaVersion(); // the version open() migrates to (PRAGMA user_version)
    // The QSqlDatabase connection this Store uses (unique per instance), for diagnostics and
    // tests that need to reach below the API (e.g. to simulate a failing disk).
    QString connectionName() const;

    // A new open session owned by user with a random unguessable 128-bit id.
    std::optional<SessionRecord> createSession(const QString &user, const QString &language,
                                               QString *error);
    // The session if it exists AND belongs to user; another user's id looks exactly like an
    // unknown one (nullopt), so ids cannot be probed.
    std::optional<SessionRecord> session(const QString &id, const QString &user) const;
    bool touch(const QString &id, qint64 nowMs); // lastUsedMs = nowMs; false if unknown
    bool setClosed(const QString &id, bool closed);

    // Appends one entry and commits; returns its seq. An Input needs parentSeq naming an Eval
    // of the same session; an Eval needs parentSeq 0. Also moves lastUsedMs forward to now when
    // it is a minute or more behind, so a session in use is never idle.
    std::optional<qint64> append(const QString &sessionId, EntryKind kind, const QString &code,
                                 const QString &status, qint64 parentSeq, QString *error);
    // The same with a seq the caller numbered (a session manager numbers its cells in memory so
    // that a cell can go to its interpreter while its entry is written). Numbering continues
    // after the larger of seq and the stored next number; a seq already used fails.
    bool appendAt(const QString &sessionId, qint64 seq, EntryKind kind, const QString &code,
                  const QString &status, qint64 parentSeq, QString *error);
    // The seq the next append() would get.
    std::optional<qint64> nextSeq(const QString &sessionId, QString *error) const;
    bool setStatus(const QString &sessionId, qint64 seq, const QString &status); // eval finished
    QList<HistoryRecord> history(const QString &sessionId) const;                // by seq
    bool clearHistory(const QString &sessionId); // session.restart; seq numbering continues

    // Retention: removes sessions (and their history) last used before nowMs - olderThanMs,
    // whether closed or not. Returns how many were removed, -1 on error.
    int purgeIdle(qint64 olderThanMs, qint64 nowMs);
    qint64 sessionCount() const; // -1 on error

private:
    std::unique_ptr<StorePrivate> d;
};

} // namespace coderoom::store
