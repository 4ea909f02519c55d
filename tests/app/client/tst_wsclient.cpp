// WsCodeService against a fake server (a QWebSocketServer in this process that produces the
// failure modes a real coderoomd can't on demand: redirects, drops mid-job, garbage) and, when
// it is built, against the real coderoomd.
#include "codec.h"
#include "localserver.h"
#include "wscodeservice.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <functional>

using namespace coderoom;
using app::ConnectionState;
using client::ClientSettings;
using client::WsCodeService;

namespace {

// A scriptable server: answers hello with welcome, session.open with session.opened, and runs
// with accepted/started/output/result unless a test overrides a reply.
class FakeServer : public QObject
{
    Q_OBJECT
public:
    std::function<bool(QWebSocket *, const protocol::ClientMessage &)> override;
    QList<protocol::ClientMessage> received;
    QList<QWebSocket *> clients;
    bool holdRuns = false; // accept runs but never finish them
    int hellos = 0;

    FakeServer() { listen(0); }

    bool listen(quint16 port)
    {
        m_server = std::make_unique<QWebSocketServer>(QStringLiteral("fake"),
                                                      QWebSocketServer::NonSecureMode);
        connect(m_server.get(), &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *socket = m_server->nextPendingConnection()) {
                clients.append(socket);
                connect(socket, &QWebSocket::textMessageReceived, this,
                        [this, socket](const QString &text) { onText(socket, text); });
                connect(socket, &QWebSocket::disconnected, this, [this, socket] {
                    clients.removeAll(socket);
                    socket->deleteLater();
                });
            }
        });
        const bool ok = m_server->listen(QHostAddress::LocalHost, port);
        m_port = m_server->serverPort();
        return ok;
    }
    void stopListening() { m_server->close(); }
    quint16 port() const { return m_port; }
    QUrl url() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1/api/v1/ws").arg(port())); }

    void send(QWebSocket *socket, const protocol::ServerMessage &message)
    {
        socket->sendTextMessage(QString::fromUtf8(protocol::encode(message)));
    }
    void dropAll()
    {
        for (QWebSocket *socket : std::as_const(clients))
            socket->abort();
    }
    template<typename T> QList<T> receivedOf() const
    {
        QList<T> out;
        for (const auto &message : received) {
            if (const T *m = std::get_if<T>(&message))
                out.append(*m);
        }
        return out;
    }

private:
    void onText(QWebSocket *socket, const QString &text)
    {
        const auto decoded = protocol::decodeClientMessage(text.toUtf8());
        QVERIFY2(decoded.isValid(), qPrintable(text));
        const protocol::ClientMessage &message = decoded.message();
        received.append(message);
        if (std::holds_alternative<protocol::Hello>(message))
            ++hellos;
        if (override && override(socket, message))
            return;
        if (const auto *hello = std::get_if<protocol::Hello>(&message)) {
            protocol::Welcome welcome;
            welcome.id = hello->id;
            welcome.server = QStringLiteral("fake/1");
            welcome.languages = {{QStringLiteral("python"),
                                  QStringLiteral("Python"),
                                  QStringLiteral("3"),
                                  true,
                                  {QStringLiteral("py")}}};
            send(socket, welcome);
        } else if (const auto *open = std::get_if<protocol::SessionOpen>(&message)) {
            protocol::SessionOpened opened;
            opened.id = open->id;
            opened.session = open->session.isEmpty() ? QStringLiteral("s1") : open->session;
            opened.language = QStringLiteral("python");
            opened.restored = !open->session.isEmpty();
            opened.history = opened.restored ? 2 : 0;
            send(socket, opened);
        } else if (const auto *run = std::get_if<protocol::Run>(&message)) {
            const QString request = QStringLiteral("r%1").arg(++m_requests);
            send(socket, protocol::Accepted{run->id, request, 0});
            send(socket, protocol::Started{request});
            if (holdRuns)
                return;
            send(socket,
                 protocol::Output{request, protocol::OutputStream::Stdout, QStringLiteral("hi\n")});
            protocol::Result result;
            result.id = run->id;
            result.request = request;
            send(socket, result);
        }
    }

    std::unique_ptr<QWebSocketServer> m_server;
    quint16 m_port = 0;
    int m_requests = 0;
};

