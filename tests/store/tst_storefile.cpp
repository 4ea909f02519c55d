#include "store.h"
#include "storetestsupport.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

// The Store's file: what survives a reopen, schema migrations and refusals, read-only files and
// disks, several connections at once, file modes and descriptors, connection names.
// The API on one connection is tst_store.

using namespace coderoom::store;
using namespace coderoom::store::testing;

namespace {

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

int fileMode(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return static_cast<int>(st.st_mode & 0777);
}

} // namespace

class TestStoreFile : public StoreTestCase
{
    Q_OBJECT

private slots:
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
};

QTEST_GUILESS_MAIN(TestStoreFile)
#include "tst_storefile.moc"
