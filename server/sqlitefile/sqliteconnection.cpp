#include "sqliteconnection.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSqlError>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace coderoom::sqlitefile {

namespace {

std::atomic<quint64> s_connectionCounter{0};

// SQLite creates files with mode 0644; the history holds users' code and the accounts file
// token hashes, so make the file ourselves with 0600 first (SQLite gives its -wal and -shm files
// the mode of the main file).
bool createPrivateFile(const QString &path, QString *error)
{
    const QByteArray native = QFile::encodeName(path);
    const int fd =
        ::open(native.constData(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd >= 0) {
        ::close(fd);
        return true;
    }
    if (errno == EEXIST)
        return true;
    *error =
        QStringLiteral("cannot create %1: %2").arg(path, QString::fromLocal8Bit(strerror(errno)));
    return false;
}

} // namespace

SqliteConnection::SqliteConnection(const QString &namePrefix, Category category)
    : connectionName(QStringLiteral("%1.%2").arg(namePrefix).arg(s_connectionCounter.fetch_add(1)))
    , m_category(category)
{}

SqliteConnection::~SqliteConnection()
{
    if (db.isValid()) {
        db.close();
        db = QSqlDatabase(); // no copy may be alive when the name is removed
        QSqlDatabase::removeDatabase(connectionName);
    }
}

bool SqliteConnection::openFile(const QString &path, const OpenOptions &options)
{
    if (!QSqlDatabase::isDriverAvailable(QStringLiteral("QSQLITE")))
        return fail(QStringLiteral("the Qt SQLite driver (QSQLITE) is not available"));
    // ":memory:" (a private in-memory database, for tests and tools) has no file to prepare.
    const bool inMemory = path == QLatin1String(":memory:");
    if (!options.readOnly && !inMemory) {
        const QFileInfo info(path);
        if (!QDir().mkpath(info.absolutePath()))
            return fail(QStringLiteral("cannot create directory %1").arg(info.absolutePath()));
        QString createError;
        if (!createPrivateFile(path, &createError))
            return fail(createError);
    }

    if (!db.isValid())
        db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), connectionName);
    db.setDatabaseName(path);
    QString connectOptions = QStringLiteral("QSQLITE_BUSY_TIMEOUT=%1").arg(options.busyTimeoutMs);
    if (options.readOnly)
        connectOptions += QStringLiteral(";QSQLITE_OPEN_READONLY");
    db.setConnectOptions(connectOptions);
    if (!db.open())
        return fail(QStringLiteral("cannot open %1: %2").arg(path, db.lastError().text()));
    return configure(options);
}

bool SqliteConnection::configure(const OpenOptions &options)
{
    // Per-connection settings; journal_mode=WAL is stored in the file but costs nothing to repeat.
    // secure_delete: cleared history and revoked token hashes are zeroed in the file rather than
    // left in free pages. Deletes are rare (restart, retention, revocation): the cost is small.
    if (!runSql(QStringLiteral("PRAGMA foreign_keys = ON")) ||
        !runSql(QStringLiteral("PRAGMA trusted_schema = OFF")) ||
        !runSql(QStringLiteral("PRAGMA secure_delete = ON")))
        return false;
    if (options.readOnly)
        return runSql(QStringLiteral("PRAGMA query_only = ON"));

    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA journal_mode = WAL")) || !query.next())
        return fail(QStringLiteral("switching to WAL"), query);
    const QString mode = query.value(0).toString();
    query.finish();
    const bool inMemory = db.databaseName() == QLatin1String(":memory:"); // no WAL to have
    if (!inMemory && mode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        return fail(QStringLiteral("the database refused WAL mode (journal_mode is %1)").arg(mode));
    return runSql(options.fullSync ? QStringLiteral("PRAGMA synchronous = FULL")
                                   : QStringLiteral("PRAGMA synchronous = NORMAL"));
}

bool SqliteConnection::migrate(const QList<SchemaStep> &steps, const SchemaWords &words,
                               bool readOnly)
{
    const int target = steps.constLast().version;
    const std::optional<int> found = userVersion();
    if (!found)
        return false;
    if (*found > target) {
        return fail(QStringLiteral("%1 schema version %2 is newer than this server's (%3)")
                        .arg(words.schema)
                        .arg(*found)
                        .arg(target));
    }
    if (*found == target)
        return true;
    if (readOnly) {
        return fail(QStringLiteral("%1 schema version %2 needs migrating to %3, but the %4 is "
                                   "read-only")
                        .arg(words.schema)
                        .arg(*found)
                        .arg(target)
                        .arg(words.owner));
    }

    for (const SchemaStep &step : steps) {
        if (step.version <= *found)
            continue;
        // IMMEDIATE takes the write lock up front, so a writer waits (busy timeout) at BEGIN
        // instead of failing halfway when another connection holds the lock.
        if (!runSql(QStringLiteral("BEGIN IMMEDIATE")))
            return false;
        // Another process (a server, a CLI run next to it) may have migrated between our read
        // and our lock: look again.
        const std::optional<int> now = userVersion();
        if (!now) {
            rollback();
            return false;
        }
        if (*now >= step.version) {
            rollback();
            continue;
        }
        for (const QString &sql : step.statements) {
            if (!runSql(sql)) {
                const QString message = lastError;
                rollback();
                return fail(QStringLiteral("%1 to version %2 failed: %3")
                                .arg(words.migration)
                                .arg(step.version)
                                .arg(message));
            }
        }
        // PRAGMA takes no bound parameters; the value is our own integer, not input.
        if (!runSql(QStringLiteral("PRAGMA user_version = %1").arg(step.version)) ||
            !runSql(QStringLiteral("COMMIT"))) {
            rollback();
            return false;
        }
        qCInfo(m_category).noquote() << "migrated" << db.databaseName() << "to schema version"
                                     << step.version << "(" << step.description << ")";
    }
    return true;
}

bool SqliteConnection::fail(const QString &message)
{
    lastError = message;
    qCWarning(m_category).noquote() << connectionName << message;
    return false;
}

bool SqliteConnection::fail(const QString &what, const QSqlQuery &query)
{
    return fail(what + QStringLiteral(": ") + query.lastError().text());
}

QSqlQuery SqliteConnection::prepare(const QString &sql)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(sql);
    return query;
}

bool SqliteConnection::run(QSqlQuery &query, const QString &what)
{
    if (query.exec())
        return true;
    return fail(what, query);
}

bool SqliteConnection::runSql(const QString &sql)
{
    QSqlQuery query(db);
    if (query.exec(sql))
        return true;
    return fail(sql, query);
}

void SqliteConnection::rollback()
{
    QSqlQuery query(db);
    query.exec(QStringLiteral("ROLLBACK"));
}

std::optional<int> SqliteConnection::userVersion()
{
    QSqlQuery query(db);
    if (!query.exec(QStringLiteral("PRAGMA user_version")) || !query.next()) {
        fail(QStringLiteral("reading the schema version"), query);
        return std::nullopt;
    }
    return query.value(0).toInt();
}

} // namespace coderoom::sqlitefile
