// The IDE's remote mode against a real wss:// coderoomd (issue 7): the real client classes and
// the real connect dialog, a real coderoomd with TLS on port 0 and personal tokens issued by
// `coderoomd token issue` in the server's data dir. Certificates are made with openssl at test
// time (tests/tls/testcerts.h). Whether a token was ever presented is read back from the
// server's own account database (`token list`, LAST-USED), not guessed from the client.
#include "connectiondialog.h"
#include "serverfixture.h"
#include "serviceprovider.h"
#include "testcerts.h"
#include "wscodeservice.h"

#include "codec.h"

#include <QApplication>
#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFile>
#include <QLabel>
#include <QLineEdit>
#include <QProcess>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

using namespace coderoom;
using app::ConnectionState;
using client::ClientSettings;
using client::WsCodeService;

namespace {

constexpr int ConnectMs = 20000;
constexpr int RunMs = 30000;

struct CommandResult
{
    int exitCode = -1;
    QString out;
    QString err;
};

CommandResult coderoomd(const QStringList &args)
{
    QProcess process;
    process.start(QStringLiteral(CODEROOMD_PATH), args);
    CommandResult r;
    if (!process.waitForFinished(30000)) {
        process.kill();
        process.waitForFinished(5000);
        r.err = QStringLiteral("coderoomd %1 did not finish").arg(args.join(u' '));
        return r;
    }
    r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    r.out = QString::fromUtf8(process.readAllStandardOutput());
    r.err = QString::fromUtf8(process.readAllStandardError());
    return r;
}

struct IssuedToken
{
    QString id;
    QString token; // crt_<id>_<secret>
};

// A self-signed CA:TRUE certificate for another name than the one the client dials.
bool makeCertificateFor(const QString &dir, const QString &name, const QString &san)
{
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"),
                  {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-nodes"),
                   QStringLiteral("-days"), QStringLiteral("2"), QStringLiteral("-subj"),
                   QStringLiteral("/CN=") + name, QStringLiteral("-addext"),
                   QStringLiteral("subjectAltName=") + san, QStringLiteral("-newkey"),
                   QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                   QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-keyout"),
                   dir + u'/' + name + QStringLiteral(".key"), QStringLiteral("-out"),
                   dir + u'/' + name + QStringLiteral(".crt")});
    return openssl.waitForFinished(60000) && openssl.exitStatus() == QProcess::NormalExit &&
           openssl.exitCode() == 0;
}

app::RunSpec pythonRun(const QString &code)
{
    app::RunSpec spec;
    spec.language = QStringLiteral("python");
    spec.files = {{QStringLiteral("main.py"), code}};
    spec.stdinData = QString();
    return spec;
}

// Every state the service went through, with its detail.
class StateLog : public QObject
{
public:
    explicit StateLog(app::CodeService *service)
    {
        connect(service, &app::CodeService::stateChanged, this,
                [this, service](ConnectionState state) {
                    states.append(state);
                    details.append(service->stateDetail());
                });
    }
    QList<ConnectionState> states;
    QStringList details;
};

// A wss:// front that answers every hello with a redirect to `target` (a plain ws:// server).
class RedirectingTlsServer : public QObject
{
public:
    RedirectingTlsServer(const QSslConfiguration &tls, const QString &target)
        : m_server(QStringLiteral("redirector"), QWebSocketServer::SecureMode)
    {
        m_server.setSslConfiguration(tls);
        connect(&m_server, &QWebSocketServer::newConnection, this, [this, target] {
            while (QWebSocket *socket = m_server.nextPendingConnection()) {
                socket->setParent(this);
                connect(
                    socket, &QWebSocket::textMessageReceived, this,
                    [socket, target](const QString &text) {
                        const auto decoded = protocol::decodeClientMessage(text.toUtf8());
                        if (!decoded.isValid())
                            return;
                        if (const auto *hello = std::get_if<protocol::Hello>(&decoded.message())) {
                            const protocol::ServerMessage redirect =
                                protocol::Redirect{hello->id, target, QStringLiteral("n2")};
                            socket->sendTextMessage(QString::fromUtf8(protocol::encode(redirect)));
                        }
                    });
            }
        });
    }
    bool listen() { return m_server.listen(QHostAddress::LocalHost, 0); }
    QUrl url() const
    {
        return QUrl(QStringLiteral("wss://127.0.0.1:%1/api/v1/ws").arg(m_server.serverPort()));
    }

private:
    QWebSocketServer m_server;
};

} // namespace