ClientSettings settingsFor(const QUrl &url)
{
    ClientSettings settings;
    settings.url = url;
    settings.user = QStringLiteral("alice");
    settings.token = QStringLiteral("secret");
    return settings;
}

app::RunSpec pythonRun(const QString &code)
{
    app::RunSpec spec;
    spec.language = QStringLiteral("python");
    spec.files = {{QStringLiteral("main.py"), code}};
    return spec;
}

} // namespace

class TestWsClient : public QObject
{
    Q_OBJECT
private slots:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral("QProcess: Destroyed"))); }

    void helloCarriesTheSettingsAndWelcomeConnects();
    void runStreamsEventsInOrder();
    void redirectIsFollowed();
    void redirectHopsAreLimited();
    void unauthorizedGoesOfflineWithoutRetrying();
    void jobInFlightFinishesWhenTheConnectionDrops();
    void reconnectBacksOffAndResumesSessions();
    void serverSessionRestoredIsForwarded();
    void garbageFromTheServerIsIgnored();
    void controlsWaitForTheRequestId();
    void runWhileOfflineFinishesWithAnError();
    void cancelBeforeSendingFinishesCancelled();
    void workWaitsWhileTheLocalServerStarts();
    void unreadableCaFileGoesOffline();
    void realServerRunsPython();
};

void TestWsClient::helloCarriesTheSettingsAndWelcomeConnects()
{
    FakeServer server;
    WsCodeService service(settingsFor(server.url()));
    QSignalSpy languages(&service, &app::CodeService::languagesChanged);
    service.open();
    QCOMPARE(service.state(), ConnectionState::Connecting);
    QTRY_COMPARE(service.state(), ConnectionState::Connected);
    QCOMPARE(service.stateDetail(), QStringLiteral("127.0.0.1:%1").arg(server.port()));
    QCOMPARE(languages.count(), 1);
    QCOMPARE(service.languages().value(0).id, QStringLiteral("python"));
    const auto hellos = server.receivedOf<protocol::Hello>();
    QCOMPARE(hellos.size(), 1);
    QCOMPARE(hellos[0].token, QStringLiteral("secret"));
    QCOMPARE(hellos[0].user, QStringLiteral("alice"));
    QCOMPARE(hellos[0].client, QStringLiteral("coderoom-desktop/0.1"));
}

