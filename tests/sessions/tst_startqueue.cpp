// Who starts next among sessions waiting for an interpreter: round robin across users.
#include "startqueue.h"

#include <QTest>

using namespace coderoom::sessions;
using namespace Qt::StringLiterals;

namespace {

// "session:user" pairs, pushed in order.
StartQueue queueOf(const QStringList &specs)
{
    StartQueue q;
    for (const QString &spec : specs)
        q.push(spec.section(u':', 0, 0), spec.section(u':', 1, 1));
    return q;
}

} // namespace

class TestStartQueue : public QObject
{
    Q_OBJECT
private slots:
    void startOrder_data();
    void startOrder();
    void positionPredictsTheOrder_data();
    void positionPredictsTheOrder();
    void removeKeepsTheOthersInPlace();
    void pushingTwiceKeepsTheFirstPlace();
};

void TestStartQueue::startOrder_data()
{
    QTest::addColumn<QStringList>("pushed");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("one user starts in arrival order")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"a3:a"_s} << QStringList{u"a1"_s, u"a2"_s, u"a3"_s};
    QTest::addRow("a user with many tabs takes one start per round")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"a3:a"_s, u"b1:b"_s, u"c1:c"_s, u"c2:c"_s}
        << QStringList{u"a1"_s, u"b1"_s, u"c1"_s, u"a2"_s, u"c2"_s, u"a3"_s};
    QTest::addRow("nothing waiting gives nothing") << QStringList{} << QStringList{};
}

void TestStartQueue::startOrder()
{
    QFETCH(QStringList, pushed);
    QFETCH(QStringList, expected);
    StartQueue q = queueOf(pushed);
    QStringList got;
    while (!q.isEmpty())
        got << q.takeNext();
    QCOMPARE(got, expected);
    QVERIFY(q.takeNext().isEmpty());
}

void TestStartQueue::positionPredictsTheOrder_data()
{
    QTest::addColumn<QStringList>("pushed");
    QTest::addRow("three users, uneven")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"a3:a"_s, u"b1:b"_s, u"c1:c"_s, u"c2:c"_s};
    QTest::addRow("late arrival of a first-time user")
        << QStringList{u"a1:a"_s, u"a2:a"_s, u"b1:b"_s, u"b2:b"_s, u"b3:b"_s, u"d1:d"_s};
}

void TestStartQueue::positionPredictsTheOrder()
{
    QFETCH(QStringList, pushed);
    StartQueue q = queueOf(pushed);
    // The position of each session equals the number started before it.
    QHash<QString, int> predicted;
    for (const QString &spec : std::as_const(pushed))
        predicted.insert(spec.section(u':', 0, 0), q.position(spec.section(u':', 0, 0)));
    int started = 0;
    while (!q.isEmpty()) {
        const QString next = q.takeNext();
        QCOMPARE(predicted.value(next), started);
        ++started;
    }
    QCOMPARE(q.position(u"a1"_s), -1);
}

void TestStartQueue::removeKeepsTheOthersInPlace()
{
    StartQueue q = queueOf({u"a1:a"_s, u"b1:b"_s, u"b2:b"_s, u"c1:c"_s});
    q.remove(u"b1"_s);
    q.remove(u"nope"_s);
    QCOMPARE(q.size(), 3);
    QCOMPARE(q.position(u"c1"_s), 2); // a1, b2, then c1
    QCOMPARE(q.takeNext(), u"a1"_s);
    QCOMPARE(q.takeNext(), u"b2"_s);
    QCOMPARE(q.takeNext(), u"c1"_s);
    QVERIFY(q.isEmpty());
}

void TestStartQueue::pushingTwiceKeepsTheFirstPlace()
{
    StartQueue q = queueOf({u"a1:a"_s, u"b1:b"_s, u"a1:a"_s});
    QCOMPARE(q.size(), 2);
    QCOMPARE(q.takeNext(), u"a1"_s);
    QCOMPARE(q.takeNext(), u"b1"_s);
}

QTEST_GUILESS_MAIN(TestStartQueue)
#include "tst_startqueue.moc"
