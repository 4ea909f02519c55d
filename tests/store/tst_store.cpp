#include "store.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QSet>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>

using namespace coderoom::store;

namespace {

// One value from SQL run on an existing connection (the store's own, or a raw one); the
// QSqlDatabase copy is gone when this returns, so the owner can remove the connection later.
QVariant scalar(const QString &connection, const QString &sql, const QVariantList &binds = {})
{
    QSqlDatabase db = QSqlDatabase::database(connection, false);
    QSqlQuery query(db);
    query.prepare(sql);
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (!query.exec() || !query.next())
        return {};
    return query.value(0);
}

bool runRaw(const QString &path, const QStringList &statements)
{
    const QString name = QStringLiteral("tst_store.raw");
    bool ok = true;
    {
        QSqlDatabase db = QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), name);
        db.setDatabaseName(path);
        ok = db.open();
        for (const QString &sql : statements) {
            QSqlQuery query(db);
            if (!ok || !query.exec(sql)) {
                qWarning() << "raw SQL failed:" << sql << query.lastError().text();
                ok = false;
                break;
            }
        }
        db.close();
    }
    QSqlDatabase::removeDatabase(name);
    return ok;
}

qint64 cpuMicros()
{
    rusage usage = {};
    ::getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000 +
           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

int fileMode(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return static_cast<int>(st.st_mode & 0777);
}

const QRegularExpression s_sessionId(QStringLiteral("^[0-9a-f]{32}$"));

} // namespace