class TestRemoteTls : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_ca;      // self-signed for 127.0.0.1: the CA that signed the server's certificate
    QString m_otherCa; // a CA that signed nothing the server has
    tests::TestCertificate m_cert;
    tests::ServerProcess m_server;
    tests::ServerProcess m_wrongHostServer; // certificate for example.invalid only

    IssuedToken issueToken(const QString &dataDir)
    {
        const CommandResult r =
            coderoomd({QStringLiteral("token"), QStringLiteral("issue"), QStringLiteral("alice"),
                       QStringLiteral("--data-dir"), dataDir});
        IssuedToken issued;
        const QStringList lines = r.out.split(u'\n');
        for (const QString &line : lines) {
            const QString trimmed = line.trimmed();
            if (trimmed.startsWith(QLatin1String("token id:")))
                issued.id = trimmed.mid(9).trimmed();
            else if (trimmed.startsWith(QLatin1String("token:")))
                issued.token = trimmed.mid(6).trimmed();
        }
        if (r.exitCode != 0 || issued.id.isEmpty() || !issued.token.startsWith(u"crt_"))
            qWarning() << "token issue failed:" << r.exitCode << r.out << r.err;
        return issued;
    }

    // LAST-USED of a token in the server's account database: "-" until a hello presented it.
    QString lastUsed(const QString &dataDir, const QString &id)
    {
        const CommandResult r =
            coderoomd({QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("alice"),
                       QStringLiteral("--data-dir"), dataDir});
        const QStringList lines = r.out.split(u'\n');
        for (const QString &line : lines) {
            const QStringList fields = line.split(u'\t');
            if (fields.size() > 3 && fields.at(0) == id)
                return fields.at(3);
        }
        return QStringLiteral("(token %1 not listed: %2 %3)").arg(id, r.out, r.err);
    }

    static bool addAlice(const QString &dataDir)
    {
        const CommandResult r =
            coderoomd({QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"),
                       QStringLiteral("--class"), QStringLiteral("7b"),
                       QStringLiteral("--data-dir"), dataDir});
        if (r.exitCode != 0)
            qWarning() << "user add failed:" << r.out << r.err;
        return r.exitCode == 0;
    }

    ClientSettings settingsFor(const QUrl &url, const QString &token, const QString &caFile)
    {
        ClientSettings s;
        s.url = url;
        s.user = QStringLiteral("alice");
        s.token = token;
        s.caFile = caFile;
        s.backoffSeconds = {1};
        return s;
    }

