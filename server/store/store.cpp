#include "store.h"

#include "migrations_p.h"
#include "sqliteconnection.h"

#include <QDateTime>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>

#include <array>

Q_LOGGING_CATEGORY(lcStore, "coderoom.server.store")

namespace coderoom::store {

// How far behind an append may leave a session's last_used_ms (see the NextSeq statement).
constexpr qint64 kTouchEveryMs = 60 * 1000;

namespace {

// QString() binds as SQL NULL; the schema wants NOT NULL text, so bind null strings as "".
QString nonNull(const QString &s)
{
    return s.isNull() ? QString::fromLatin1("") : s;
}

QString newSessionId()
{
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QString::fromLatin1(
        QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex());
}

int kindToDb(EntryKind kind)
{
    return kind == EntryKind::Input ? 1 : 0;
}

EntryKind kindFromDb(int value)
{
    return value == 1 ? EntryKind::Input : EntryKind::Eval;
}

} // namespace

// Opening, pragmas, migrations and the query helpers come from sqlitefile (shared with accounts).
class StorePrivate : public sqlitefile::SqliteConnection
{
public:
    StorePrivate()
        : SqliteConnection(QStringLiteral("coderoom.store"), &lcStore)
    {}

    StoreOptions options;
    bool open = false;

    bool checkOpen()
    {
        if (open)
            return true;
        lastError = QStringLiteral("store is not open");
        return false;
    }

    // The append path runs per eval and per stdin chunk, the status update once per eval: their
    // statements are prepared once and kept (a fresh prepare costs about as much as the rest).
    enum Statement
    {
        Begin,
        Commit,
        NextSeq,
        ReserveSeq,
        ParentKind,
        InsertEntry,
        SetStatus,
        TouchIfStale,
        StatementCount
    };
    std::array<std::optional<QSqlQuery>, StatementCount> cache;

    QSqlQuery &cached(Statement which)
    {
        static const std::array<QString, StatementCount> sql = {
            // IMMEDIATE takes the write lock up front, so a writer waits (busy timeout) at BEGIN
            // instead of failing halfway when another connection holds the lock.
            QStringLiteral("BEGIN IMMEDIATE"),
            QStringLiteral("COMMIT"),
            // last_used_ms is indexed: rewriting it on every append moved its index entry
            // each time. It moves here only when it is a minute behind (TouchIfStale); idle
            // retention is counted in days.
            QStringLiteral("UPDATE sessions SET next_seq = next_seq + 1"
                           " WHERE id = :id RETURNING next_seq - 1, last_used_ms"),
            // A seq numbered by the caller (see appendAt): numbering continues after it.
            QStringLiteral("UPDATE sessions SET next_seq = MAX(next_seq, :seq + 1)"
                           " WHERE id = :id RETURNING :seq, last_used_ms"),
            QStringLiteral("SELECT kind FROM history WHERE session_id = :id AND seq = :seq"),
            QStringLiteral("INSERT INTO history"
                           " (session_id, seq, kind, code, status, parent_seq, at_ms)"
                           " VALUES (:id, :seq, :kind, :code, :status, :parent, :at)"),
            QStringLiteral(
                "UPDATE history SET status = :status WHERE session_id = :id AND seq = :seq"),
            QStringLiteral(
                "UPDATE sessions SET last_used_ms = MAX(last_used_ms, :now) WHERE id = :id"),
        };
        std::optional<QSqlQuery> &slot = cache[which];
        if (!slot) // a failed prepare is kept too: exec() then fails with its error
            slot = prepare(sql[which]);
        return *slot;
    }

    bool begin() { return run(cached(Begin), QStringLiteral("BEGIN IMMEDIATE")); }
    bool commit()
    {
        if (run(cached(Commit), QStringLiteral("COMMIT")))
            return true;
        rollback();
        return false;
    }
    bool rollbackWith(const QString &message)
    {
        rollback();
        return fail(message);
    }

    bool checkEntry(EntryKind kind, qint64 parentSeq)
    {
        if (kind == EntryKind::Eval && parentSeq != 0)
            return fail(QStringLiteral("an eval entry has no parent"));
        if (kind == EntryKind::Input && parentSeq <= 0)
            return fail(QStringLiteral("an input entry needs the seq of its eval"));
        return true;
    }