void TestWsClient::runStreamsEventsInOrder()
{
    FakeServer server;
    WsCodeService service(settingsFor(server.url()));
    service.open();
    // Asked for before the connection is up: it waits and is sent after welcome.
    QPointer<app::Job> job = service.run(pythonRun(QStringLiteral("print('hi')")));
    QStringList events;
    connect(job, &app::Job::accepted, this, [&] { events << QStringLiteral("accepted"); });
    connect(job, &app::Job::started, this, [&] { events << QStringLiteral("started"); });
    connect(job, &app::Job::output, this, [&](protocol::OutputStream, const QString &data) {
        events << QStringLiteral("output:") + data;
    });
    QSignalSpy finished(job, &app::Job::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(events, (QStringList{QStringLiteral("accepted"), QStringLiteral("started"),
                                  QStringLiteral("output:hi\n")}));
    const auto result = finished.at(0).at(0).value<protocol::Result>();
    QCOMPARE(result.status, protocol::Status::Ok);
    QCOMPARE(result.request, QStringLiteral("r1"));
    QTRY_VERIFY(job.isNull()); // deleted some time after finished()
}

void TestWsClient::redirectIsFollowed()
{
    FakeServer target;
    FakeServer front;
    front.override = [&](QWebSocket *socket, const protocol::ClientMessage &message) {
        if (const auto *hello = std::get_if<protocol::Hello>(&message)) {
            front.send(socket, protocol::Redirect{hello->id, target.url().toString(),
                                                  QStringLiteral("node-b")});
            socket->close();
            return true;
        }
        return false;
    };
    WsCodeService service(settingsFor(front.url()));
    service.open();
    QTRY_COMPARE(service.state(), ConnectionState::Connected);
    QCOMPARE(service.currentUrl(), target.url());
    QCOMPARE(front.hellos, 1);
    QCOMPARE(target.hellos, 1);
    QCOMPARE(target.receivedOf<protocol::Hello>().value(0).token, QStringLiteral("secret"));
}

void TestWsClient::redirectHopsAreLimited()
{
    FakeServer loop; // redirects to itself forever
    loop.override = [&](QWebSocket *socket, const protocol::ClientMessage &message) {
        if (const auto *hello = std::get_if<protocol::Hello>(&message)) {
            loop.send(socket, protocol::Redirect{hello->id, loop.url().toString(), {}});
            return true;
        }
        return false;
    };
    WsCodeService service(settingsFor(loop.url()));
    service.open();
    QTRY_COMPARE(service.state(), ConnectionState::Offline);
    QVERIFY2(service.stateDetail().contains(QStringLiteral("redirect")),
             qPrintable(service.stateDetail()));
    QCOMPARE(loop.hellos, 4); // the first hello and three hops
}

void TestWsClient::unauthorizedGoesOfflineWithoutRetrying()
{
    FakeServer server;
    server.override = [&](QWebSocket *socket, const protocol::ClientMessage &message) {
        if (const auto *hello = std::get_if<protocol::Hello>(&message)) {
            server.send(socket, protocol::Error{hello->id, protocol::ErrorCode::Unauthorized,
                                                QStringLiteral("bad token")});
            socket->close();
            return true;
        }
        return false;
    };
    WsCodeService service(settingsFor(server.url()));
    QSignalSpy states(&service, &app::CodeService::stateChanged);
    service.open();
    QTRY_COMPARE(service.state(), ConnectionState::Offline);
    QVERIFY(service.stateDetail().contains(QStringLiteral("bad token")));
    // Reconnecting would be a retry loop against a server that said no.
    for (const auto &args : std::as_const(states))
        QVERIFY(args.at(0).value<ConnectionState>() != ConnectionState::Reconnecting);
    QCOMPARE(server.hellos, 1);
}

void TestWsClient::jobInFlightFinishesWhenTheConnectionDrops()
{
    FakeServer server;
    server.holdRuns = true;
    WsCodeService service(settingsFor(server.url()));
    service.open();
    QTRY_COMPARE(service.state(), ConnectionState::Connected);
    app::Job *job = service.run(pythonRun(QStringLiteral("while True: pass")));
    QSignalSpy started(job, &app::Job::started);
    QSignalSpy finished(job, &app::Job::finished);
    QTRY_COMPARE(started.count(), 1);
    server.dropAll();
    QTRY_COMPARE(finished.count(), 1);
    const auto result = finished.at(0).at(0).value<protocol::Result>();
    QCOMPARE(result.status, protocol::Status::InternalError);
    QVERIFY2(result.message.contains(QStringLiteral("lost")), qPrintable(result.message));
    QCOMPARE(result.request, QStringLiteral("r1"));
    QCOMPARE(service.state(), ConnectionState::Reconnecting);
    QCOMPARE(service.retryInSeconds(), 1);
}

void TestWsClient::reconnectBacksOffAndResumesSessions()
{
    FakeServer server;
    const quint16 port = server.port();
    WsCodeService service(settingsFor(server.url()));
    service.open();
    QTRY_COMPARE(service.state(), ConnectionState::Connected);
    app::ReplSession *session = service.openSession(QStringLiteral("python"));
    QSignalSpy opened(session, &app::ReplSession::opened);
    QSignalSpy restored(session, &app::ReplSession::restored);
    QTRY_COMPARE(opened.count(), 1);
    QCOMPARE(session->sessionId(), QStringLiteral("s1"));

    QList<int> countdown;
    connect(&service, &app::CodeService::stateChanged, this, [&](ConnectionState state) {
        if (state == ConnectionState::Reconnecting)
            countdown << service.retryInSeconds();
    });
    server.stopListening(); // the first retry is refused, so the second waits longer
    server.dropAll();
    QTRY_VERIFY_WITH_TIMEOUT(countdown.contains(2), 10000);
    QVERIFY(server.listen(port));
    QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Connected, 10000);
    // 1 s wait, refused, then a 2 s wait counted down a second at a time.
    QCOMPARE(countdown.mid(0, 3), (QList<int>{1, 2, 1}));

    QTRY_COMPARE(restored.count(), 1);
    QCOMPARE(restored.at(0).at(0).value<protocol::RestoreReason>(),
             protocol::RestoreReason::Restart);
    QCOMPARE(restored.at(0).at(1).toLongLong(), 2);
    const auto opens = server.receivedOf<protocol::SessionOpen>();
    QCOMPARE(opens.size(), 2);
    QCOMPARE(opens[1].session, QStringLiteral("s1"));
    QCOMPARE(opened.count(), 1); // a resume is not a second open
}

