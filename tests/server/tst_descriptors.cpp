// Open files through the real coderoomd: it takes the whole hard limit at start and says so,
// /ready reports the limit and the use, and a connection past the limit is refused in plain
// words (503) while the server keeps serving everyone else.
#include "serverfixture.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpSocket>
#include <QTest>

#include <memory>
#include <vector>

using namespace coderoom::tests;

class TestDescriptors : public QObject
{
    Q_OBJECT
private slots:
    void theSoftLimitIsRaisedToTheHardOneAndReported();
    void aConnectionPastTheLimitIsRefusedInPlainWords();
};

void TestDescriptors::theSoftLimitIsRaisedToTheHardOneAndReported()
{
    ServerProcess server;
    server.setDescriptorLimits(256, 4096);
    QVERIFY(server.start({"--warm-pool", "0", "--prestart", "0"}));

    QFile limits(QStringLiteral("/proc/%1/limits").arg(server.pid()));
    QVERIFY(limits.open(QIODevice::ReadOnly));
    QVERIFY(QString::fromUtf8(limits.readAll()).simplified().contains("Max open files 4096 4096"));

    const QJsonObject ready = QJsonDocument::fromJson(httpGet(server.port(), "/ready")).object();
    const QJsonObject descriptors = ready.value("descriptors").toObject();
    QCOMPARE(descriptors.value("limit").toInteger(), 4096);
    QVERIFY(descriptors.value("in_use").toInteger() > 3);
    QVERIFY(descriptors.value("in_use").toInteger() < 4096);

    server.terminate();
    QVERIFY(server.waitForExit(15000));
    QVERIFY2(server.stderrText().contains("open files: soft limit 4096 (was 256, hard limit 4096)"),
             server.stderrText().constData());
}

void TestDescriptors::aConnectionPastTheLimitIsRefusedInPlainWords()
{
    constexpr int kLimit = 64;
    ServerProcess server;
    server.setDescriptorLimits(kLimit, kLimit);
    QVERIFY(server.start({"--warm-pool", "0", "--prestart", "0"}));

    // More connections than the server has descriptors; each accepted one holds one.
    std::vector<std::unique_ptr<QTcpSocket>> sockets;
    for (int i = 0; i < kLimit + 16; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        socket->connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(socket->waitForConnected(5000)); // the kernel completes it from the backlog
        sockets.push_back(std::move(socket));
    }
    const auto refusals = [&sockets] {
        int n = 0;
        for (const auto &s : sockets)
            n += s->peek(64).startsWith("HTTP/1.1 503") ? 1 : 0;
        return n;
    };
    // Connections the server took stay silent (no request sent yet); the ones past the limit
    // are answered at once.
    QTRY_VERIFY_WITH_TIMEOUT(refusals() > 0, 8000);
    for (const auto &s : sockets) {
        const QByteArray answer = s->peek(4096);
        if (!answer.startsWith("HTTP/1.1 503"))
            continue;
        QVERIFY2(answer.contains("no free connection slots") && answer.contains("Retry-After"),
                 answer.constData());
    }

    // Descriptors back: the server accepts and serves again, nothing stuck.
    sockets.clear();
    WsClient client;
    QTRY_VERIFY_WITH_TIMEOUT(client.open(server.url(), 2000), 15000);
    QVERIFY(client.hello(server.token()));
    QCOMPARE(client.runToResult(QStringLiteral("print('still here')")).value("status").toString(),
             QStringLiteral("ok"));

    server.terminate();
    QVERIFY(server.waitForExit(15000));
    const QByteArray log = server.stderrText();
    QVERIFY2(log.contains("connection(s): out of file descriptors (limit 64;"), log.constData());
}

QTEST_GUILESS_MAIN(TestDescriptors)
#include "tst_descriptors.moc"
