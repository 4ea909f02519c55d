// The epoll dispatcher installed as this test's event dispatcher (initMain, before the
// application object, as coderoomd does): real pipes, sockets, timers, threads and processes.
#include "epolldispatcher.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QProcess>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <fcntl.h>
#include <future>
#include <memory>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using coderoom::eventloop::EpollEventDispatcher;

namespace {

struct Pipe
{
    int read = -1;
    int write = -1;
    Pipe()
    {
        int fds[2];
        if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0) {
            read = fds[0];
            write = fds[1];
        }
    }
    ~Pipe()
    {
        closeRead();
        closeWrite();
    }
    void closeRead()
    {
        if (read >= 0)
            ::close(read);
        read = -1;
    }
    void closeWrite()
    {
        if (write >= 0)
            ::close(write);
        write = -1;
    }
    Pipe(const Pipe &) = delete;
    Pipe &operator=(const Pipe &) = delete;
};

bool writeByte(int fd)
{
    const char c = 'x';
    return ::write(fd, &c, 1) == 1;
}

void drain(int fd)
{
    char buf[4096];
    while (::read(fd, buf, sizeof buf) > 0) {
    }
}

// A pipe holding one byte, with a read notifier whose activations the test counts.
struct ReadablePipe
{
    Pipe pipe; // before the notifier: members are built in this order
    QSocketNotifier notifier{pipe.read, QSocketNotifier::Read};
    int reads = 0;
    ReadablePipe() { writeByte(pipe.write); }
};

// Ready once the dispatcher next announces that it is about to block (emitted on the loop's
// thread just before epoll_wait): another thread waiting on it acts while the loop sleeps.
std::future<void> aboutToBlockOnce()
{
    auto promise = std::make_shared<std::promise<void>>();
    auto connection = std::make_shared<QMetaObject::Connection>();
    std::future<void> future = promise->get_future();
    *connection =
        QObject::connect(EpollEventDispatcher::current(), &QAbstractEventDispatcher::aboutToBlock,
                         EpollEventDispatcher::current(), [promise, connection] {
                             QObject::disconnect(*connection);
                             promise->set_value();
                         });
    return future;
}

// Several passes without blocking, so whatever is ready has surely been delivered.
void spin(int passes = 5)
{
    for (int i = 0; i < passes; ++i)
        QCoreApplication::processEvents(QEventLoop::AllEvents);
}

EpollEventDispatcher *dispatcher()
{
    return EpollEventDispatcher::current();
}

class PostedCounter : public QObject
{
public:
    int seen = 0;
    int repost = 0;
    bool event(QEvent *e) override
    {
        if (e->type() != QEvent::User)
            return QObject::event(e);
        ++seen;
        if (repost > 0) {
            --repost;
            QCoreApplication::postEvent(this, new QEvent(QEvent::User));
        }
        return true;
    }
};

} // namespace

class TstEpollDispatcher : public QObject
{
    Q_OBJECT
public:
    static void initMain() { QCoreApplication::setEventDispatcher(new EpollEventDispatcher); }

private slots:
    void isTheApplicationsDispatcher();
    void onlyReadyNotifiersAreActivated_data();
    void onlyReadyNotifiersAreActivated();
    void readAndWriteOnOneDescriptor();
    void hangUpWakesTheReader();
    void closedReaderWakesTheWriter();
    void notifierDisabledInsideItsOwnActivation();
    void siblingDeletedInsideActivation();
    void staleEventForAReusedNumberIsDropped();
    void writeNotifierToggledWithinAPassCostsNoSystemCall();
    void excludeSocketNotifiersLeavesThemForLater();
    void regularFileIsAlwaysReady();
    void timersFireInOrder();
    void timerNeverFiresEarly_data();
    void timerNeverFiresEarly();
    void zeroTimerIsNotStarvedByPostedEvents();
    void timerStartedInsideATimerWaitsForTheNextPass();
    void timerStoppedInsideAnotherTimersSlotNeverFires();
    void remainingTimeInsideItsOwnSlot();
    void postedEventFromAnEventHandlerDoesNotBlock();
    void wakeUpFromAnotherThread();
    void interruptFromAnotherThread();
    void interruptBeforeWaitingStillReturns();
    void nestedEventLoopInsideATimerSlot();
    void qprocessRunsToTheEnd();
    void localSocketEchoes();
    void tcpClientsAllServed();
};