void TestWsClient::serverSessionRestoredIsForwarded()
{
    FakeServer server;
    WsCodeService service(settingsFor(server.url()));
    service.open();
    app::ReplSession *session = service.openSession(QStringLiteral("python"));
    QSignalSpy opened(session, &app::ReplSession::opened);
    QSignalSpy restored(session, &app::ReplSession::restored);
    QTRY_COMPARE(opened.count(), 1);
    protocol::SessionRestored event;
    event.session = QStringLiteral("s1");
    event.reason = protocol::RestoreReason::Crash;
    event.replayed = 3;
    server.send(server.clients.value(0), event);
    QTRY_COMPARE(restored.count(), 1);
    QCOMPARE(restored.at(0).at(0).value<protocol::RestoreReason>(), protocol::RestoreReason::Crash);
    QCOMPARE(restored.at(0).at(1).toLongLong(), 3);
}

void TestWsClient::garbageFromTheServerIsIgnored()
{
    FakeServer server;
    WsCodeService service(settingsFor(server.url()));
    service.open();
    QTRY_COMPARE(service.state(), ConnectionState::Connected);
    QWebSocket *socket = server.clients.value(0);
    socket->sendTextMessage(QStringLiteral("this is not json"));
    socket->sendTextMessage(QStringLiteral("{\"type\":\"no.such.type\"}"));
    socket->sendTextMessage(QStringLiteral("{\"type\":\"output\",\"request\":\"nobody\","
                                           "\"stream\":\"stdout\",\"data\":\"x\"}"));
    app::Job *job = service.run(pythonRun(QStringLiteral("print('hi')")));
    QSignalSpy finished(job, &app::Job::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).value<protocol::Result>().status, protocol::Status::Ok);
    QCOMPARE(service.state(), ConnectionState::Connected);
    QCOMPARE(server.hellos, 1);
}

void TestWsClient::controlsWaitForTheRequestId()
{
    FakeServer server;
    QWebSocket *peer = nullptr;
    QString runId;
    server.override = [&](QWebSocket *socket, const protocol::ClientMessage &message) {
        if (const auto *run = std::get_if<protocol::Run>(&message)) {
            peer = socket;
            runId = run->id;
            return true; // accepted later, by the test
        }
        return std::holds_alternative<protocol::Input>(message) ||
               std::holds_alternative<protocol::Cancel>(message);
    };
    WsCodeService service(settingsFor(server.url()));
    service.open();
    QTRY_COMPARE(service.state(), ConnectionState::Connected);
    app::Job *job = service.run(pythonRun(QStringLiteral("input()")));
    QTRY_VERIFY(peer != nullptr);
    job->sendInput(QStringLiteral("5\n"));
    job->sendEof();
    QSignalSpy accepted(job, &app::Job::accepted);
    QVERIFY(server.receivedOf<protocol::Input>().isEmpty());

    server.send(peer, protocol::Accepted{runId, QStringLiteral("r9"), 2});
    QTRY_COMPARE(server.receivedOf<protocol::Input>().size(), 2);
    QCOMPARE(accepted.count(), 1);
    QCOMPARE(accepted.at(0).at(0).toInt(), 2);
    const auto inputs = server.receivedOf<protocol::Input>();
    QCOMPARE(inputs[0].request, QStringLiteral("r9"));
    QCOMPARE(inputs[0].data, QStringLiteral("5\n"));
    QVERIFY(inputs[1].eof);
    job->cancel();
    QTRY_COMPARE(server.receivedOf<protocol::Cancel>().size(), 1);
    QCOMPARE(server.receivedOf<protocol::Cancel>()[0].request, QStringLiteral("r9"));
}

