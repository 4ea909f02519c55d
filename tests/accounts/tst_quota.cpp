#include "hellolimiter.h"
#include "quotatracker.h"

#include <QTest>

using namespace coderoom::accounts;

class TstQuota : public QObject
{
    Q_OBJECT

private slots:
    void jobsPerMinuteWindow_data();
    void jobsPerMinuteWindow();
    void refusalSaysHowLongToWait();
    void activeJobsCap();
    void classCap();
    void perUserLimitsOverrideDefaults();
    void sessionCap_data();
    void sessionCap();
    void idleUsersAreForgotten();

    void helloBackoff_data();
    void helloBackoff();
    void helloBackoffGrows();
    void helloSuccessClears();
    void helloGroupsAddresses_data();
    void helloGroupsAddresses();
    void helloMemoryIsCapped();
};

// Starts `before` jobs at t=0..before-1 ms, jumps to `at` ms and asks once more.
void TstQuota::jobsPerMinuteWindow_data()
{
    QTest::addColumn<int>("perMinute");
    QTest::addColumn<int>("before");
    QTest::addColumn<qint64>("at");
    QTest::addColumn<bool>("allowed");
    QTest::addRow("the first job is allowed") << 60 << 0 << qint64(0) << true;
    QTest::addRow("the 60th job in a minute is allowed") << 60 << 59 << qint64(100) << true;
    QTest::addRow("the 61st job in a minute is refused") << 60 << 60 << qint64(100) << false;
    QTest::addRow("still refused just before the oldest leaves the window")
        << 60 << 60 << qint64(59999) << false;
    QTest::addRow("allowed once the oldest start is 60 s old") << 60 << 60 << qint64(60000) << true;
    QTest::addRow("a limit of 0 refuses everything") << 0 << 0 << qint64(0) << false;
    QTest::addRow("a limit of 1 allows one per minute") << 1 << 1 << qint64(30000) << false;
}

void TstQuota::jobsPerMinuteWindow()
{
    QFETCH(int, perMinute);
    QFETCH(int, before);
    QFETCH(qint64, at);
    QFETCH(bool, allowed);
    qint64 now = 0;
    UserLimits limits;
    limits.jobsPerMinute = perMinute;
    limits.activeJobs = 1000;
    QuotaTracker quota(limits, [&] { return now; });
    QString why;
    for (int i = 0; i < before; ++i) {
        now = i;
        QVERIFY2(quota.allowJob(QStringLiteral("alice"), QString(), &why), qPrintable(why));
    }
    now = at;
    why.clear();
    QCOMPARE(quota.allowJob(QStringLiteral("alice"), QString(), &why), allowed);
    QCOMPARE(why.isEmpty(), allowed);
    // Another user is never affected by alice's window.
    if (perMinute > 0)
        QVERIFY(quota.allowJob(QStringLiteral("bob"), QString(), &why));
}

void TstQuota::refusalSaysHowLongToWait()
{
    qint64 now = 0;
    UserLimits limits;
    limits.jobsPerMinute = 60; // pinned here: the sentence below names the number
    QuotaTracker quota(limits, [&] { return now; });
    QString why;
    for (int i = 0; i < 60; ++i)
        QVERIFY(quota.allowJob(QStringLiteral("alice"), QString(), &why));
    now = 48000; // the oldest start leaves the window at 60 s: 12 s from now
    QVERIFY(!quota.allowJob(QStringLiteral("alice"), QString(), &why));
    QCOMPARE(why, QStringLiteral("You have started 60 programs in the last minute; wait 12 s."));
    now = 59999; // rounds up, never "wait 0 s"
    QVERIFY(!quota.allowJob(QStringLiteral("alice"), QString(), &why));
    QVERIFY2(why.endsWith(QLatin1String("wait 1 s.")), qPrintable(why));
}

void TstQuota::activeJobsCap()
{
    qint64 now = 0;
    QuotaTracker quota(UserLimits{4, 2, 60}, [&] { return now; });
    QString why;
    const QString alice = QStringLiteral("alice");
    QVERIFY(quota.allowJob(alice, QString(), &why));
    quota.jobStarted(alice);
    QVERIFY(quota.allowJob(alice, QString(), &why));
    quota.jobStarted(alice);
    QCOMPARE(quota.activeJobs(alice), 2);
    QVERIFY(!quota.allowJob(alice, QString(), &why));
    QCOMPARE(why, QStringLiteral("You already have 2 programs running or waiting; wait for one "
                                 "to finish."));
    quota.jobFinished(alice);
    QVERIFY2(quota.allowJob(alice, QString(), &why), qPrintable(why));
    quota.jobFinished(alice);
    quota.jobFinished(alice); // unmatched: ignored, never negative
    QCOMPARE(quota.activeJobs(alice), 0);
}