void TstEpollDispatcher::isTheApplicationsDispatcher()
{
    QVERIFY(dispatcher());
    QVERIFY(dispatcher()->isValid());
}

void TstEpollDispatcher::onlyReadyNotifiersAreActivated_data()
{
    QTest::addColumn<int>("pipes");
    QTest::addColumn<int>("every");
    QTest::addRow("1 pipe, ready") << 1 << 1;
    QTest::addRow("100 pipes, every 7th ready") << 100 << 7;
    QTest::addRow("2000 pipes, every 97th ready") << 2000 << 97;
}

void TstEpollDispatcher::onlyReadyNotifiersAreActivated()
{
    QFETCH(int, pipes);
    QFETCH(int, every);
    std::vector<std::unique_ptr<Pipe>> ps;
    std::vector<std::unique_ptr<QSocketNotifier>> ns;
    QList<int> hits(pipes, 0);
    for (int i = 0; i < pipes; ++i) {
        ps.push_back(std::make_unique<Pipe>());
        QVERIFY(ps.back()->read >= 0);
        auto n = std::make_unique<QSocketNotifier>(ps.back()->read, QSocketNotifier::Read);
        const int fd = ps.back()->read;
        connect(n.get(), &QSocketNotifier::activated, this, [&hits, i, fd] {
            ++hits[i];
            drain(fd);
        });
        ns.push_back(std::move(n));
    }
    QCOMPARE(dispatcher()->registeredDescriptors() >= pipes, true);
    spin();
    QCOMPARE(hits.count(0), pipes);
    for (int i = 0; i < pipes; i += every)
        QVERIFY(writeByte(ps[size_t(i)]->write));
    QTRY_VERIFY([&] {
        for (int i = 0; i < pipes; i += every)
            if (hits[i] == 0)
                return false;
        return true;
    }());
    spin();
    for (int i = 0; i < pipes; ++i)
        QCOMPARE(hits[i], i % every == 0 ? 1 : 0);
}