    // Inside a transaction begun by the caller: runs the numbering statement (it returns the
    // entry's seq and the session's last_used_ms), writes the entry and commits; rolls back on
    // any failure.
    std::optional<qint64> writeEntry(QSqlQuery &numbering, const QString &sessionId,
                                     EntryKind kind, const QString &code, const QString &status,
                                     qint64 parentSeq)
    {
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (!run(numbering, QStringLiteral("numbering a history entry"))) {
            rollback();
            return std::nullopt;
        }
        if (!numbering.next()) {
            rollbackWith(QStringLiteral("unknown session"));
            return std::nullopt;
        }
        const qint64 seq = numbering.value(0).toLongLong();
        const qint64 lastUsed = numbering.value(1).toLongLong();
        numbering.finish(); // a statement still stepping would block COMMIT
        if (now - lastUsed >= kTouchEveryMs) {
            QSqlQuery &touch = cached(TouchIfStale);
            touch.bindValue(QStringLiteral(":now"), now);
            touch.bindValue(QStringLiteral(":id"), sessionId);
            if (!run(touch, QStringLiteral("marking a session as used"))) {
                rollback();
                return std::nullopt;
            }
        }
        if (kind == EntryKind::Input) {
            QSqlQuery &parent = cached(ParentKind);
            parent.bindValue(QStringLiteral(":id"), sessionId);
            parent.bindValue(QStringLiteral(":seq"), parentSeq);
            if (!run(parent, QStringLiteral("finding the eval of an input"))) {
                rollback();
                return std::nullopt;
            }
            const bool isEval =
                parent.next() && kindFromDb(parent.value(0).toInt()) == EntryKind::Eval;
            parent.finish();
            if (!isEval) {
                rollbackWith(QStringLiteral("input names seq %1, which is not an eval of this "
                                            "session")
                                 .arg(parentSeq));
                return std::nullopt;
            }
        }
        QSqlQuery &insert = cached(InsertEntry);
        insert.bindValue(QStringLiteral(":id"), sessionId);
        insert.bindValue(QStringLiteral(":seq"), seq);
        insert.bindValue(QStringLiteral(":kind"), kindToDb(kind));
        insert.bindValue(QStringLiteral(":code"), nonNull(code));
        insert.bindValue(QStringLiteral(":status"), nonNull(status));
        insert.bindValue(QStringLiteral(":parent"), parentSeq);
        insert.bindValue(QStringLiteral(":at"), now);
        if (!run(insert, QStringLiteral("appending to history"))) {
            rollback();
            return std::nullopt;
        }
        if (!commit())
            return std::nullopt;
        return seq;
    }
};

Store::Store()
    : d(std::make_unique<StorePrivate>())
{}

Store::~Store()
{
    // Prepared statements go before their connection (~SqliteConnection closes it and removes
    // its name).
    d->cache = {};
}

bool Store::open(const QString &path, QString *error)
{
    return open(path, StoreOptions{}, error);
}

bool Store::open(const QString &path, const StoreOptions &options, QString *error)
{
    auto failed = [&] {
        if (error)
            *error = d->lastError;
        d->open = false;
        d->cache = {};
        if (d->db.isOpen())
            d->db.close();
        return false;
    };
    if (d->open) { // refused without touching the open connection
        d->lastError = QStringLiteral("store is already open");
        if (error)
            *error = d->lastError;
        return false;
    }
    d->options = options;
    sqlitefile::OpenOptions fileOptions;
    fileOptions.busyTimeoutMs = options.busyTimeoutMs;
    fileOptions.readOnly = options.readOnly;
    fileOptions.fullSync = options.durability == Durability::PowerLoss;
    const sqlitefile::SchemaWords words{QStringLiteral("database"), QStringLiteral("migration"),
                                        QStringLiteral("store")};
    if (!d->openFile(path, fileOptions) || !d->migrate(migrationSteps(), words, options.readOnly))
        return failed();
    d->open = true;
    d->lastError.clear();
    qCDebug(lcStore).noquote() << "opened" << path << (options.readOnly ? "read-only" : "");
    return true;
}

bool Store::isOpen() const
{
    return d->open;
}

QString Store::lastError() const
{
    return d->lastError;
}

int Store::schemaVersion()
{
    return migrationSteps().constLast().version;
}

QString Store::connectionName() const
{
    return d->connectionName;
}

std::optional<SessionRecord> Store::createSession(const QString &user, const QString &language,
                                                  QString *error)
{
    auto failed = [&]() -> std::optional<SessionRecord> {
        if (error)
            *error = d->lastError;
        return std::nullopt;
    };
    if (!d->checkOpen())
        return failed();
    if (user.isEmpty() || language.isEmpty()) {
        d->fail(QStringLiteral("a session needs a user and a language"));
        return failed();
    }
    SessionRecord record;
    record.user = user;
    record.language = language;
    record.createdMs = QDateTime::currentMSecsSinceEpoch();
    record.lastUsedMs = record.createdMs;

    QSqlQuery insert = d->prepare(
        QStringLiteral("INSERT INTO sessions (id, owner, language, created_ms, last_used_ms)"
                       " VALUES (:id, :owner, :language, :created, :created)"));
    // 128 random bits do not collide in practice; retrying costs nothing and means a collision
    // could never hand out another user's id.
    for (int attempt = 0; attempt < 3; ++attempt) {
        record.id = newSessionId();
        insert.bindValue(QStringLiteral(":id"), record.id);
        insert.bindValue(QStringLiteral(":owner"), user);
        insert.bindValue(QStringLiteral(":language"), language);
        insert.bindValue(QStringLiteral(":created"), record.createdMs);
        if (insert.exec())
            return record;
        if (insert.lastError().nativeErrorCode() != QLatin1String("1555")) // not a PK clash
            break;
    }
    d->fail(QStringLiteral("creating a session"), insert);
    return failed();
}

std::optional<SessionRecord> Store::session(const QString &id, const QString &user) const
{
    if (!d->checkOpen())
        return std::nullopt;
    QSqlQuery query =
        d->prepare(QStringLiteral("SELECT id, owner, language, created_ms, last_used_ms, closed"
                                  " FROM sessions WHERE id = :id AND owner = :owner"));
    query.bindValue(QStringLiteral(":id"), id);
    query.bindValue(QStringLiteral(":owner"), user);
    if (!d->run(query, QStringLiteral("looking up a session")) || !query.next())
        return std::nullopt;
    SessionRecord record;
    record.id = query.value(0).toString();
    record.user = query.value(1).toString();
    record.language = query.value(2).toString();
    record.createdMs = query.value(3).toLongLong();
    record.lastUsedMs = query.value(4).toLongLong();
    record.closed = query.value(5).toInt() != 0;
    return record;
}

bool Store::touch(const QString &id, qint64 nowMs)
{
    if (!d->checkOpen())
        return false;
    QSqlQuery query =
        d->prepare(QStringLiteral("UPDATE sessions SET last_used_ms = :now WHERE id = :id"));
    query.bindValue(QStringLiteral(":now"), nowMs);
    query.bindValue(QStringLiteral(":id"), id);
    if (!d->run(query, QStringLiteral("touching a session")))
        return false;
    if (query.numRowsAffected() != 1)
        return d->fail(QStringLiteral("unknown session"));
    return true;
}

bool Store::setClosed(const QString &id, bool closed)
{
    if (!d->checkOpen())
        return false;
    QSqlQuery query =
        d->prepare(QStringLiteral("UPDATE sessions SET closed = :closed WHERE id = :id"));
    query.bindValue(QStringLiteral(":closed"), closed ? 1 : 0);
    query.bindValue(QStringLiteral(":id"), id);
    if (!d->run(query, QStringLiteral("closing a session")))
        return false;
    if (query.numRowsAffected() != 1)
        return d->fail(QStringLiteral("unknown session"));
    return true;
}

std::optional<qint64> Store::append(const QString &sessionId, EntryKind kind, const QString &code,
                                    const QString &status, qint64 parentSeq, QString *error)
{
    if (!d->checkOpen() || !d->checkEntry(kind, parentSeq) || !d->begin()) {
        if (error)
            *error = d->lastError;
        return std::nullopt;
    }
    QSqlQuery &next = d->cached(StorePrivate::NextSeq);
    next.bindValue(QStringLiteral(":id"), sessionId);
    const std::optional<qint64> seq = d->writeEntry(next, sessionId, kind, code, status, parentSeq);
    if (!seq && error)
        *error = d->lastError;
    return seq;
}

bool Store::appendAt(const QString &sessionId, qint64 seq, EntryKind kind, const QString &code,
                     const QString &status, qint64 parentSeq, QString *error)
{
    if (!d->checkOpen() || !d->checkEntry(kind, parentSeq) ||
        (seq <= 0 && !d->fail(QStringLiteral("a history entry is numbered from 1"))) ||
        !d->begin()) {
        if (error)
            *error = d->lastError;
        return false;
    }
    QSqlQuery &reserve = d->cached(StorePrivate::ReserveSeq);
    reserve.bindValue(QStringLiteral(":seq"), seq);
    reserve.bindValue(QStringLiteral(":id"), sessionId);
    const bool ok = d->writeEntry(reserve, sessionId, kind, code, status, parentSeq).has_value();
    if (!ok && error)
        *error = d->lastError;
    return ok;
}

std::optional<qint64> Store::nextSeq(const QString &sessionId, QString *error) const
{
    if (d->checkOpen()) {
        QSqlQuery query = d->prepare(QStringLiteral("SELECT next_seq FROM sessions WHERE id = :id"));
        query.bindValue(QStringLiteral(":id"), sessionId);
        if (d->run(query, QStringLiteral("reading a session's numbering"))) {
            if (query.next())
                return query.value(0).toLongLong();
            d->fail(QStringLiteral("unknown session"));
        }
    }
    if (error)
        *error = d->lastError;
    return std::nullopt;
}

bool Store::setStatus(const QString &sessionId, qint64 seq, const QString &status)
{
    if (!d->checkOpen())
        return false;
    QSqlQuery &query = d->cached(StorePrivate::SetStatus);
    query.bindValue(QStringLiteral(":status"), nonNull(status));
    query.bindValue(QStringLiteral(":id"), sessionId);
    query.bindValue(QStringLiteral(":seq"), seq);
    if (!d->run(query, QStringLiteral("setting a status")))
        return false;
    if (query.numRowsAffected() != 1)
        return d->fail(QStringLiteral("unknown history entry %1").arg(seq));
    return true;
}

QList<HistoryRecord> Store::history(const QString &sessionId) const
{
    QList<HistoryRecord> records;
    if (!d->checkOpen())
        return records;
    QSqlQuery query =
        d->prepare(QStringLiteral("SELECT seq, kind, code, status, parent_seq, at_ms FROM history"
                                  " WHERE session_id = :id ORDER BY seq"));
    query.bindValue(QStringLiteral(":id"), sessionId);
    if (!d->run(query, QStringLiteral("reading history")))
        return records;
    while (query.next()) {
        HistoryRecord record;
        record.seq = query.value(0).toLongLong();
        record.kind = kindFromDb(query.value(1).toInt());
        record.code = query.value(2).toString();
        record.status = query.value(3).toString();
        record.parentSeq = query.value(4).toLongLong();
        record.atMs = query.value(5).toLongLong();
        records.append(record);
    }
    return records;
}

bool Store::clearHistory(const QString &sessionId)
{
    if (!d->checkOpen() || !d->begin())
        return false;
    QSqlQuery exists =
        d->prepare(QStringLiteral("SELECT EXISTS (SELECT 1 FROM sessions WHERE id = :id)"));
    exists.bindValue(QStringLiteral(":id"), sessionId);
    if (!d->run(exists, QStringLiteral("finding a session")) || !exists.next()) {
        d->rollback();
        return false;
    }
    const bool found = exists.value(0).toInt() != 0;
    exists.finish();
    if (!found)
        return d->rollbackWith(QStringLiteral("unknown session"));

    QSqlQuery clear = d->prepare(QStringLiteral("DELETE FROM history WHERE session_id = :id"));
    clear.bindValue(QStringLiteral(":id"), sessionId);
    if (!d->run(clear, QStringLiteral("clearing history"))) {
        d->rollback();
        return false;
    }
    return d->commit();
}

int Store::purgeIdle(qint64 olderThanMs, qint64 nowMs)
{
    if (!d->checkOpen())
        return -1;
    if (olderThanMs < 0 || nowMs < olderThanMs) {
        d->fail(QStringLiteral("purgeIdle: bad retention %1 ms at %2").arg(olderThanMs).arg(nowMs));
        return -1;
    }
    const qint64 cutoff = nowMs - olderThanMs;
    if (!d->begin())
        return -1;
    // History goes explicitly rather than only by ON DELETE CASCADE, which depends on the
    // foreign_keys pragma being on for this connection.
    QSqlQuery history =
        d->prepare(QStringLiteral("DELETE FROM history WHERE session_id IN"
                                  " (SELECT id FROM sessions WHERE last_used_ms < :cutoff)"));
    history.bindValue(QStringLiteral(":cutoff"), cutoff);
    QSqlQuery sessions =
        d->prepare(QStringLiteral("DELETE FROM sessions WHERE last_used_ms < :cutoff"));
    sessions.bindValue(QStringLiteral(":cutoff"), cutoff);
    if (!d->run(history, QStringLiteral("purging history")) ||
        !d->run(sessions, QStringLiteral("purging sessions"))) {
        d->rollback();
        return -1;
    }
    const int removed = sessions.numRowsAffected();
    if (!d->commit())
        return -1;
    if (removed > 0)
        qCInfo(lcStore) << "purged" << removed << "idle sessions";
    return removed;
}

qint64 Store::sessionCount() const
{
    if (!d->checkOpen())
        return -1;
    QSqlQuery query(d->db);
    if (!query.exec(QStringLiteral("SELECT COUNT(*) FROM sessions")) || !query.next()) {
        d->fail(QStringLiteral("counting sessions"), query);
        return -1;
    }
    return query.value(0).toLongLong();
}

} // namespace coderoom::store