private slots:
    void initTestCase()
    {
        QTest::failOnWarning(QRegularExpression(QStringLiteral("QProcess: Destroyed")));
        QVERIFY(m_dir.isValid());
        QString error;
        const auto cert = tests::makeCertificate(m_dir.path(), QStringLiteral("server"),
                                                 QStringLiteral("ec"), &error);
        QVERIFY2(cert, qPrintable(error));
        m_cert = *cert;
        m_ca = m_cert.certificate;
        const auto other = tests::makeCertificate(m_dir.path(), QStringLiteral("other"),
                                                  QStringLiteral("ec"), &error);
        QVERIFY2(other, qPrintable(error));
        m_otherCa = other->certificate;
        QVERIFY(makeCertificateFor(m_dir.path(), QStringLiteral("invalid"),
                                   QStringLiteral("DNS:example.invalid")));

        QVERIFY2(m_server.start({QStringLiteral("--tls-certificate"), m_cert.certificate,
                                 QStringLiteral("--tls-key"), m_cert.key,
                                 QStringLiteral("--warm-pool"), QStringLiteral("0")}),
                 m_server.stderrText().constData());
        QCOMPARE(m_server.url().scheme(), QStringLiteral("wss"));
        QVERIFY(addAlice(m_server.dataDir()));

        QVERIFY2(m_wrongHostServer.start({QStringLiteral("--tls-certificate"),
                                          m_dir.filePath(QStringLiteral("invalid.crt")),
                                          QStringLiteral("--tls-key"),
                                          m_dir.filePath(QStringLiteral("invalid.key")),
                                          QStringLiteral("--warm-pool"), QStringLiteral("0")}),
                 m_wrongHostServer.stderrText().constData());
        QVERIFY(addAlice(m_wrongHostServer.dataDir()));
    }

    void caFileThatSignedTheServerRunsPython()
    {
        const IssuedToken issued = issueToken(m_server.dataDir());
        QVERIFY(!issued.id.isEmpty());
        QCOMPARE(lastUsed(m_server.dataDir(), issued.id), QStringLiteral("-"));

        WsCodeService service(settingsFor(m_server.url(), issued.token, m_ca));
        service.open();
        QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Connected, ConnectMs);

        app::Job *job = service.run(pythonRun(QStringLiteral("print(6*7)\n")));
        QString out;
        connect(job, &app::Job::output, this,
                [&out](protocol::OutputStream, const QString &data) { out += data; });
        QSignalSpy finished(job, &app::Job::finished);
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 1, RunMs);
        const auto result = finished.at(0).at(0).value<protocol::Result>();
        QVERIFY2(result.status == protocol::Status::Ok, qPrintable(result.message));
        QCOMPARE(out, QStringLiteral("42\n"));
        // The server saw the personal token: the same check that stays "-" below can fail.
        QVERIFY(lastUsed(m_server.dataDir(), issued.id) != QLatin1String("-"));
    }

    void untrustedCertificateIsRefused_data()
    {
        QTest::addColumn<bool>("wrongHost");
        QTest::addColumn<QString>("caFile");
        QTest::addColumn<QString>("problem");
        QTest::addRow("without a CA file the classroom's certificate is not trusted")
            << false << QString() << QStringLiteral("not signed by a certificate authority");
        QTest::addRow("a CA file that did not sign the certificate is refused")
            << false << m_otherCa << QStringLiteral("was not signed by the CA certificate in");
        QTest::addRow("a certificate for another host name is refused even by its own CA")
            << true << m_dir.filePath(QStringLiteral("invalid.crt"))
            << QStringLiteral("certificate is for another host name, not 127.0.0.1");
    }

    void untrustedCertificateIsRefused()
    {
        QFETCH(bool, wrongHost);
        QFETCH(QString, caFile);
        QFETCH(QString, problem);
        tests::ServerProcess &server = wrongHost ? m_wrongHostServer : m_server;
        const IssuedToken issued = issueToken(server.dataDir());
        QVERIFY(!issued.id.isEmpty());

        WsCodeService service(settingsFor(server.url(), issued.token, caFile));
        StateLog log(&service);
        service.open();
        QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Offline, ConnectMs);
        const QString detail = service.stateDetail();
        QVERIFY2(detail.contains(problem), qPrintable(detail));
        QVERIFY2(detail.startsWith(QLatin1String("Refused the server wss://127.0.0.1:")),
                 qPrintable(detail));
        // Human words, not a socket enum.
        QVERIFY2(!detail.contains(QLatin1String("Error")) && !detail.contains(u"::"),
                 qPrintable(detail));
        QVERIFY(!log.states.contains(ConnectionState::Connected));
        // Retrying can't fix a certificate: no Reconnecting loop.
        QVERIFY(!log.states.contains(ConnectionState::Reconnecting));

        // The token never reached the server: its account database never saw it used, and its
        // log does not carry it.
        QCOMPARE(lastUsed(server.dataDir(), issued.id), QStringLiteral("-"));
        QVERIFY(!server.stderrText().contains(issued.token.toUtf8()));
    }

    void unusableCaFileFailsBeforeConnecting_data()
    {
        QTest::addColumn<QString>("caFile");
        QTest::addColumn<QString>("problem");
        QTest::addRow("a CA file that does not exist")
            << m_dir.filePath(QStringLiteral("nope.crt")) << QStringLiteral("does not exist");
        QTest::addRow("a directory instead of a CA file")
            << m_dir.path() << QStringLiteral("Cannot read the CA certificate file");
        QTest::addRow("a CA file with no certificate in it")
            << m_cert.key << QStringLiteral("holds no certificate");
    }

    void unusableCaFileFailsBeforeConnecting()
    {
        QFETCH(QString, caFile);
        QFETCH(QString, problem);
        WsCodeService service(settingsFor(m_server.url(), QStringLiteral("crt_x_y"), caFile));
        StateLog log(&service);
        service.open();
        QCOMPARE(service.state(), ConnectionState::Offline); // at once: nothing was sent
        QVERIFY(!log.states.contains(ConnectionState::Connecting));
        QVERIFY2(service.stateDetail().contains(problem), qPrintable(service.stateDetail()));
        QVERIFY2(service.stateDetail().contains(caFile), qPrintable(service.stateDetail()));
    }

    void aCaFileInDerFormatIsAccepted()
    {
        const QList<QSslCertificate> pem = QSslCertificate::fromPath(m_ca);
        QCOMPARE(pem.size(), 1);
        const QString der = m_dir.filePath(QStringLiteral("server.der"));
        QFile file(der);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(pem.first().toDer());
        file.close();

        WsCodeService service(
            settingsFor(m_server.url(), issueToken(m_server.dataDir()).token, der));
        service.open();
        QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Connected, ConnectMs);
    }

    void redirectFromWssToWsIsRefused()
    {
        QWebSocketServer plain(QStringLiteral("plain"), QWebSocketServer::NonSecureMode);
        QVERIFY(plain.listen(QHostAddress::LocalHost, 0));
        QSignalSpy plainConnections(&plain, &QWebSocketServer::newConnection);

        QFile keyFile(m_cert.key);
        QVERIFY(keyFile.open(QIODevice::ReadOnly));
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setLocalCertificate(QSslCertificate::fromPath(m_cert.certificate).value(0));
        tls.setPrivateKey(QSslKey(keyFile.readAll(), QSsl::Ec));
        tls.setPeerVerifyMode(QSslSocket::VerifyNone);
        const QString target =
            QStringLiteral("ws://127.0.0.1:%1/api/v1/ws").arg(plain.serverPort());
        RedirectingTlsServer front(tls, target);
        QVERIFY(front.listen());

        WsCodeService service(settingsFor(front.url(), QStringLiteral("crt_a_secret"), m_ca));
        StateLog log(&service);
        service.open();
        QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Offline, ConnectMs);
        QVERIFY2(service.stateDetail().contains(QLatin1String("Refused a redirect from wss://")),
                 qPrintable(service.stateDetail()));
        QVERIFY2(service.stateDetail().contains(target), qPrintable(service.stateDetail()));
        QCOMPARE(service.currentUrl(), front.url()); // it never dialled the ws:// URL
        QCOMPARE(plainConnections.size(), 0);
    }

    void connectDialogFeedsTheClient()
    {
        const IssuedToken issued = issueToken(m_server.dataDir());
        ui::ConnectionDialog dialog(ui::ConnectionSettings{});
        auto *url = dialog.findChild<QLineEdit *>(QStringLiteral("url"));
        auto *user = dialog.findChild<QLineEdit *>(QStringLiteral("user"));
        auto *token = dialog.findChild<QLineEdit *>(QStringLiteral("token"));
        auto *caFile = dialog.findChild<QLineEdit *>(QStringLiteral("caFile"));
        auto *remember = dialog.findChild<QCheckBox *>(QStringLiteral("rememberToken"));
        auto *caProblem = dialog.findChild<QLabel *>(QStringLiteral("caProblem"));
        auto *buttons = dialog.findChild<QDialogButtonBox *>();
        QVERIFY(url && user && token && caFile && remember && caProblem && buttons);
        QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));

        QVERIFY(!ok->isEnabled()); // no URL yet
        QTest::keyClicks(url, m_server.url().toString());
        QTest::keyClicks(user, QStringLiteral("alice"));
        QTest::keyClicks(token, issued.token);
        QCOMPARE(token->echoMode(), QLineEdit::Password);
        QTest::keyClicks(caFile, m_dir.filePath(QStringLiteral("missing.crt")));
        QVERIFY(!ok->isEnabled()); // a CA file that isn't there is said before connecting
        QVERIFY(caProblem->isVisible());
        caFile->clear();
        QTest::keyClicks(caFile, m_ca);
        QVERIFY(ok->isEnabled());
        QVERIFY(!caProblem->isVisible());
        QTest::mouseClick(ok, Qt::LeftButton);
        QCOMPARE(dialog.result(), int(QDialog::Accepted));

        const ui::ConnectionSettings chosen = dialog.settings();
        QVERIFY(chosen.remote);
        ui::ServiceProvider provider;
        provider.apply(chosen);
        auto *service = qobject_cast<WsCodeService *>(provider.service());
        QVERIFY(service);
        const ClientSettings used = service->settings();
        QCOMPARE(used.url, m_server.url());
        QCOMPARE(used.user, QStringLiteral("alice"));
        QCOMPARE(used.token, issued.token);
        QCOMPARE(used.caFile, m_ca);
        QTRY_COMPARE_WITH_TIMEOUT(service->state(), ConnectionState::Connected, ConnectMs);
    }

    void rememberDecidesWhetherTheTokenIsStored_data()
    {
        QTest::addColumn<bool>("remember");
        QTest::addRow("remember on keeps the token for the next start") << true;
        QTest::addRow("remember off stores no token and forgets an old one") << false;
    }

    void rememberDecidesWhetherTheTokenIsStored()
    {
        QFETCH(bool, remember);
        const QString path = m_dir.filePath(QStringLiteral("settings-%1.ini").arg(remember));
        {
            QSettings store(path, QSettings::IniFormat);
            store.setValue(QStringLiteral("connection/token"), QStringLiteral("crt_old_token"));
        }
        ui::ConnectionSettings start;
        start.rememberToken = true;
        ui::ConnectionDialog dialog(start);
        dialog.findChild<QLineEdit *>(QStringLiteral("url"))->setText(m_server.url().toString());
        dialog.findChild<QLineEdit *>(QStringLiteral("token"))
            ->setText(QStringLiteral("crt_new_token"));
        dialog.findChild<QLineEdit *>(QStringLiteral("caFile"))->setText(m_ca);
        dialog.findChild<QCheckBox *>(QStringLiteral("rememberToken"))->setChecked(remember);
        {
            QSettings store(path, QSettings::IniFormat);
            dialog.settings().save(store);
        }

        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray text = file.readAll();
        QCOMPARE(text.contains("crt_new_token"), remember);
        QVERIFY(!text.contains("crt_old_token"));
        const auto loaded = ui::ConnectionSettings::load(QSettings(path, QSettings::IniFormat));
        QCOMPARE(loaded.token, remember ? QStringLiteral("crt_new_token") : QString());
        QCOMPARE(loaded.rememberToken, remember);
        QCOMPARE(loaded.caFile, m_ca); // the CA path is not a secret: it stays for next time
        QVERIFY(loaded.remote);
    }

    void cleanupTestCase()
    {
        m_server.terminate();
        m_wrongHostServer.terminate();
        QVERIFY(m_server.waitForExit(15000));
        QVERIFY(m_wrongHostServer.waitForExit(15000));
    }
};

int main(int argc, char **argv)
{
    // Widget tests without a display, also when run by hand (ctest sets this too).
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    app.setAttribute(Qt::AA_Use96Dpi, true);
    TestRemoteTls test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_remotetls.moc"