void TstEpollDispatcher::readAndWriteOnOneDescriptor()
{
    int sv[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    QSocketNotifier reader(sv[0], QSocketNotifier::Read);
    QSocketNotifier writer(sv[0], QSocketNotifier::Write);
    int reads = 0;
    int writes = 0;
    connect(&reader, &QSocketNotifier::activated, this, [&] {
        ++reads;
        drain(sv[0]);
    });
    connect(&writer, &QSocketNotifier::activated, this, [&] {
        ++writes;
        writer.setEnabled(false); // wrote what it had: stop asking
    });
    QTRY_COMPARE(writes, 1);
    QCOMPARE(reads, 0); // writable is not readable
    QVERIFY(writeByte(sv[1]));
    QTRY_COMPARE(reads, 1);
    spin();
    QCOMPARE(writes, 1);
    writer.setEnabled(true);
    QTRY_COMPARE(writes, 2);
    QCOMPARE(reads, 1);
    ::close(sv[0]);
    ::close(sv[1]);
}

void TstEpollDispatcher::hangUpWakesTheReader()
{
    Pipe p;
    QSocketNotifier reader(p.read, QSocketNotifier::Read);
    ssize_t got = -2;
    connect(&reader, &QSocketNotifier::activated, this, [&] {
        char c;
        got = ::read(p.read, &c, 1);
        reader.setEnabled(false);
    });
    spin();
    QCOMPARE(got, ssize_t(-2));
    p.closeWrite(); // EPOLLHUP alone, no EPOLLIN: QProcess hangs if this is not a read
    QTRY_COMPARE(got, ssize_t(0));
}

void TstEpollDispatcher::closedReaderWakesTheWriter()
{
    Pipe p;
    while (writeByte(p.write)) {
    } // full: not writable any more
    QSocketNotifier writer(p.write, QSocketNotifier::Write);
    int writes = 0;
    connect(&writer, &QSocketNotifier::activated, this, [&] {
        ++writes;
        writer.setEnabled(false);
    });
    spin();
    QCOMPARE(writes, 0);
    p.closeRead(); // EPOLLERR on the write end
    QTRY_COMPARE(writes, 1);
}

void TstEpollDispatcher::notifierDisabledInsideItsOwnActivation()
{
    ReadablePipe r;
    QSocketNotifier &reader = r.notifier;
    int &reads = r.reads;
    connect(&reader, &QSocketNotifier::activated, this, [&] {
        ++reads;
        reader.setEnabled(false); // without reading: still readable, but nobody asks
    });
    QTRY_COMPARE(reads, 1);
    spin();
    QCOMPARE(reads, 1);
    reader.setEnabled(true); // level-triggered: the byte is still there
    QTRY_COMPARE(reads, 2);
}

void TstEpollDispatcher::siblingDeletedInsideActivation()
{
    // Both ready in one batch; whichever runs first deletes the other (sjinks-epoll #3).
    int sv[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    QVERIFY(writeByte(sv[1]));
    QPointer<QSocketNotifier> reader = new QSocketNotifier(sv[0], QSocketNotifier::Read);
    QPointer<QSocketNotifier> writer = new QSocketNotifier(sv[0], QSocketNotifier::Write);
    int fired = 0;
    connect(reader, &QSocketNotifier::activated, this, [&] {
        ++fired;
        delete writer;
        reader->setEnabled(false);
    });
    connect(writer, &QSocketNotifier::activated, this, [&] {
        ++fired;
        delete reader;
        writer->setEnabled(false);
    });
    QTRY_COMPARE(fired, 1);
    spin();
    QCOMPARE(fired, 1);
    QCOMPARE(reader.isNull() != writer.isNull(), true);
    delete reader;
    delete writer;
    ::close(sv[0]);
    ::close(sv[1]);
}

void TstEpollDispatcher::staleEventForAReusedNumberIsDropped()
{
    // Two readable pipes reported in one batch. Whichever slot runs first deletes the other's
    // notifier, closes its pipe and opens a new one that likely gets the same number; the
    // old readiness must not reach the new, empty pipe's notifier.
    auto a = std::make_unique<Pipe>();
    auto b = std::make_unique<Pipe>();
    QVERIFY(writeByte(a->write));
    QVERIFY(writeByte(b->write));
    std::unique_ptr<QSocketNotifier> na(new QSocketNotifier(a->read, QSocketNotifier::Read));
    std::unique_ptr<QSocketNotifier> nb(new QSocketNotifier(b->read, QSocketNotifier::Read));
    std::unique_ptr<Pipe> fresh;
    std::unique_ptr<QSocketNotifier> nf;
    int firstHits = 0;
    int freshHits = 0;
    int reusedNumber = -1;
    auto takeOver = [&](std::unique_ptr<QSocketNotifier> &other, std::unique_ptr<Pipe> &pipe,
                        int ownFd) {
        ++firstHits;
        drain(ownFd);
        if (fresh)
            return;
        const int oldNumber = pipe->read;
        other.reset();
        pipe.reset();
        fresh = std::make_unique<Pipe>();
        if (fresh->read == oldNumber)
            reusedNumber = oldNumber;
        nf.reset(new QSocketNotifier(fresh->read, QSocketNotifier::Read));
        connect(nf.get(), &QSocketNotifier::activated, this, [&] {
            ++freshHits;
            drain(fresh->read);
        });
    };
    const int aFd = a->read;
    const int bFd = b->read;
    connect(na.get(), &QSocketNotifier::activated, this, [&] { takeOver(nb, b, aFd); });
    connect(nb.get(), &QSocketNotifier::activated, this, [&] { takeOver(na, a, bFd); });
    QTRY_VERIFY(fresh != nullptr);
    spin();
    QCOMPARE(firstHits, 1);
    QCOMPARE(freshHits, 0);
    QVERIFY2(reusedNumber >= 0, "the kernel did not reuse the number; the test proves less");
    QVERIFY(writeByte(fresh->write)); // and the new pipe is watched for real
    QTRY_COMPARE(freshHits, 1);
}

void TstEpollDispatcher::writeNotifierToggledWithinAPassCostsNoSystemCall()
{
    int sv[2];
    QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
    QSocketNotifier reader(sv[0], QSocketNotifier::Read);
    QSocketNotifier writer(sv[0], QSocketNotifier::Write);
    writer.setEnabled(false);
    spin();
    const quint64 before = dispatcher()->counters().epollChanges;
    for (int i = 0; i < 100; ++i) {
        writer.setEnabled(true);
        writer.setEnabled(false);
    }
    spin();
    QCOMPARE(dispatcher()->counters().epollChanges, before);
    ::close(sv[0]);
    ::close(sv[1]);
}

void TstEpollDispatcher::excludeSocketNotifiersLeavesThemForLater()
{
    ReadablePipe r;
    int &reads = r.reads;
    connect(&r.notifier, &QSocketNotifier::activated, this, [&] {
        ++reads;
        drain(r.pipe.read);
    });
    QEventLoop loop;
    bool timedOut = false;
    QTimer::singleShot(30, this, [&] { timedOut = true; });
    // Blocks for the timer, not for the readable pipe, and does not deliver it.
    while (!timedOut)
        loop.processEvents(QEventLoop::ExcludeSocketNotifiers | QEventLoop::WaitForMoreEvents);
    QCOMPARE(reads, 0);
    QTRY_COMPARE(reads, 1);
}

void TstEpollDispatcher::regularFileIsAlwaysReady()
{
    QTemporaryFile file;
    QVERIFY(file.open());
    QSocketNotifier reader(file.handle(), QSocketNotifier::Read);
    int reads = 0;
    connect(&reader, &QSocketNotifier::activated, this, [&] {
        if (++reads == 3)
            reader.setEnabled(false);
    });
    QTRY_COMPARE(reads, 3);
    spin();
    QCOMPARE(reads, 3);
}

void TstEpollDispatcher::timersFireInOrder()
{
    QList<int> order;
    QTimer t1, t2, t3, t4;
    int i = 0;
    for (QTimer *t : {&t1, &t2, &t3, &t4}) {
        t->setSingleShot(true);
        t->setTimerType(Qt::PreciseTimer);
        const int id = ++i;
        connect(t, &QTimer::timeout, this, [&order, id] { order.append(id); });
    }
    t1.start(60);
    t2.start(20);
    t3.start(40);
    t4.start(20); // same interval, started later: fires after t2
    QTRY_COMPARE(order.size(), 4);
    QCOMPARE(order, QList<int>({2, 4, 3, 1}));
}

void TstEpollDispatcher::timerNeverFiresEarly_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<int>("interval");
    QTest::addColumn<int>("earliest");
    QTest::addRow("precise 1 ms") << int(Qt::PreciseTimer) << 1 << 1;
    QTest::addRow("precise 25 ms") << int(Qt::PreciseTimer) << 25 << 25;
    QTest::addRow("coarse 200 ms within 5 percent") << int(Qt::CoarseTimer) << 200 << 190;
    QTest::addRow("very coarse 1 s within half a second")
        << int(Qt::VeryCoarseTimer) << 1000 << 500;
}

void TstEpollDispatcher::timerNeverFiresEarly()
{
    QFETCH(int, type);
    QFETCH(int, interval);
    QFETCH(int, earliest);
    QTimer timer;
    timer.setTimerType(Qt::TimerType(type));
    QList<qint64> at;
    QElapsedTimer clock;
    connect(&timer, &QTimer::timeout, this, [&] { at.append(clock.elapsed()); });
    clock.start();
    timer.start(interval);
    QTRY_VERIFY_WITH_TIMEOUT(at.size() >= 3, 20000);
    timer.stop();
    QVERIFY2(at.first() >= earliest, qPrintable(QString::number(at.first())));
    // A repeating timer keeps its rhythm: the k-th firing is no earlier than k intervals
    // (less the type's accuracy), however late an earlier one was.
    for (int k = 1; k <= at.size(); ++k)
        QVERIFY2(at[k - 1] >= qint64(k - 1) * interval + earliest,
                 qPrintable(QStringLiteral("firing %1 at %2 ms").arg(k).arg(at[k - 1])));
}

void TstEpollDispatcher::zeroTimerIsNotStarvedByPostedEvents()
{
    PostedCounter flood;
    flood.repost = 1000000; // every delivery posts the next one
    QCoreApplication::postEvent(&flood, new QEvent(QEvent::User));
    int zeroFired = 0;
    QTimer zero;
    connect(&zero, &QTimer::timeout, this, [&] { ++zeroFired; });
    zero.start(0);
    QTRY_VERIFY(zeroFired >= 10);
    QVERIFY(flood.seen >= 10);
    zero.stop();
    flood.repost = 0;
    spin();
}

void TstEpollDispatcher::timerStartedInsideATimerWaitsForTheNextPass()
{
    QTimer first;
    QTimer second;
    int secondFired = 0;
    connect(&second, &QTimer::timeout, this, [&] { ++secondFired; });
    bool firstFired = false;
    connect(&first, &QTimer::timeout, this, [&] {
        firstFired = true;
        second.start(0);
    });
    first.setSingleShot(true);
    first.start(0);
    // One pass: the first fires and starts the second; the second must wait (Qt's livelock
    // rule: a zero timer started by a timer would otherwise fire forever in one pass).
    while (!firstFired)
        dispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(secondFired, 0);
    dispatcher()->processEvents(QEventLoop::AllEvents);
    QCOMPARE(secondFired, 1);
    second.stop();
}

void TstEpollDispatcher::timerStoppedInsideAnotherTimersSlotNeverFires()
{
    QTimer a;
    QTimer b;
    a.setTimerType(Qt::PreciseTimer);
    b.setTimerType(Qt::PreciseTimer);
    int aFired = 0;
    int bFired = 0;
    connect(&a, &QTimer::timeout, this, [&] {
        ++aFired;
        b.stop();
    });
    connect(&b, &QTimer::timeout, this, [&] { ++bFired; });
    a.setSingleShot(true);
    a.start(0);
    b.start(0); // due in the same pass, behind a
    QTRY_COMPARE(aFired, 1);
    spin();
    QCOMPARE(bFired, 0);
}

void TstEpollDispatcher::remainingTimeInsideItsOwnSlot()
{
    QTimer t;
    t.setTimerType(Qt::PreciseTimer);
    int insideSlot = -2;
    connect(&t, &QTimer::timeout, this, [&] {
        insideSlot = t.remainingTime();
        t.stop();
    });
    QCOMPARE(t.remainingTime(), -1);
    t.start(200);
    QVERIFY(t.remainingTime() > 100 && t.remainingTime() <= 200);
    QTRY_VERIFY(insideSlot != -2);
    QVERIFY2(insideSlot > 0 && insideSlot <= 200, qPrintable(QString::number(insideSlot)));
    QCOMPARE(t.remainingTime(), -1);
    QCOMPARE(dispatcher()->remainingTime(424242), -1);
}

void TstEpollDispatcher::postedEventFromAnEventHandlerDoesNotBlock()
{
    // An event handler posts another event: a blocking pass must not then sleep on it.
    PostedCounter counter;
    counter.repost = 1;
    QCoreApplication::postEvent(&counter, new QEvent(QEvent::User));
    bool timedOut = false;
    QTimer watchdog;
    watchdog.setSingleShot(true);
    connect(&watchdog, &QTimer::timeout, this, [&] { timedOut = true; });
    watchdog.start(30000);
    while (counter.seen < 2 && !timedOut)
        dispatcher()->processEvents(QEventLoop::WaitForMoreEvents);
    QCOMPARE(counter.seen, 2);
    QVERIFY(!timedOut);
}

void TstEpollDispatcher::wakeUpFromAnotherThread()
{
    QEventLoop loop;
    bool quitByThread = false;
    std::future<void> blocking = aboutToBlockOnce();
    std::thread poster([&] {
        blocking.wait_for(std::chrono::seconds(60)); // the loop goes to sleep: wake it
        QMetaObject::invokeMethod(
            &loop,
            [&] {
                quitByThread = true;
                loop.quit();
            },
            Qt::QueuedConnection);
    });
    QTimer::singleShot(60000, &loop, &QEventLoop::quit); // only if the wake-up is lost
    loop.exec();
    poster.join();
    QVERIFY(quitByThread);
}

void TstEpollDispatcher::interruptFromAnotherThread()
{
    QTimer watchdog; // only if the interrupt is lost
    watchdog.start(60000);
    spin(); // nothing posted is left over: the pass below has nothing to do but wait
    const quint64 passes = dispatcher()->counters().passes;
    EpollEventDispatcher *d = dispatcher();
    std::future<void> blocking = aboutToBlockOnce();
    std::thread interrupter([d, &blocking] {
        blocking.wait_for(std::chrono::seconds(60));
        d->interrupt();
    });
    QElapsedTimer clock;
    clock.start();
    d->processEvents(QEventLoop::WaitForMoreEvents);
    interrupter.join();
    QVERIFY(clock.elapsed() < 60000);
    QVERIFY(watchdog.isActive());
    QCOMPARE(dispatcher()->counters().passes, passes + 1);
}

void TstEpollDispatcher::interruptBeforeWaitingStillReturns()
{
    // Qt's interruptTrampling: interrupt() then a blocking processEvents() returns.
    QTimer watchdog;
    watchdog.start(60000);
    for (int i = 0; i < 50; ++i) {
        dispatcher()->interrupt();
        dispatcher()->processEvents(QEventLoop::WaitForMoreEvents);
    }
    QVERIFY(watchdog.isActive());
}

void TstEpollDispatcher::nestedEventLoopInsideATimerSlot()
{
    QTimer outer;
    outer.setSingleShot(true);
    QTimer inner;
    inner.setSingleShot(true);
    QTimer ticker; // a repeating timer keeps firing inside the nested loop
    int ticks = 0;
    connect(&ticker, &QTimer::timeout, this, [&] { ++ticks; });
    ticker.start(5);
    bool innerFired = false;
    bool nestedReturned = false;
    connect(&inner, &QTimer::timeout, this, [&] { innerFired = true; });
    connect(&outer, &QTimer::timeout, this, [&] {
        QEventLoop nested;
        connect(&inner, &QTimer::timeout, &nested, &QEventLoop::quit);
        inner.start(50);
        nested.exec();
        nestedReturned = true;
    });
    outer.start(0);
    QTRY_VERIFY(nestedReturned);
    QVERIFY(innerFired);
    const int ticksAfter = ticks;
    QVERIFY(ticksAfter >= 1);
    QTRY_VERIFY(ticks > ticksAfter); // the outer loop goes on
}

void TstEpollDispatcher::qprocessRunsToTheEnd()
{
    QProcess p;
    p.start(QStringLiteral("/bin/sh"),
            {QStringLiteral("-c"), QStringLiteral("read x; echo got $x; echo err >&2; exit 3")});
    QVERIFY(p.waitForStarted(10000));
    QSignalSpy finished(&p, &QProcess::finished);
    p.write("hello\n");
    p.closeWriteChannel();
    QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, 30000);
    QCOMPARE(p.exitStatus(), QProcess::NormalExit);
    QCOMPARE(p.exitCode(), 3);
    QCOMPARE(p.readAllStandardOutput(), QByteArray("got hello\n"));
    QCOMPARE(p.readAllStandardError(), QByteArray("err\n"));
}

