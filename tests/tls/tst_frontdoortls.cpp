// FrontDoor with TLS, in process: bad certificate/key files stop listen() with a clear message;
// https and wss work on the one port; a plain-text client is dropped alone; reloadTls() swaps
// the certificate for new connections and keeps the old one when the new files are broken.
#include "frontdoor.h"
#include "testcerts.h"

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>

using coderoom::tests::makeCertificate;
using coderoom::tests::TestCertificate;
using coderoom::transport::FrontConfig;
using coderoom::transport::FrontDoor;
using coderoom::transport::HttpReply;
using coderoom::transport::HttpRequest;
using coderoom::transport::HttpResponse;

namespace {

QSslConfiguration trusting(const QString &certificateFile)
{
    QSslConfiguration c = QSslConfiguration::defaultConfiguration();
    c.setCaCertificates(QSslCertificate::fromPath(certificateFile));
    return c;
}

bool copyFile(const QString &from, const QString &to)
{
    QFile::remove(to);
    return QFile::copy(from, to);
}

bool writeFile(const QString &path, const QByteArray &data)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(data) == data.size();
}

// Event-loop turns while polling a condition (what QTRY_* does), not a guessed delay. The server
// runs in this thread, so blocking waitFor...() calls would starve it.
template<typename Condition> bool spin(Condition done, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!done() && !deadline.hasExpired())
        QTest::qWait(2);
    return done();
}

// GET /health over TLS trusting `caFile`; the reply's status line, or why it failed.
QByteArray httpsStatusLine(quint16 port, const QString &caFile)
{
    QSslSocket socket;
    socket.setSslConfiguration(trusting(caFile));
    bool failed = false;
    QObject::connect(&socket, &QAbstractSocket::errorOccurred, &socket,
                     [&failed] { failed = true; });
    QObject::connect(&socket, &QSslSocket::sslErrors, &socket, [&failed] { failed = true; });
    socket.connectToHostEncrypted(QStringLiteral("127.0.0.1"), port);
    if (!spin([&] { return socket.isEncrypted() || failed; }, 10000) || !socket.isEncrypted())
        return "handshake failed: " + socket.errorString().toUtf8();
    socket.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    spin([&] { return socket.peek(4096).contains("\r\n") || failed; }, 10000);
    const QByteArray reply = socket.readAll();
    return reply.left(reply.indexOf("\r\n"));
}

} // namespace