void TstQuota::classCap()
{
    qint64 now = 0;
    QuotaTracker quota(UserLimits{}, [&] { return now; });
    quota.setClassJobsPerMinute(QStringLiteral("7b"), 3);
    QString why;
    QVERIFY(quota.allowJob(QStringLiteral("a"), QStringLiteral("7b"), &why));
    QVERIFY(quota.allowJob(QStringLiteral("b"), QStringLiteral("7b"), &why));
    now = 10000;
    QVERIFY(quota.allowJob(QStringLiteral("c"), QStringLiteral("7b"), &why));
    QVERIFY(!quota.allowJob(QStringLiteral("d"), QStringLiteral("7b"), &why));
    QCOMPARE(why, QStringLiteral("Your class 7b has started 3 programs in the last minute; "
                                 "wait 50 s."));
    // Another class and classless users are not limited by 7b.
    QVERIFY(quota.allowJob(QStringLiteral("d"), QStringLiteral("8a"), &why));
    QVERIFY(quota.allowJob(QStringLiteral("d"), QString(), &why));
    now = 60000; // the two starts at 0 left the window
    QVERIFY2(quota.allowJob(QStringLiteral("d"), QStringLiteral("7b"), &why), qPrintable(why));
    // A refused start is not counted against the user.
    QuotaTracker fresh(UserLimits{4, 8, 1}, [&] { return now; });
    fresh.setDefaultClassJobsPerMinute(1);
    QVERIFY(fresh.allowJob(QStringLiteral("x"), QStringLiteral("c1"), &why));
    QVERIFY(!fresh.allowJob(QStringLiteral("y"), QStringLiteral("c1"), &why));
    QVERIFY(fresh.allowJob(QStringLiteral("y"), QStringLiteral("c2"), &why));
}

void TstQuota::perUserLimitsOverrideDefaults()
{
    qint64 now = 0;
    QuotaTracker quota(UserLimits{4, 8, 2}, [&] { return now; });
    quota.setLimits(QStringLiteral("teacher"), UserLimits{10, 20, 5});
    QString why;
    for (int i = 0; i < 5; ++i)
        QVERIFY(quota.allowJob(QStringLiteral("teacher"), QString(), &why));
    QVERIFY(!quota.allowJob(QStringLiteral("teacher"), QString(), &why));
    QVERIFY(quota.allowJob(QStringLiteral("student"), QString(), &why));
    QVERIFY(quota.allowJob(QStringLiteral("student"), QString(), &why));
    QVERIFY(!quota.allowJob(QStringLiteral("student"), QString(), &why));
    QCOMPARE(quota.limits(QStringLiteral("teacher")).liveSessions, 10);
    QCOMPARE(quota.limits(QStringLiteral("nobody")), (UserLimits{4, 8, 2}));
}

void TstQuota::sessionCap_data()
{
    QTest::addColumn<int>("max");
    QTest::addColumn<int>("live");
    QTest::addColumn<bool>("allowed");
    QTest::addRow("no session open: allowed") << 4 << 0 << true;
    QTest::addRow("one below the cap: allowed") << 4 << 3 << true;
    QTest::addRow("at the cap: refused") << 4 << 4 << false;
    QTest::addRow("a cap of 0 refuses every session") << 0 << 0 << false;
}

void TstQuota::sessionCap()
{
    QFETCH(int, max);
    QFETCH(int, live);
    QFETCH(bool, allowed);
    QuotaTracker quota(UserLimits{max, 8, 60}, [] { return qint64(0); });
    QString why;
    QCOMPARE(quota.allowSession(QStringLiteral("alice"), live, &why), allowed);
    QCOMPARE(why.isEmpty(), allowed);
    if (!allowed && max > 0)
        QVERIFY2(why.contains(QLatin1String("close one first")), qPrintable(why));
}

void TstQuota::idleUsersAreForgotten()
{
    qint64 now = 0;
    QuotaTracker quota(UserLimits{}, [&] { return now; });
    QString why;
    for (int i = 0; i < 5000; ++i) {
        const QString user = QStringLiteral("guest%1").arg(i);
        QVERIFY(quota.allowJob(user, QStringLiteral("c%1").arg(i % 50), &why));
        quota.jobStarted(user);
        quota.jobFinished(user);
    }
    quota.jobStarted(QStringLiteral("busy")); // an active job keeps its user
    QVERIFY(quota.trackedUsers() >= 5000);
    now = 2 * QuotaTracker::WindowMs;
    QVERIFY(quota.allowJob(QStringLiteral("late"), QString(), &why));
    QCOMPARE(quota.trackedUsers(), 2); // "busy" and "late"
    QCOMPARE(quota.activeJobs(QStringLiteral("busy")), 1);
}

// Failures at 1 s intervals, then a question at `askAt`.
void TstQuota::helloBackoff_data()
{
    QTest::addColumn<int>("failures");
    QTest::addColumn<qint64>("askAt");
    QTest::addColumn<bool>("allowed");
    QTest::addColumn<qint64>("retryAfter");
    QTest::addRow("four failures do not block") << 4 << qint64(4000) << true << qint64(0);
    QTest::addRow("the fifth failure in a minute blocks for 30 s")
        << 5 << qint64(4000) << false << qint64(30000);
    QTest::addRow("the block counts down") << 5 << qint64(24000) << false << qint64(10000);
    QTest::addRow("the block ends after 30 s") << 5 << qint64(34000) << true << qint64(0);
}