void TstEpollDispatcher::localSocketEchoes()
{
    QLocalServer server;
    const QString name =
        QStringLiteral("coderoom-epoll-test-%1").arg(QCoreApplication::applicationPid());
    QLocalServer::removeServer(name);
    QVERIFY(server.listen(name));
    connect(&server, &QLocalServer::newConnection, this, [&] {
        QLocalSocket *s = server.nextPendingConnection();
        connect(s, &QLocalSocket::readyRead, s, [s] { s->write(s->readAll().toUpper()); });
        connect(s, &QLocalSocket::disconnected, s, &QObject::deleteLater);
    });
    QLocalSocket client;
    QByteArray received;
    connect(&client, &QLocalSocket::readyRead, this, [&] { received += client.readAll(); });
    client.connectToServer(name);
    QTRY_COMPARE(client.state(), QLocalSocket::ConnectedState);
    client.write("ping");
    QTRY_COMPARE(received, QByteArray("PING"));
    client.disconnectFromServer();
    QTRY_COMPARE(client.state(), QLocalSocket::UnconnectedState);
}

void TstEpollDispatcher::tcpClientsAllServed()
{
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QTcpServer::newConnection, this, [&] {
        while (QTcpSocket *s = server.nextPendingConnection()) {
            connect(s, &QTcpSocket::readyRead, s, [s] { s->write(s->readAll()); });
            connect(s, &QTcpSocket::disconnected, s, &QObject::deleteLater);
        }
    });
    constexpr int kClients = 300;
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    int answered = 0;
    for (int i = 0; i < kClients; ++i) {
        auto c = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = c.get();
        const QByteArray message = QByteArray::number(i) + '\n';
        connect(raw, &QTcpSocket::connected, raw, [raw, message] { raw->write(message); });
        connect(raw, &QTcpSocket::readyRead, this, [raw, message, &answered] {
            if (raw->bytesAvailable() >= message.size() && raw->readAll() == message)
                ++answered;
        });
        c->connectToHost(QHostAddress::LocalHost, server.serverPort());
        clients.push_back(std::move(c));
    }
    QTRY_COMPARE_WITH_TIMEOUT(answered, kClients, 60000);
    for (auto &c : clients)
        c->disconnectFromHost();
    clients.clear();
    spin();
}

QTEST_GUILESS_MAIN(TstEpollDispatcher)
#include "tst_epolldispatcher.moc"
