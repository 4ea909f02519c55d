#pragma once

#include <QList>
#include <QLoggingCategory>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QStringList>

#include <optional>

// The part of opening and driving a SQLite file (QtSql, driver QSQLITE) that the store and the
// accounts database share. It is the base of their private implementations (StorePrivate,
// AccountsPrivate), which reach these members as d->db, d->fail(...): the fields are therefore
// plain public members, like the rest of those d-pointer classes.
//
// Lifecycle: constructed with a unique connection name -> openFile() -> migrate() -> destroyed
// (closes the connection and removes its name). A failed openFile()/migrate() leaves the reason
// in lastError (also logged under the owner's category); the owner closes db and may retry.
//
// Not thread-safe: one connection per thread, as QSqlDatabase requires.
namespace coderoom::sqlitefile {

struct OpenOptions
{
    int busyTimeoutMs = 5000; // how long a writer waits for another connection's write lock
    bool readOnly = false;    // SQLITE_OPEN_READONLY + query_only; no file is created
    bool fullSync = false;    // synchronous=FULL (fsync per commit) instead of NORMAL
};

// Step N takes a file from user_version N-1 to N, in one transaction with its version bump.
struct SchemaStep
{
    int version = 0;        // user_version after this step
    QString description;    // for the log
    QStringList statements; // one SQL statement each (QSqlQuery runs one at a time)
};

// Words for migrate()'s messages, so each file keeps its own wording in errors and logs.
struct SchemaWords
{
    QString schema;    // "database" -> "database schema version 3 is newer than ..."
    QString migration; // "migration" -> "migration to version 3 failed: ..."
    QString owner;     // "store" -> "... but the store is read-only"
};

class SqliteConnection
{
public:
    using Category = const QLoggingCategory &(*)();

    // The connection name is namePrefix + "." + a process-wide counter, so any number of
    // connections (threads, tests) never share a QSqlDatabase name.
    SqliteConnection(const QString &namePrefix, Category category);
    ~SqliteConnection(); // closes db and removes the connection name
    SqliteConnection(const SqliteConnection &) = delete;
    SqliteConnection &operator=(const SqliteConnection &) = delete;

    QString connectionName;
    QSqlDatabase db;
    QString lastError;

    // Creates the parent directory and the file (mode 0600, O_EXCL: the files hold users' code
    // and token hashes) unless read-only or ":memory:", opens it and sets the per-connection
    // pragmas (foreign keys, no trusted schema, secure delete, WAL, synchronous). SQLite opens
    // its own descriptors with O_CLOEXEC (SQLite >= 3.8 on Linux; the store and accounts tests
    // check it).
    bool openFile(const QString &path, const OpenOptions &options);
    // Applies the steps above the file's user_version; refuses a file from a newer version, and
    // (readOnly) one that would need migrating. Safe against another process migrating too.
    bool migrate(const QList<SchemaStep> &steps, const SchemaWords &words, bool readOnly);

    bool fail(const QString &message); // sets lastError, logs it; returns false
    bool fail(const QString &what, const QSqlQuery &query);
    QSqlQuery prepare(const QString &sql); // forward-only; a failed prepare fails at exec()
    bool run(QSqlQuery &query, const QString &what);
    bool runSql(const QString &sql);
    void rollback(); // fails harmlessly when no transaction is open
    std::optional<int> userVersion();

private:
    bool configure(const OpenOptions &options);

    Category m_category;
};

} // namespace coderoom::sqlitefile