void TestWsClient::runWhileOfflineFinishesWithAnError()
{
    WsCodeService service; // never opened: Offline
    app::Job *job = service.run(pythonRun(QStringLiteral("print(1)")));
    QSignalSpy finished(job, &app::Job::finished);
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).value<protocol::Result>().status,
             protocol::Status::InternalError);
}

void TestWsClient::cancelBeforeSendingFinishesCancelled()
{
    FakeServer server;
    server.stopListening();
    WsCodeService service(settingsFor(server.url()));
    service.open(); // refused: Reconnecting, so the run waits
    app::Job *job = service.run(pythonRun(QStringLiteral("print(1)")));
    QSignalSpy finished(job, &app::Job::finished);
    job->cancel();
    QCOMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).value<protocol::Result>().status, protocol::Status::Cancelled);
    QVERIFY(server.received.isEmpty());
}

void TestWsClient::workWaitsWhileTheLocalServerStarts()
{
    FakeServer server;
    WsCodeService service;
    service.awaitServer(QStringLiteral("Starting the local server"));
    QCOMPARE(service.state(), ConnectionState::Starting);
    app::Job *job = service.run(pythonRun(QStringLiteral("print('hi')")));
    app::ReplSession *session = service.openSession(QStringLiteral("python"));
    QSignalSpy finished(job, &app::Job::finished);
    QSignalSpy opened(session, &app::ReplSession::opened);
    QSignalSpy failed(session, &app::ReplSession::failed);

    service.setSettings(settingsFor(server.url())); // the URL is known now
    service.open();
    QTRY_COMPARE(finished.count(), 1);
    QCOMPARE(finished.at(0).at(0).value<protocol::Result>().status, protocol::Status::Ok);
    QTRY_COMPARE(opened.count(), 1);
    QCOMPARE(failed.count(), 0);
}

void TestWsClient::unreadableCaFileGoesOffline()
{
    ClientSettings settings = settingsFor(QUrl(QStringLiteral("wss://127.0.0.1:1/api/v1/ws")));
    settings.caFile = QStringLiteral("/nonexistent/ca.pem");
    WsCodeService service(settings);
    service.open();
    QCOMPARE(service.state(), ConnectionState::Offline);
    QVERIFY(service.stateDetail().contains(QStringLiteral("/nonexistent/ca.pem")));
}

void TestWsClient::realServerRunsPython()
{
#ifndef CODEROOMD_PATH
    QFAIL("coderoomd is not built; this build cannot test against the real server");
#else
    QTemporaryDir dir;
    localserver::LocalServerSetup setup;
    setup.program = QStringLiteral(CODEROOMD_PATH);
    setup.dataDir = dir.path();
    localserver::LocalServer server(setup);
    QSignalSpy ready(&server, &localserver::LocalServer::ready);
    server.start();
    QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 30000);

    ClientSettings settings = settingsFor(server.url());
    settings.token = server.token();
    WsCodeService service(settings);
    service.open();
    QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Connected, 10000);
    QVERIFY(!service.languages().isEmpty());
    app::Job *job = service.run(pythonRun(QStringLiteral("print(1+1)")));
    QString out;
    connect(job, &app::Job::output, this,
            [&](protocol::OutputStream, const QString &data) { out += data; });
    QSignalSpy started(job, &app::Job::started);
    QSignalSpy finished(job, &app::Job::finished);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    const auto result = finished.at(0).at(0).value<protocol::Result>();
    QCOMPARE(result.status, protocol::Status::Ok);
    QCOMPARE(started.count(), 1);
    QCOMPARE(out, QStringLiteral("2\n"));
#endif
}

QTEST_GUILESS_MAIN(TestWsClient)
#include "tst_wsclient.moc"