void TstQuota::helloBackoff()
{
    QFETCH(int, failures);
    QFETCH(qint64, askAt);
    QFETCH(bool, allowed);
    QFETCH(qint64, retryAfter);
    HelloLimiter limiter;
    const QHostAddress address(QStringLiteral("192.0.2.7"));
    for (int i = 0; i < failures; ++i) {
        QVERIFY(limiter.allowed(address, i * 1000));
        limiter.recordFailure(address, i * 1000);
    }
    qint64 retry = -1;
    QCOMPARE(limiter.allowed(address, askAt, &retry), allowed);
    QCOMPARE(retry, retryAfter);
    QVERIFY(limiter.allowed(QHostAddress(QStringLiteral("192.0.2.8")), askAt));
}

void TstQuota::helloBackoffGrows()
{
    HelloLimiterConfig config;
    config.maxBackoffMs = 100 * 1000;
    HelloLimiter limiter(config);
    const QHostAddress address(QStringLiteral("198.51.100.1"));
    qint64 now = 0;
    auto block = [&] {
        for (int i = 0; i < config.maxFailures; ++i)
            limiter.recordFailure(address, now);
        qint64 retry = 0;
        limiter.allowed(address, now, &retry);
        return retry;
    };
    QCOMPARE(block(), 30000);
    now += 30000;
    QCOMPARE(block(), 60000);
    now += 60000;
    QCOMPARE(block(), 100000); // capped
    // Failures spread wider than the window never block.
    HelloLimiter patient;
    for (int i = 0; i < 20; ++i) {
        patient.recordFailure(address, i * 15000);
        QVERIFY(patient.allowed(address, i * 15000));
    }
}

void TstQuota::helloSuccessClears()
{
    HelloLimiter limiter;
    const QHostAddress address(QStringLiteral("203.0.113.9"));
    for (int i = 0; i < 4; ++i)
        limiter.recordFailure(address, i);
    limiter.recordSuccess(address);
    QCOMPARE(limiter.trackedAddresses(), 0);
    limiter.recordFailure(address, 10);
    QVERIFY(limiter.allowed(address, 11)); // one failure after the reset, not five
}

void TstQuota::helloGroupsAddresses_data()
{
    QTest::addColumn<QString>("failing");
    QTest::addColumn<QString>("other");
    QTest::addColumn<bool>("sameGroup");
    QTest::addRow("IPv6 addresses in one /64 share a limit") << "2001:db8:1:2::1"
                                                             << "2001:db8:1:2:ffff::9" << true;
    QTest::addRow("IPv6 addresses in different /64s do not") << "2001:db8:1:2::1"
                                                             << "2001:db8:1:3::1" << false;
    QTest::addRow("an IPv4-mapped address is its IPv4 address") << "::ffff:192.0.2.1"
                                                                << "192.0.2.1" << true;
    QTest::addRow("neighbouring IPv4 addresses do not share") << "192.0.2.1"
                                                              << "192.0.2.2" << false;
}

void TstQuota::helloGroupsAddresses()
{
    QFETCH(QString, failing);
    QFETCH(QString, other);
    QFETCH(bool, sameGroup);
    HelloLimiter limiter;
    for (int i = 0; i < 5; ++i)
        limiter.recordFailure(QHostAddress(failing), 0);
    QVERIFY(!limiter.allowed(QHostAddress(failing), 1));
    QCOMPARE(limiter.allowed(QHostAddress(other), 1), !sameGroup);
}

void TstQuota::helloMemoryIsCapped()
{
    HelloLimiterConfig config;
    config.maxAddresses = 100;
    HelloLimiter limiter(config);
    auto addr = [](int i) {
        return QHostAddress(quint32(0x0a000000 + i));
    }; // 10.0.0.0/8
    for (int i = 0; i < 5000; ++i) {
        for (int k = 0; k < 5; ++k)
            limiter.recordFailure(addr(i), i);
        QVERIFY(limiter.trackedAddresses() <= 100);
    }
    QCOMPARE(limiter.trackedAddresses(), 100);
    QVERIFY(!limiter.allowed(addr(4999), 5000)); // the newest is still blocked
    QVERIFY(!limiter.allowed(addr(4900), 5000)); // the oldest kept one too
    QVERIFY(limiter.allowed(addr(0), 5000));     // the oldest was dropped
    // Touching an entry keeps it: recently failing addresses survive a flood of new ones.
    limiter.recordFailure(addr(4900), 5001);
    for (int i = 5000; i < 5099; ++i)
        limiter.recordFailure(addr(i), 5002);
    QVERIFY(!limiter.allowed(addr(4900), 5003));
    QVERIFY(limiter.allowed(addr(4901), 5003));
    // A long quiet forgets an entry when it is next looked at.
    QCOMPARE(limiter.trackedAddresses(), 100);
    QVERIFY(limiter.allowed(addr(4900), 5001 + config.maxBackoffMs + config.windowMs + 1));
    QCOMPARE(limiter.trackedAddresses(), 99);
}

QTEST_GUILESS_MAIN(TstQuota)
#include "tst_quota.moc"