class TestFrontDoorTls : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    TestCertificate m_a;
    TestCertificate m_b;
    TestCertificate m_rsa;

    FrontConfig tlsConfig(const QString &cert, const QString &key) const
    {
        FrontConfig c;
        c.port = 0;
        c.tlsCertificate = cert;
        c.tlsKey = key;
        return c;
    }

    static void answerOk(FrontDoor &door)
    {
        door.setHttpHandler([](const HttpRequest &request, const HttpReply &reply) {
            reply(HttpResponse::text(200, "ok " + request.path.toUtf8() + '\n'));
        });
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(QSslSocket::supportsSsl(), "Qt has no TLS backend here");
        QString error;
        const auto a =
            makeCertificate(m_dir.path(), QStringLiteral("a"), QStringLiteral("ec"), &error);
        QVERIFY2(a, qPrintable(error));
        const auto b =
            makeCertificate(m_dir.path(), QStringLiteral("b"), QStringLiteral("ec"), &error);
        QVERIFY2(b, qPrintable(error));
        const auto rsa =
            makeCertificate(m_dir.path(), QStringLiteral("rsa"), QStringLiteral("rsa"), &error);
        QVERIFY2(rsa, qPrintable(error));
        m_a = *a;
        m_b = *b;
        m_rsa = *rsa;
    }

    void badFilesStopListen_data()
    {
        QTest::addColumn<QString>("certificate"); // %A: a good certificate, %X: a junk file
        QTest::addColumn<QString>("key");         // %a: its key, %R: an RSA key, %E: encrypted
        QTest::addColumn<QString>("message");

        QTest::addRow("a missing certificate file is named")
            << "/nonexistent/cert.pem"
            << "%a"
            << "tls_certificate /nonexistent/cert.pem: cannot read it: ";
        QTest::addRow("a certificate file without PEM is named")
            << "%X"
            << "%a"
            << "tls_certificate %X: no PEM certificate in it";
        QTest::addRow("a missing key file is named")
            << "%A"
            << "/nonexistent/key.pem"
            << "tls_key /nonexistent/key.pem: cannot read it: ";
        QTest::addRow("a key file that is no key is named")
            << "%A"
            << "%X"
            << "tls_key %X: not a PEM private key (RSA, EC or DSA)";
        QTest::addRow("a passphrase-protected key is refused with the fix")
            << "%A"
            << "%E"
            << "tls_key %E: the key is protected by a passphrase";
        QTest::addRow("a key of another type than the certificate's is refused")
            << "%A"
            << "%R"
            << "tls_key %R does not belong to tls_certificate %A";
    }

    void badFilesStopListen()
    {
        QFETCH(QString, certificate);
        QFETCH(QString, key);
        QFETCH(QString, message);
        const QString junk = m_dir.filePath(QStringLiteral("junk.pem"));
        QVERIFY(writeFile(junk, "this is not PEM\n"));
        const QString encrypted = m_dir.filePath(QStringLiteral("encrypted.key"));
        QProcess openssl;
        openssl.start(QStringLiteral("openssl"),
                      {QStringLiteral("pkey"), QStringLiteral("-in"), m_a.key,
                       QStringLiteral("-aes256"), QStringLiteral("-passout"),
                       QStringLiteral("pass:secret"), QStringLiteral("-out"), encrypted});
        QVERIFY(openssl.waitForFinished(30000) && openssl.exitCode() == 0);
        auto expand = [&](QString s) {
            return s.replace(QStringLiteral("%A"), m_a.certificate)
                .replace(QStringLiteral("%a"), m_a.key)
                .replace(QStringLiteral("%R"), m_rsa.key)
                .replace(QStringLiteral("%E"), encrypted)
                .replace(QStringLiteral("%X"), junk);
        };
        FrontDoor door(tlsConfig(expand(certificate), expand(key)));
        QVERIFY(door.isTls());
        QString error;
        QVERIFY(!door.listen(&error));
        QVERIFY2(error.startsWith(expand(message)), qPrintable(error));
    }

    void httpsOnTheTlsPort()
    {
        FrontDoor door(tlsConfig(m_a.certificate, m_a.key));
        answerOk(door);
        QString error;
        QVERIFY2(door.listen(&error), qPrintable(error));
        QCOMPARE(httpsStatusLine(door.port(), m_a.certificate), QByteArray("HTTP/1.1 200 OK"));
    }

    void webSocketOverTls()
    {
        FrontDoor door(tlsConfig(m_a.certificate, m_a.key));
        QString error;
        QVERIFY2(door.listen(&error), qPrintable(error));
        QList<QWebSocket *> accepted;
        connect(&door, &FrontDoor::webSocketConnected, this, [&accepted](QWebSocket *s) {
            accepted.append(s);
            connect(s, &QWebSocket::textMessageReceived, s, [s](const QString &text) {
                s->sendTextMessage(QStringLiteral("echo ") + text);
            });
        });
        QWebSocket client;
        client.setSslConfiguration(trusting(m_a.certificate));
        QSignalSpy received(&client, &QWebSocket::textMessageReceived);
        client.open(QUrl(QStringLiteral("wss://127.0.0.1:%1/api/v1/ws").arg(door.port())));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, 10000);
        client.sendTextMessage(QStringLiteral("hi"));
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 10000);
        QCOMPARE(received.first().first().toString(), QStringLiteral("echo hi"));
        QCOMPARE(accepted.size(), 1);
        qDeleteAll(accepted);
    }

    void plainClientIsDroppedAndServerKeepsServing()
    {
        FrontDoor door(tlsConfig(m_a.certificate, m_a.key));
        answerOk(door);
        QString error;
        QVERIFY2(door.listen(&error), qPrintable(error));

        QTcpSocket plain;
        plain.connectToHost(QHostAddress::LocalHost, door.port());
        QTRY_COMPARE_WITH_TIMEOUT(plain.state(), QAbstractSocket::ConnectedState, 5000);
        plain.write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
        QTRY_COMPARE_WITH_TIMEOUT(plain.state(), QAbstractSocket::UnconnectedState, 10000);
        QVERIFY(!plain.readAll().contains("HTTP/1.1 200")); // nothing answered in clear text

        QWebSocket plainWs;
        QSignalSpy wsDisconnected(&plainWs, &QWebSocket::disconnected);
        plainWs.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/api/v1/ws").arg(door.port())));
        QTRY_VERIFY_WITH_TIMEOUT(wsDisconnected.size() > 0 ||
                                     plainWs.state() == QAbstractSocket::UnconnectedState,
                                 10000);
        QVERIFY(plainWs.state() != QAbstractSocket::ConnectedState);

        QCOMPARE(httpsStatusLine(door.port(), m_a.certificate), QByteArray("HTTP/1.1 200 OK"));
    }

    void reloadSwapsTheCertificateForNewConnections()
    {
        const QString cert = m_dir.filePath(QStringLiteral("live.crt"));
        const QString key = m_dir.filePath(QStringLiteral("live.key"));
        QVERIFY(copyFile(m_a.certificate, cert) && copyFile(m_a.key, key));
        FrontDoor door(tlsConfig(cert, key));
        answerOk(door);
        QString error;
        QVERIFY2(door.listen(&error), qPrintable(error));
        QCOMPARE(httpsStatusLine(door.port(), m_a.certificate), QByteArray("HTTP/1.1 200 OK"));

        QVERIFY(copyFile(m_b.certificate, cert) && copyFile(m_b.key, key));
        QVERIFY2(door.reloadTls(&error), qPrintable(error));
        QCOMPARE(httpsStatusLine(door.port(), m_b.certificate), QByteArray("HTTP/1.1 200 OK"));
        QVERIFY(httpsStatusLine(door.port(), m_a.certificate).startsWith("handshake failed"));

        // Broken new files: the reload fails, says why, and B keeps being served.
        QVERIFY(writeFile(cert, "garbage\n"));
        QVERIFY(!door.reloadTls(&error));
        QCOMPARE(error, QStringLiteral("tls_certificate %1: no PEM certificate in it").arg(cert));
        QCOMPARE(httpsStatusLine(door.port(), m_b.certificate), QByteArray("HTTP/1.1 200 OK"));
    }

    void withoutTlsNothingChanges()
    {
        FrontConfig config;
        config.port = 0;
        FrontDoor door(config);
        answerOk(door);
        QVERIFY(!door.isTls());
        QString error;
        QVERIFY(!door.reloadTls(&error));
        QCOMPARE(error, QStringLiteral("TLS is not configured (no tls_certificate and tls_key)"));
        QVERIFY2(door.listen(&error), qPrintable(error));
        QTcpSocket plain;
        plain.connectToHost(QHostAddress::LocalHost, door.port());
        QTRY_COMPARE_WITH_TIMEOUT(plain.state(), QAbstractSocket::ConnectedState, 5000);
        plain.write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(
            plain.bytesAvailable() > 0 || plain.state() != QAbstractSocket::ConnectedState, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(plain.peek(64).startsWith("HTTP/1.1 200 OK"), 5000);
    }
};

QTEST_GUILESS_MAIN(TestFrontDoorTls)
#include "tst_frontdoortls.moc"
