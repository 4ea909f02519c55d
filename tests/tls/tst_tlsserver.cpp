// coderoomd with a TLS certificate, end to end: wss:// hello + run, https /health, a plain
// ws:// client refused while the server keeps serving, a bad key stops the start.
// Needs coderoomd to take its configuration from server/config (--tls-certificate, --tls-key)
// and ServerCore to pass them to the front door (docs/configuration.md, "TLS").
#include "serverfixture.h"
#include "testcerts.h"

#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QTest>

using coderoom::tests::makeCertificate;
using coderoom::tests::ServerProcess;
using coderoom::tests::TestCertificate;
using coderoom::tests::WsClient;

class TestTlsServer : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    TestCertificate m_cert;
    ServerProcess m_server;

    QSslConfiguration trusting() const
    {
        QSslConfiguration c = QSslConfiguration::defaultConfiguration();
        c.setCaCertificates(QSslCertificate::fromPath(m_cert.certificate));
        return c;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QString error;
        const auto cert =
            makeCertificate(m_dir.path(), QStringLiteral("server"), QStringLiteral("ec"), &error);
        QVERIFY2(cert, qPrintable(error));
        m_cert = *cert;
        QVERIFY2(m_server.start({"--tls-certificate", m_cert.certificate, "--tls-key", m_cert.key,
                                 "--warm-pool", "0"}),
                 m_server.stderrText().constData());
        QCOMPARE(m_server.url().scheme(), QStringLiteral("wss"));
    }

    void helloAndRunOverWss()
    {
        WsClient client;
        client.socket().setSslConfiguration(trusting());
        QVERIFY(client.open(m_server.url(), 10000));
        QVERIFY(client.hello(m_server.token()));
        const QJsonObject result = client.runToResult(QStringLiteral("print(1)"));
        QCOMPARE(result.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        // Output may arrive in any number of frames (print() writes "1" and "\n" separately).
        QString out;
        for (const QJsonObject &e : client.received()) {
            if (e.value(QStringLiteral("type")) == QLatin1String("output"))
                out += e.value(QStringLiteral("data")).toString();
        }
        QCOMPARE(out, QStringLiteral("1\n"));
    }

    void healthOverHttps()
    {
        QNetworkAccessManager nam;
        QUrl url = m_server.url();
        url.setScheme(QStringLiteral("https"));
        url.setPath(QStringLiteral("/health"));
        QNetworkRequest request(url);
        request.setSslConfiguration(trusting());
        QNetworkReply *reply = nam.get(request);
        QSignalSpy finished(reply, &QNetworkReply::finished);
        QVERIFY(finished.wait(10000));
        QCOMPARE(reply->error(), QNetworkReply::NoError);
        QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
        QVERIFY(reply->readAll().contains(R"("status":"ok")"));
        reply->deleteLater();
    }

    void untrustedClientIsRefused()
    {
        WsClient client; // default CAs: the self-signed certificate is not trusted
        QSignalSpy sslErrors(&client.socket(), &QWebSocket::sslErrors);
        QVERIFY(!client.open(m_server.url(), 5000));
        QVERIFY(sslErrors.size() > 0);
    }

    void plainClientFailsAndServerKeepsServing()
    {
        QUrl plainUrl = m_server.url();
        plainUrl.setScheme(QStringLiteral("ws"));
        WsClient plain;
        QVERIFY(!plain.open(plainUrl, 5000));
        QVERIFY(!plain.isConnected());

        WsClient after;
        after.socket().setSslConfiguration(trusting());
        QVERIFY(after.open(m_server.url(), 10000));
        QVERIFY(after.hello(m_server.token()));
        QCOMPARE(after.runToResult(QStringLiteral("print(2)"))
                     .value(QStringLiteral("status"))
                     .toString(),
                 QStringLiteral("ok"));
    }

    void badKeyStopsTheStart()
    {
        const QString junk = m_dir.filePath(QStringLiteral("junk.key"));
        QFile file(junk);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("not a key\n");
        file.close();
        ServerProcess broken;
        QVERIFY(!broken.start(
            {"--tls-certificate", m_cert.certificate, "--tls-key", junk, "--warm-pool", "0"},
            20000));
        QVERIFY(broken.waitForExit(10000));
        QVERIFY(broken.exitCode() != 0);
        const QByteArray text = broken.stderrText();
        QVERIFY2(text.contains(QByteArray("tls_key " + junk.toUtf8() + ": not a PEM private key")),
                 text.constData());
    }

    void cleanupTestCase()
    {
        m_server.terminate();
        QVERIFY(m_server.waitForExit(15000));
    }
};

QTEST_GUILESS_MAIN(TestTlsServer)
#include "tst_tlsserver.moc"
