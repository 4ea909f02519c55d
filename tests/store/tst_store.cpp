#include "store.h"
#include "storetestsupport.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QTest>

#include <sys/resource.h>

// The Store's API: sessions, ownership, history, status, restart, retention, append cost.
// The file itself (migrations, modes, read-only, several connections) is tst_storefile.

using namespace coderoom::store;
using namespace coderoom::store::testing;

namespace {

qint64 cpuMicros()
{
    rusage usage = {};
    ::getrusage(RUSAGE_SELF, &usage);
    return qint64(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000 +
           usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

const QRegularExpression s_sessionId(QStringLiteral("^[0-9a-f]{32}$"));

} // namespace

class TestStore : public StoreTestCase
{
    Q_OBJECT

private slots:
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

    void appendWithinAMinuteOfUseLeavesLastUsedAlone()
    {
        // last_used_ms is indexed; an append rewrites it only when it is a minute behind.
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        const qint64 recent = QDateTime::currentMSecsSinceEpoch() - 30 * 1000;
        QVERIFY(store->touch(s->id, recent));
        QVERIFY(store->append(s->id, EntryKind::Eval, QStringLiteral("x"), {}, 0, {}));
        QCOMPARE(store->session(s->id, QStringLiteral("alice"))->lastUsedMs, recent);
        const qint64 stale = QDateTime::currentMSecsSinceEpoch() - 61 * 1000;
        QVERIFY(store->touch(s->id, stale));
        QVERIFY(store->append(s->id, EntryKind::Eval, QStringLiteral("y"), {}, 0, {}));
        QVERIFY(store->session(s->id, QStringLiteral("alice"))->lastUsedMs > stale + 60 * 1000);
    }

    // A session manager numbers cells in memory and writes them while they run (appendAt).
    void appendAtNumbersAsTheCallerSays_data()
    {
        QTest::addColumn<QList<qint64>>("seqs");     // appendAt, in this order
        QTest::addColumn<qint64>("nextAfter");       // what append() numbers next
        QTest::addColumn<QList<qint64>>("inHistory"); // by seq
        QTest::addRow("the next numbers in turn") << QList<qint64>{1, 2, 3} << qint64(4)
                                                  << QList<qint64>{1, 2, 3};
        QTest::addRow("a gap (a failed write) is left alone")
            << QList<qint64>{1, 3} << qint64(4) << QList<qint64>{1, 3};
        QTest::addRow("written out of order, numbering continues after the largest")
            << QList<qint64>{2, 1} << qint64(3) << QList<qint64>{1, 2};
    }
    void appendAtNumbersAsTheCallerSays()
    {
        QFETCH(QList<qint64>, seqs);
        QFETCH(qint64, nextAfter);
        QFETCH(QList<qint64>, inHistory);
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        QCOMPARE(store->nextSeq(s->id, nullptr), std::optional<qint64>(1));
        for (qint64 seq : seqs) {
            QString error;
            QVERIFY2(store->appendAt(s->id, seq, EntryKind::Eval, QStringLiteral("x = %1").arg(seq),
                                     QStringLiteral("running"), 0, &error),
                     qPrintable(error));
        }
        QCOMPARE(store->nextSeq(s->id, nullptr), std::optional<qint64>(nextAfter));
        QList<qint64> got;
        for (const HistoryRecord &h : store->history(s->id)) {
            QCOMPARE(h.code, QStringLiteral("x = %1").arg(h.seq));
            got.append(h.seq);
        }
        QCOMPARE(got, inHistory);
        QCOMPARE(store->append(s->id, EntryKind::Eval, QStringLiteral("y"), {}, 0, nullptr),
                 std::optional<qint64>(nextAfter));
    }

    void appendAtRefusesWhatAppendRefuses_data()
    {
        QTest::addColumn<qint64>("seq");
        QTest::addColumn<int>("kind");
        QTest::addColumn<qint64>("parent");
        QTest::addColumn<bool>("unknownSession");
        QTest::addRow("a seq already used") << qint64(1) << int(EntryKind::Eval) << qint64(0)
                                            << false;
        QTest::addRow("seq 0") << qint64(0) << int(EntryKind::Eval) << qint64(0) << false;
        QTest::addRow("an input whose parent is not an eval")
            << qint64(3) << int(EntryKind::Input) << qint64(2) << false;
        QTest::addRow("an input without a parent")
            << qint64(3) << int(EntryKind::Input) << qint64(0) << false;
        QTest::addRow("an unknown session") << qint64(3) << int(EntryKind::Eval) << qint64(0)
                                            << true;
    }
    void appendAtRefusesWhatAppendRefuses()
    {
        QFETCH(qint64, seq);
        QFETCH(int, kind);
        QFETCH(qint64, parent);
        QFETCH(bool, unknownSession);
        auto store = openStore(m_path);
        QVERIFY(store);
        const auto s = store->createSession(QStringLiteral("alice"), QStringLiteral("py"), {});
        QVERIFY(s);
        QVERIFY(store->appendAt(s->id, 1, EntryKind::Eval, QStringLiteral("a"), {}, 0, nullptr));
        QVERIFY(store->appendAt(s->id, 2, EntryKind::Input, QStringLiteral("b"), {}, 1, nullptr));
        QString error;
        QVERIFY(!store->appendAt(unknownSession ? QStringLiteral("nope") : s->id, seq,
                                 EntryKind(kind), QStringLiteral("c"), {}, parent, &error));
        QVERIFY(!error.isEmpty());
        // Nothing half-written, and the store still takes the next entry.
        QCOMPARE(store->history(s->id).size(), 2);
        QCOMPARE(store->nextSeq(s->id, nullptr), std::optional<qint64>(3));
        QVERIFY(store->appendAt(s->id, 3, EntryKind::Eval, QStringLiteral("d"), {}, 0, &error));
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