class TestStore : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_path;
    int m_counter = 0;

    std::unique_ptr<Store> openStore(const QString &path, const StoreOptions &options = {})
    {
        auto store = std::make_unique<Store>();
        QString error;
        if (!store->open(path, options, &error)) {
            qWarning() << "open failed:" << error;
            return nullptr;
        }
        return store;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        // A store that leaks a connection or reuses a name shows up as one of these warnings.
        QTest::failOnWarning(QRegularExpression(QStringLiteral("still in use")));
        QTest::failOnWarning(QRegularExpression(QStringLiteral("duplicate connection name")));
        m_path = m_dir.filePath(QStringLiteral("t%1/store.db").arg(++m_counter));
    }

    void createAndFind_data()
    {
        QTest::addColumn<QString>("user");
        QTest::addColumn<QString>("language");
        QTest::addRow("a new python session is found by its owner")
            << QStringLiteral("alice") << QStringLiteral("python");
        QTest::addRow("a user name with quotes and unicode round-trips")
            << QStringLiteral("o'brien \"the\" ü 名前") << QStringLiteral("cpp");
    }
    void createAndFind()
    {
        QFETCH(QString, user);
        QFETCH(QString, language);
        auto store = openStore(m_path);
        QVERIFY(store);
        const qint64 before = QDateTime::currentMSecsSinceEpoch();
        QString error;
        const auto created = store->createSession(user, language, &error);
        QVERIFY2(created, qPrintable(error));
        QVERIFY(s_sessionId.match(created->id).hasMatch());
        QCOMPARE(created->user, user);
        QCOMPARE(created->language, language);
        QVERIFY(created->createdMs >= before);
        QCOMPARE(created->lastUsedMs, created->createdMs);
        QVERIFY(!created->closed);

        const auto found = store->session(created->id, user);
        QVERIFY(found);
        QCOMPARE(found->id, created->id);
        QCOMPARE(found->user, user);
        QCOMPARE(found->language, language);
        QCOMPARE(found->createdMs, created->createdMs);
        QCOMPARE(store->sessionCount(), 1);
    }

    void sessionsNeedUserAndLanguage()
    {
        auto store = openStore(m_path);
        QVERIFY(store);
        QString error;
        QVERIFY(!store->createSession(QString(), QStringLiteral("python"), &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!store->createSession(QStringLiteral("alice"), QString(), &error));
        QCOMPARE(store->sessionCount(), 0);
    }

    void idsAreRandomAndDistinct()
    {
        auto store = openStore(m_path);
        QVERIFY(store);
        QSet<QString> ids;
        for (int i = 0; i < 200; ++i) {
            const auto s = store->createSession(QStringLiteral("u"), QStringLiteral("py"), nullptr);
            QVERIFY(s);
            QVERIFY2(s_sessionId.match(s->id).hasMatch(), qPrintable(s->id));
            ids.insert(s->id);
        }
        QCOMPARE(ids.size(), 200);
        QCOMPARE(store->sessionCount(), 200);
    }

    void ownerCheck_data()
    {
        QTest::addColumn<QString>("askAs");
        QTest::addColumn<QString>("askId"); // "<real>" = the session's own id
        QTest::addColumn<bool>("found");
        const QString real = QStringLiteral("<real>");
        const QString alice = QStringLiteral("alice");
        QTest::addRow("the owner finds the session") << alice << real << true;
        QTest::addRow("another user gets nothing") << QStringLiteral("bob") << real << false;
        QTest::addRow("the owner's name in another case gets nothing")
            << QStringLiteral("Alice") << real << false;
        QTest::addRow("an empty user gets nothing") << QString() << real << false;
        QTest::addRow("an SQL fragment as the user gets nothing")
            << QStringLiteral("' OR '1'='1") << real << false;
        QTest::addRow("an unknown id gets nothing")
            << alice << QStringLiteral("00000000000000000000000000000000") << false;
        QTest::addRow("an SQL fragment as the id gets nothing")
            << alice << QStringLiteral("x' OR '1'='1") << false;
    }
    void ownerCheck()
    {
        QFETCH(QString, askAs);
        QFETCH(QString, askId);
        QFETCH(bool, found);
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto mine = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(mine);
        QVERIFY(store->createSession(QStringLiteral("bob"), QStringLiteral("py"), nullptr));
        const QString id = askId == QLatin1String("<real>") ? mine->id : askId;
        const auto result = store->session(id, askAs);
        QCOMPARE(result.has_value(), found);
        if (found)
            QCOMPARE(result->user, QStringLiteral("alice"));
    }

    void appendOrder_data()
    {
        QTest::addColumn<QStringList>("codes");
        QTest::addRow("one eval gets seq 1") << QStringList{QStringLiteral("x = 41")};
        QStringList ten;
        for (int i = 0; i < 10; ++i)
            ten << QStringLiteral("print(%1)").arg(i);
        QTest::addRow("ten evals keep their order") << ten;
        QTest::addRow("multi-line code and unicode round-trip")
            << QStringList{QStringLiteral("def f():\n    return 'ü€😀'\n"), QStringLiteral("f()")};
        QTest::addRow("SQL quote characters are stored verbatim")
            << QStringList{QStringLiteral("s = \"'); DROP TABLE history; --\"")};
        QTest::addRow("empty code is kept") << QStringList{QString(), QStringLiteral("1")};
    }
    void appendOrder()
    {
        QFETCH(QStringList, codes);
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        qint64 previous = 0;
        for (const QString &code : codes) {
            QString error;
            const auto seq =
                store->append(s->id, EntryKind::Eval, code, QStringLiteral("ok"), 0, &error);
            QVERIFY2(seq, qPrintable(error));
            QCOMPARE(*seq, previous + 1);
            previous = *seq;
        }
        const QList<HistoryRecord> history = store->history(s->id);
        QCOMPARE(history.size(), codes.size());
        qint64 lastAt = 0;
        for (int i = 0; i < history.size(); ++i) {
            QCOMPARE(history[i].seq, i + 1);
            QCOMPARE(history[i].code, codes[i]);
            QCOMPARE(history[i].kind, EntryKind::Eval);
            QCOMPARE(history[i].status, QStringLiteral("ok"));
            QCOMPARE(history[i].parentSeq, 0);
            QVERIFY(history[i].atMs >= lastAt);
            lastAt = history[i].atMs;
        }
        QVERIFY(scalar(store->connectionName(), QStringLiteral("SELECT COUNT(*) FROM sessions"))
                    .toInt() == 1); // the DROP TABLE text above did nothing
    }

    void inputEntriesAreLinkedToTheirEval()
    {
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        const QString ok = QStringLiteral("ok");
        const auto eval1 =
            store->append(s->id, EntryKind::Eval, QStringLiteral("input()"), {}, 0, {});
        QVERIFY(eval1);
        const auto in1 =
            store->append(s->id, EntryKind::Input, QStringLiteral("5\n"), ok, *eval1, {});
        const auto in2 =
            store->append(s->id, EntryKind::Input, QStringLiteral("6\n"), ok, *eval1, {});
        const auto eval2 =
            store->append(s->id, EntryKind::Eval, QStringLiteral("input()"), {}, 0, {});
        QVERIFY(in1 && in2 && eval2);
        const auto in3 =
            store->append(s->id, EntryKind::Input, QStringLiteral("7\n"), ok, *eval2, {});
        QVERIFY(in3);

        const QList<HistoryRecord> h = store->history(s->id);
        QCOMPARE(h.size(), 5);
        const QList<EntryKind> kinds = {EntryKind::Eval, EntryKind::Input, EntryKind::Input,
                                        EntryKind::Eval, EntryKind::Input};
        const QList<qint64> parents = {0, *eval1, *eval1, 0, *eval2};
        const QStringList codes = {QStringLiteral("input()"), QStringLiteral("5\n"),
                                   QStringLiteral("6\n"), QStringLiteral("input()"),
                                   QStringLiteral("7\n")};
        for (int i = 0; i < h.size(); ++i) {
            QCOMPARE(h[i].seq, i + 1);
            QCOMPARE(h[i].kind, kinds[i]);
            QCOMPARE(h[i].parentSeq, parents[i]);
            QCOMPARE(h[i].code, codes[i]);
        }
    }

    void badAppendsAreRefused_data()
    {
        QTest::addColumn<int>("kind");      // EntryKind as int
        QTest::addColumn<qint64>("parent"); // -1 = the seq of an existing input entry
        QTest::addColumn<bool>("unknownSession");
        const int eval = int(EntryKind::Eval);
        const int input = int(EntryKind::Input);
        QTest::addRow("an input without its eval is refused") << input << qint64(0) << false;
        QTest::addRow("an input naming an unknown seq is refused") << input << qint64(999) << false;
        QTest::addRow("an input naming another input is refused") << input << qint64(-1) << false;
        QTest::addRow("an eval with a parent is refused") << eval << qint64(1) << false;
        QTest::addRow("an append to an unknown session is refused") << eval << qint64(0) << true;
    }
    void badAppendsAreRefused()
    {
        QFETCH(int, kind);
        QFETCH(qint64, parent);
        QFETCH(bool, unknownSession);
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        const auto eval = store->append(s->id, EntryKind::Eval, QStringLiteral("a"), {}, 0, {});
        QVERIFY(eval);
        const auto input =
            store->append(s->id, EntryKind::Input, QStringLiteral("b"), {}, *eval, nullptr);
        QVERIFY(input);

        QString error;
        const QString id = unknownSession ? QStringLiteral("nope") : s->id;
        const auto seq = store->append(id, EntryKind(kind), QStringLiteral("bad"), {},
                                       parent == -1 ? *input : parent, &error);
        QVERIFY(!seq);
        QVERIFY(!error.isEmpty());
        QCOMPARE(store->lastError(), error);
        QCOMPARE(store->history(s->id).size(), 2);
        // The refused append was rolled back whole: its seq was not consumed.
        const auto next = store->append(s->id, EntryKind::Eval, QStringLiteral("c"), {}, 0, {});
        QVERIFY(next);
        QCOMPARE(*next, *input + 1);
    }

    void statusUpdate_data()
    {
        QTest::addColumn<QString>("status");
        for (const char *name : {"ok", "error", "timeout", "cancelled", "internal_error"})
            QTest::addRow("a running eval finishing with %s keeps it", name)
                << QString::fromLatin1(name);
    }
    void statusUpdate()
    {
        QFETCH(QString, status);
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto a = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        const auto b = store->createSession(QStringLiteral("bob"), QStringLiteral("py"), {});
        QVERIFY(a && b);
        const auto seq = store->append(a->id, EntryKind::Eval, QStringLiteral("x"), {}, 0, {});
        QVERIFY(seq);
        QCOMPARE(store->history(a->id).constFirst().status, QString());
        QVERIFY2(store->setStatus(a->id, *seq, status), qPrintable(store->lastError()));
        QCOMPARE(store->history(a->id).constFirst().status, status);

        QVERIFY(!store->setStatus(a->id, *seq + 100, status));
        QVERIFY(!store->lastError().isEmpty());
        QVERIFY(!store->setStatus(b->id, *seq, status)); // same seq, another session
        QVERIFY(store->history(b->id).isEmpty());
    }

    void clearOnRestart()
    {
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto a = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        const auto b = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(a && b);
        for (int i = 0; i < 3; ++i) {
            QVERIFY(store->append(a->id, EntryKind::Eval, QStringLiteral("a"), {}, 0, {}));
            QVERIFY(store->append(b->id, EntryKind::Eval, QStringLiteral("b"), {}, 0, {}));
        }
        QVERIFY(store->clearHistory(a->id));
        QVERIFY(store->history(a->id).isEmpty());
        QCOMPARE(store->history(b->id).size(), 3);
        QVERIFY(store->session(a->id, QStringLiteral("alice"))); // the session itself stays
        // seq is never reused, so an old seq a client still holds cannot name a new entry.
        const auto next = store->append(a->id, EntryKind::Eval, QStringLiteral("n"), {}, 0, {});
        QVERIFY(next);
        QCOMPARE(*next, 4);
        QVERIFY(!store->clearHistory(QStringLiteral("nope")));
    }

    void removedCodeDoesNotLingerInTheFile_data()
    {
        QTest::addColumn<bool>("purge");
        QTest::addRow("cleared history is erased from the file") << false;
        QTest::addRow("a purged session's history is erased from the file") << true;
    }
    void removedCodeDoesNotLingerInTheFile()
    {
        QFETCH(bool, purge);
        const QByteArray secret("secret_password_4f1d9c");
        {
            auto store = openStore(m_path);
            QVERIFY(store);
            const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
            QVERIFY(s);
            for (int i = 0; i < 20; ++i) {
                const QString code =
                    QStringLiteral("pw = '%1' # %2").arg(QString::fromLatin1(secret)).arg(i);
                QVERIFY(store->append(s->id, EntryKind::Eval, code, {}, 0, {}));
            }
            if (purge) {
                QVERIFY(store->touch(s->id, 0));
                QCOMPARE(store->purgeIdle(1000, QDateTime::currentMSecsSinceEpoch()), 1);
            } else {
                QVERIFY(store->clearHistory(s->id));
            }
        } // the last connection checkpoints the WAL into the file and removes it
        QVERIFY(!QFile::exists(m_path + QStringLiteral("-wal")));
        QFile file(m_path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QVERIFY(!file.readAll().contains(secret));
    }

    void persistenceAcrossReopen()
    {
        const qint64 touchedAt = QDateTime::currentMSecsSinceEpoch() + 5000;
        QString id;
        QList<HistoryRecord> before;
        {
            auto store = openStore(m_path);
            QVERIFY(store);
            const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
            QVERIFY(s);
            id = s->id;
            const auto e = store->append(id, EntryKind::Eval, QStringLiteral("input()"), {}, 0, {});
            QVERIFY(e);
            QVERIFY(store->append(id, EntryKind::Input, QStringLiteral("5\n"), {}, *e, {}));
            QVERIFY(store->setStatus(id, *e, QStringLiteral("ok")));
            QVERIFY(store->setClosed(id, true));
            QVERIFY(store->touch(id, touchedAt));
            before = store->history(id);
        }
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->session(id, QStringLiteral("alice"));
        QVERIFY(s);
        QVERIFY(s->closed);
        QCOMPARE(s->lastUsedMs, touchedAt);
        const QList<HistoryRecord> after = store->history(id);
        QCOMPARE(after.size(), 2);
        for (int i = 0; i < after.size(); ++i) {
            QCOMPARE(after[i].seq, before[i].seq);
            QCOMPARE(after[i].kind, before[i].kind);
            QCOMPARE(after[i].code, before[i].code);
            QCOMPARE(after[i].status, before[i].status);
            QCOMPARE(after[i].parentSeq, before[i].parentSeq);
            QCOMPARE(after[i].atMs, before[i].atMs);
        }
        QCOMPARE(after[0].status, QStringLiteral("ok"));
        QCOMPARE(store->append(id, EntryKind::Eval, QStringLiteral("x"), {}, 0, {}).value_or(0), 3);
        QVERIFY(store->setClosed(id, false));
        QVERIFY(!store->session(id, QStringLiteral("alice"))->closed);
    }

    void migrationFromV1()
    {
        QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
        // The schema exactly as version 1 shipped it, with data, written without the Store.
        QVERIFY(runRaw(
            m_path,
            {QStringLiteral("CREATE TABLE sessions (id TEXT PRIMARY KEY NOT NULL,"
                            " owner TEXT NOT NULL, language TEXT NOT NULL,"
                            " created_ms INTEGER NOT NULL, last_used_ms INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE history (session_id TEXT NOT NULL"
                            " REFERENCES sessions(id) ON DELETE CASCADE, seq INTEGER NOT NULL,"
                            " code TEXT NOT NULL, status TEXT NOT NULL, at_ms INTEGER NOT NULL,"
                            " PRIMARY KEY (session_id, seq))"),
             QStringLiteral("CREATE INDEX sessions_last_used ON sessions(last_used_ms)"),
             QStringLiteral("INSERT INTO sessions VALUES ('s1', 'alice', 'python', 100, 200)"),
             QStringLiteral("INSERT INTO sessions VALUES ('s2', 'bob', 'python', 100, 300)"),
             QStringLiteral("INSERT INTO history VALUES ('s1', 1, 'x = 1', 'ok', 110)"),
             QStringLiteral("INSERT INTO history VALUES ('s1', 2, 'y', 'error', 120)"),
             QStringLiteral("INSERT INTO history VALUES ('s1', 3, 'x', 'ok', 130)"),
             QStringLiteral("PRAGMA user_version = 1")}));

        auto store = openStore(m_path);
        QVERIFY(store);
        const QString conn = store->connectionName();
        QCOMPARE(scalar(conn, QStringLiteral("PRAGMA user_version")).toInt(),
                 Store::schemaVersion());
        QVERIFY(Store::schemaVersion() >= 2);

        const auto s1 = store->session(QStringLiteral("s1"), QStringLiteral("alice"));
        QVERIFY(s1);
        QCOMPARE(s1->language, QStringLiteral("python"));
        QCOMPARE(s1->createdMs, 100);
        QCOMPARE(s1->lastUsedMs, 200);
        QVERIFY(!s1->closed);
        QVERIFY(!store->session(QStringLiteral("s1"), QStringLiteral("bob")));

        const QList<HistoryRecord> h = store->history(QStringLiteral("s1"));
        QCOMPARE(h.size(), 3);
        QCOMPARE(h[1].code, QStringLiteral("y"));
        QCOMPARE(h[1].status, QStringLiteral("error"));
        QCOMPARE(h[1].atMs, 120);
        for (const HistoryRecord &r : h) {
            QCOMPARE(r.kind, EntryKind::Eval);
            QCOMPARE(r.parentSeq, 0);
        }
        // Numbering continues after the migrated entries; a session without history starts at 1.
        QCOMPARE(
            store->append(QStringLiteral("s1"), EntryKind::Eval, QStringLiteral("z"), {}, 0, {})
                .value_or(0),
            4);
        QCOMPARE(
            store->append(QStringLiteral("s2"), EntryKind::Eval, QStringLiteral("z"), {}, 0, {})
                .value_or(0),
            1);
        QCOMPARE(
            store->append(QStringLiteral("s1"), EntryKind::Input, QStringLiteral("i"), {}, 4, {})
                .value_or(0),
            5);
        store.reset();
        // Reopening a current file changes nothing.
        store = openStore(m_path);
        QVERIFY(store);
        QCOMPARE(store->history(QStringLiteral("s1")).size(), 5);
    }

    void newerSchemaIsRefused()
    {
        QVERIFY(openStore(m_path));
        QVERIFY(runRaw(m_path, {QStringLiteral("PRAGMA user_version = 99")}));
        Store store;
        QString error;
        QVERIFY(!store.open(m_path, &error));
        QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
        QVERIFY(!store.isOpen());
        QVERIFY(!store.createSession(QStringLiteral("a"), QStringLiteral("py"), nullptr));
    }

    void purgeIdle_data()
    {
        QTest::addColumn<qint64>("idleMs");
        QTest::addColumn<bool>("closed");
        QTest::addColumn<qint64>("retentionMs");
        QTest::addColumn<bool>("removed");
        QTest::addRow("an open session idle past retention is removed")
            << qint64(10000) << false << qint64(5000) << true;
        QTest::addRow("a closed session idle past retention is removed")
            << qint64(10000) << true << qint64(5000) << true;
        QTest::addRow("a session used within retention is kept")
            << qint64(1000) << false << qint64(5000) << false;
        QTest::addRow("a closed session within retention is kept")
            << qint64(1000) << true << qint64(5000) << false;
        QTest::addRow("a session idle exactly the retention time is kept")
            << qint64(5000) << false << qint64(5000) << false;
    }
    void purgeIdle()
    {
        QFETCH(qint64, idleMs);
        QFETCH(bool, closed);
        QFETCH(qint64, retentionMs);
        QFETCH(bool, removed);
        auto store = openStore(m_path);
        QVERIFY(store);
        // A "now" well after the appends' wall-clock times, so only touch() decides.
        const qint64 now = QDateTime::currentMSecsSinceEpoch() + 24 * 3600 * 1000;
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        const auto active = store->createSession(QStringLiteral("bob"), QStringLiteral("py"), {});
        QVERIFY(s && active);
        for (int i = 0; i < 3; ++i)
            QVERIFY(store->append(s->id, EntryKind::Eval, QStringLiteral("x"), {}, 0, {}));
        QVERIFY(store->append(active->id, EntryKind::Eval, QStringLiteral("y"), {}, 0, {}));
        QVERIFY(store->setClosed(s->id, closed));
        QVERIFY(store->touch(s->id, now - idleMs));
        QVERIFY(store->touch(active->id, now));

        QCOMPARE(store->purgeIdle(retentionMs, now), removed ? 1 : 0);
        QCOMPARE(store->session(s->id, QStringLiteral("alice")).has_value(), !removed);
        const QVariant left = scalar(store->connectionName(),
                                     QStringLiteral("SELECT COUNT(*) FROM history"
                                                    " WHERE session_id = ?"),
                                     {s->id});
        QCOMPARE(left.toInt(), removed ? 0 : 3);
        QVERIFY(store->session(active->id, QStringLiteral("bob")));
        QCOMPARE(store->history(active->id).size(), 1);
        QCOMPARE(store->sessionCount(), removed ? 1 : 2);
        QCOMPARE(store->purgeIdle(-1, now), -1);
    }

    void appendingKeepsASessionAlive()
    {
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        QVERIFY(store->touch(s->id, 0));
        QVERIFY(store->append(s->id, EntryKind::Eval, QStringLiteral("x"), {}, 0, {}));
        QCOMPARE(store->purgeIdle(60000, QDateTime::currentMSecsSinceEpoch()), 0);
        QVERIFY(store->session(s->id, QStringLiteral("alice")));
    }

    // Tests run as root, where chmod does not stop writes. The file and directory are made
    // read-only anyway (that is the real case for a non-root server), and the read-only state is
    // forced in SQLite itself: SQLITE_OPEN_READONLY at open, or PRAGMA query_only switched on
    // under a store that opened writable (a disk turning read-only while the server runs).
    void readOnlyDatabaseGivesCleanErrors_data()
    {
        QTest::addColumn<bool>("openReadOnly");
        QTest::addRow("a store opened read-only refuses writes with a message") << true;
        QTest::addRow("a store whose database turns read-only refuses writes with a message")
            << false;
    }
    void readOnlyDatabaseGivesCleanErrors()
    {
        QFETCH(bool, openReadOnly);
        QString id;
        qint64 seq = 0;
        {
            auto store = openStore(m_path);
            QVERIFY(store);
            const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
            QVERIFY(s);
            id = s->id;
            seq = store->append(id, EntryKind::Eval, QStringLiteral("x"), {}, 0, {}).value_or(0);
            QVERIFY(seq > 0);
        }
        const QString dir = QFileInfo(m_path).absolutePath();
        QVERIFY(QFile::setPermissions(m_path, QFile::ReadOwner | QFile::ReadGroup));
        QVERIFY(QFile::setPermissions(dir, QFile::ReadOwner | QFile::ExeOwner));
        auto restore = qScopeGuard([&] {
            QFile::setPermissions(dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
            QFile::setPermissions(m_path, QFile::ReadOwner | QFile::WriteOwner);
        });

        StoreOptions options;
        options.readOnly = openReadOnly;
        auto store = openStore(m_path, options);
        QVERIFY(store);
        if (!openReadOnly) {
            QSqlDatabase db = QSqlDatabase::database(store->connectionName(), false);
            QVERIFY(QSqlQuery(db).exec(QStringLiteral("PRAGMA query_only = ON")));
        }

        // Reading still works.
        QVERIFY(store->session(id, QStringLiteral("alice")));
        QCOMPARE(store->history(id).size(), 1);

        QString error;
        QVERIFY(!store->createSession(QStringLiteral("bob"), QStringLiteral("py"), &error));
        QVERIFY(!error.isEmpty());
        error.clear();
        QVERIFY(!store->append(id, EntryKind::Eval, QStringLiteral("y"), {}, 0, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!store->setStatus(id, seq, QStringLiteral("ok")));
        QVERIFY(!store->touch(id, 1));
        QVERIFY(!store->setClosed(id, true));
        QVERIFY(!store->clearHistory(id));
        QCOMPARE(store->purgeIdle(0, QDateTime::currentMSecsSinceEpoch() + 1000), -1);
        QVERIFY(!store->lastError().isEmpty());

        QCOMPARE(store->history(id).size(), 1);
        QCOMPARE(store->sessionCount(), 1);
    }

    void readOnlyStoreDoesNotMigrate()
    {
        QVERIFY(QDir().mkpath(QFileInfo(m_path).absolutePath()));
        QVERIFY(runRaw(m_path, {QStringLiteral("CREATE TABLE t (x)"),
                                QStringLiteral("PRAGMA user_version = 1")}));
        StoreOptions options;
        options.readOnly = true;
        Store store;
        QString error;
        QVERIFY(!store.open(m_path, options, &error));
        QVERIFY2(error.contains(QLatin1String("read-only")), qPrintable(error));
    }

    void openFailsCleanly_data()
    {
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("readOnly");
        QTest::addRow("a directory as the database path fails") << QStringLiteral("<dir>") << false;
        QTest::addRow("a path below a regular file fails")
            << QStringLiteral("<file>/store.db") << false;
        QTest::addRow("read-only open of a missing file fails")
            << QStringLiteral("<dir>/missing.db") << true;
    }
    void openFailsCleanly()
    {
        QFETCH(QString, path);
        QFETCH(bool, readOnly);
        const QString dir = QFileInfo(m_path).absolutePath();
        QVERIFY(QDir().mkpath(dir));
        const QString file = dir + QStringLiteral("/plain");
        QFile plain(file);
        QVERIFY(plain.open(QIODevice::WriteOnly));
        plain.close();
        path.replace(QStringLiteral("<dir>"), dir).replace(QStringLiteral("<file>"), file);

        StoreOptions options;
        options.readOnly = readOnly;
        Store store;
        QString error;
        QVERIFY(!store.open(path, options, &error));
        QVERIFY(!error.isEmpty());
        QVERIFY(!store.isOpen());
        QVERIFY(!store.createSession(QStringLiteral("a"), QStringLiteral("py"), nullptr));
        QVERIFY(!store.append(QStringLiteral("x"), EntryKind::Eval, {}, {}, 0, nullptr));
        QVERIFY(store.history(QStringLiteral("x")).isEmpty());
        QCOMPARE(store.sessionCount(), -1);
        QCOMPARE(store.purgeIdle(0, 0), -1);
    }

    // Two threads, each with its own Store on the same file, append to one shared session and
    // close and reopen their store every 50 appends while a third store stays open throughout.
    void concurrentWritersAndReopen()
    {
        auto main = openStore(m_path);
        QVERIFY(main);
        const auto shared = main->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(shared);
        constexpr int perThread = 200;
        const QString path = m_path;
        const QString id = shared->id;
        QStringList errors[2];
        auto worker = [&](int index) {
            std::unique_ptr<Store> store;
            for (int i = 0; i < perThread; ++i) {
                if (i % 50 == 0) {
                    store = std::make_unique<Store>(); // the old one is closed right here
                    QString error;
                    if (!store->open(path, &error)) {
                        errors[index] << QStringLiteral("open: ") + error;
                        return;
                    }
                }
                QString error;
                const QString code = QStringLiteral("t%1-%2").arg(index).arg(i);
                if (!store->append(id, EntryKind::Eval, code, {}, 0, &error))
                    errors[index] << error;
            }
        };
        std::unique_ptr<QThread> threads[2] = {
            std::unique_ptr<QThread>(QThread::create(worker, 0)),
            std::unique_ptr<QThread>(QThread::create(worker, 1))};
        for (auto &thread : threads)
            thread->start();
        for (auto &thread : threads)
            QVERIFY(thread->wait(QDeadlineTimer(90000)));
        QVERIFY2(errors[0].isEmpty(), qPrintable(errors[0].join(u'\n')));
        QVERIFY2(errors[1].isEmpty(), qPrintable(errors[1].join(u'\n')));

        const QList<HistoryRecord> h = main->history(id);
        QCOMPARE(h.size(), 2 * perThread);
        int nextOf[2] = {0, 0};
        for (int i = 0; i < h.size(); ++i) {
            QCOMPARE(h[i].seq, i + 1); // no gaps, no duplicates
            const QStringList parts = h[i].code.mid(1).split(u'-');
            QCOMPARE(parts.size(), 2);
            const int t = parts[0].toInt();
            QCOMPARE(parts[1].toInt(), nextOf[t]++); // each writer's entries in its own order
        }
        QCOMPARE(nextOf[0], perThread);
        QCOMPARE(nextOf[1], perThread);
    }

    void filesArePrivateAndCloseOnExec()
    {
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        QVERIFY(store->append(s->id, EntryKind::Eval, QStringLiteral("x"), {}, 0, {}));
        QCOMPARE(fileMode(m_path), 0600);
        QCOMPARE(fileMode(m_path + QStringLiteral("-wal")), 0600);

        const QString canonical = QFileInfo(m_path).canonicalFilePath();
        int seen = 0;
        const QDir fds(QStringLiteral("/proc/self/fd"));
        for (const QString &name :
             fds.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
            const QString target = QFile::symLinkTarget(fds.filePath(name));
            if (!target.startsWith(canonical))
                continue;
            const int flags = ::fcntl(name.toInt(), F_GETFD);
            QVERIFY2(flags >= 0 && (flags & FD_CLOEXEC), qPrintable(target));
            ++seen;
        }
        QVERIFY2(seen >= 2, "expected the database and its WAL to be open"); // db, -wal, -shm
    }

    void inMemoryStoreCreatesNoFile()
    {
        const QString cwdFile = QDir::current().filePath(QStringLiteral(":memory:"));
        const bool existedBefore = QFile::exists(cwdFile);
        Store store;
        QString error;
        QVERIFY2(store.open(QStringLiteral(":memory:"), &error), qPrintable(error));
        const auto s = store.createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        QCOMPARE(store.append(s->id, EntryKind::Eval, QStringLiteral("x"), {}, 0, {}).value_or(0),
                 1);
        QCOMPARE(QFile::exists(cwdFile), existedBefore);
    }

    void connectionNamesAreUniqueAndRemoved()
    {
        QString names[2];
        {
            Store a;
            Store b;
            QVERIFY(a.open(m_path, nullptr));
            QVERIFY(b.open(m_path, nullptr));
            names[0] = a.connectionName();
            names[1] = b.connectionName();
            QVERIFY(names[0] != names[1]);
            QVERIFY(QSqlDatabase::connectionNames().contains(names[0]));
            QVERIFY(QSqlDatabase::connectionNames().contains(names[1]));
            QString error;
            QVERIFY(!a.open(m_path, &error)); // a second open() is refused, not a leak
            QVERIFY(!error.isEmpty());
            QVERIFY(a.isOpen()); // ... and leaves the open store working
            QVERIFY(a.createSession(QStringLiteral("alice"), QStringLiteral("py"), nullptr));
            QCOMPARE(b.sessionCount(), 1);
            Store never;
        }
        QVERIFY(!QSqlDatabase::connectionNames().contains(names[0]));
        QVERIFY(!QSqlDatabase::connectionNames().contains(names[1]));
    }

    // Not a timed assertion: the figure goes to the log (and the report).
    void thousandAppendsAreMeasured_data()
    {
        QTest::addColumn<int>("durability");
        QTest::addColumn<int>("count");
        QTest::addRow("1000 appends, synchronous=NORMAL") << int(Durability::ProcessCrash) << 1000;
        QTest::addRow("200 appends, synchronous=FULL") << int(Durability::PowerLoss) << 200;
    }
    void thousandAppendsAreMeasured()
    {
        QFETCH(int, durability);
        QFETCH(int, count);
        StoreOptions options;
        options.durability = Durability(durability);
        auto store = openStore(m_path, options);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        const QString code = QStringLiteral("print('hello, world')  # a typical REPL line");
        QElapsedTimer timer;
        const qint64 cpuBefore = cpuMicros();
        timer.start();
        for (int i = 0; i < count; ++i)
            QVERIFY(store->append(s->id, EntryKind::Eval, code, QStringLiteral("ok"), 0, {}));
        const qint64 ns = timer.nsecsElapsed();
        const qint64 cpu = cpuMicros() - cpuBefore;
        qDebug("%d appends: %.1f ms wall, %.1f us wall and %.1f us CPU per append", count,
               double(ns) / 1e6, double(ns) / 1e3 / count, double(cpu) / count);
        QCOMPARE(store->history(s->id).size(), count);
    }
};

QTEST_GUILESS_MAIN(TestStore)
#include "tst_store.moc"
