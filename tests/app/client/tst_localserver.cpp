// LocalServer's state machine against small stand-in scripts (silent, crashing, deaf to
// SIGTERM) and local mode (LocalCodeService) against the real coderoomd.
#include "localcodeservice.h"
#include "localserver.h"
#include "wscodeservice.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <signal.h>
#include <sys/stat.h>

using namespace coderoom;
using app::ConnectionState;
using localserver::LocalServer;
using localserver::LocalServerOutcome;
using localserver::LocalServerSetup;
using localserver::LocalServerState;

namespace {

// Writes an executable /bin/sh script standing in for coderoomd.
QString writeScript(const QTemporaryDir &dir, const QString &name, const QByteArray &body)
{
    const QString path = dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return {};
    file.write("#!/bin/sh\n" + body + '\n');
    file.close();
    file.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
    return path;
}

const QByteArray AnnounceAndWait = "printf '%s\\n' \"$@\" > \"$(dirname \"$0\")/args.txt\"\n"
                                   "echo 'coderoomd listening on ws://127.0.0.1:4321/api/v1/ws'\n"
                                   "exec sleep 60";

} // namespace

class TestLocalServer : public QObject
{
    Q_OBJECT
private slots:
    void init() { QTest::failOnWarning(QRegularExpression(QStringLiteral("QProcess: Destroyed"))); }

    void missingBinaryEndsWithNotFound();
    void announcedUrlIsLearnedAndTheTokenStaysOffTheCommandLine();
    void tokenFileIsPrivate();
    void stateMachine_data();
    void stateMachine();
    void stopKillsAServerThatIgnoresSigterm();
    void localModeConnectsAndRunsPython();
    void killedServerIsRestartedAndTheClientReconnects();
};

void TestLocalServer::missingBinaryEndsWithNotFound()
{
    QTemporaryDir dir;
    LocalServerSetup setup;
    setup.program = dir.filePath(QStringLiteral("no-such-coderoomd"));
    setup.dataDir = dir.path();
    LocalServer server(setup);
    QSignalSpy done(&server, &LocalServer::done);
    server.start();
    QCOMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).value<LocalServerOutcome>(), LocalServerOutcome::NotFound);
    QCOMPARE(server.state(), LocalServerState::Stopped);
}

void TestLocalServer::announcedUrlIsLearnedAndTheTokenStaysOffTheCommandLine()
{
    QTemporaryDir dir;
    LocalServerSetup setup;
    setup.program = writeScript(dir, QStringLiteral("fake-coderoomd"), AnnounceAndWait);
    setup.dataDir = dir.filePath(QStringLiteral("data"));
    LocalServer server(setup);
    QSignalSpy ready(&server, &LocalServer::ready);
    QSignalSpy done(&server, &LocalServer::done);
    server.start();
    QCOMPARE(server.state(), LocalServerState::Starting);
    QTRY_COMPARE(ready.count(), 1);
    QCOMPARE(server.state(), LocalServerState::Running);
    QCOMPARE(server.url(), QUrl(QStringLiteral("ws://127.0.0.1:4321/api/v1/ws")));
    QCOMPARE(server.token().size(), 64); // 32 random bytes, hex

    QFile argsFile(dir.filePath(QStringLiteral("args.txt")));
    QTRY_VERIFY(argsFile.exists() && argsFile.size() > 0);
    QVERIFY(argsFile.open(QIODevice::ReadOnly));
    const QStringList args = QString::fromUtf8(argsFile.readAll()).split(u'\n', Qt::SkipEmptyParts);
    QCOMPARE(args, (QStringList{QStringLiteral("--listen"), QStringLiteral("127.0.0.1:0"),
                                QStringLiteral("--data-dir"), setup.dataDir,
                                QStringLiteral("--token-file"), server.tokenFile()}));
    QVERIFY(!args.join(u' ').contains(server.token()));

    server.stop();
    QCOMPARE(server.state(), LocalServerState::Stopping);
    QTRY_COMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).value<LocalServerOutcome>(), LocalServerOutcome::Stopped);
    QCOMPARE(server.state(), LocalServerState::Stopped);
}

void TestLocalServer::tokenFileIsPrivate()
{
    QTemporaryDir dir;
    LocalServerSetup setup;
    setup.program = writeScript(dir, QStringLiteral("fake-coderoomd"), AnnounceAndWait);
    setup.dataDir = dir.filePath(QStringLiteral("data"));
    // A stale, world-readable file from an older run must not keep its mode.
    QDir().mkpath(setup.dataDir);
    QFile stale(setup.dataDir + QStringLiteral("/desktop-token"));
    QVERIFY(stale.open(QIODevice::WriteOnly));
    stale.write("old");
    stale.close();
    stale.setPermissions(QFile::ReadOwner | QFile::WriteOwner | QFile::ReadOther);

    LocalServer server(setup);
    QSignalSpy ready(&server, &LocalServer::ready);
    server.start();
    QTRY_COMPARE(ready.count(), 1);
    struct stat st = {};
    QCOMPARE(::stat(QFile::encodeName(server.tokenFile()).constData(), &st), 0);
    QCOMPARE(st.st_mode & 0777, mode_t(0600));
    QFile token(server.tokenFile());
    QVERIFY(token.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromLatin1(token.readAll().trimmed()), server.token());
}

void TestLocalServer::stateMachine_data()
{
    QTest::addColumn<QByteArray>("script");
    QTest::addColumn<int>("maxRestarts");
    QTest::addColumn<int>("expectedCrashes");
    QTest::addColumn<QList<LocalServerState>>("expectedStates");

    using S = LocalServerState;
    QTest::addRow("a server that exits at once is restarted, then given up on")
        << QByteArray("exit 3") << 2 << 2
        << QList<S>{S::Starting, S::Crashed, S::Starting, S::Crashed, S::Starting, S::Stopped};
    QTest::addRow("a server that never announces its URL times out and is given up on")
        << QByteArray("exec sleep 60") << 0 << 0 << QList<S>{S::Starting, S::Stopped};
    QTest::addRow("a first line that is not the announcement counts as a failed start")
        << QByteArray("echo 'hello world'; exec sleep 60") << 0 << 0
        << QList<S>{S::Starting, S::Stopped};
}

void TestLocalServer::stateMachine()
{
    QFETCH(QByteArray, script);
    QFETCH(int, maxRestarts);
    QFETCH(int, expectedCrashes);
    QFETCH(QList<LocalServerState>, expectedStates);

    QTemporaryDir dir;
    LocalServerSetup setup;
    setup.program = writeScript(dir, QStringLiteral("fake-coderoomd"), script);
    setup.dataDir = dir.path();
    setup.startTimeoutMs = 1000;
    setup.maxRestarts = maxRestarts;
    LocalServer server(setup);
    QList<LocalServerState> states;
    connect(&server, &LocalServer::stateChanged, this,
            [&](LocalServerState state) { states << state; });
    QSignalSpy crashed(&server, &LocalServer::crashed);
    QSignalSpy done(&server, &LocalServer::done);
    server.start();
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 15000);
    QCOMPARE(done.at(0).at(0).value<LocalServerOutcome>(), LocalServerOutcome::GaveUp);
    QVERIFY(!done.at(0).at(1).toString().isEmpty());
    QCOMPARE(crashed.count(), expectedCrashes);
    QCOMPARE(states, expectedStates);
    QCOMPARE(server.processId(), 0);
}

void TestLocalServer::stopKillsAServerThatIgnoresSigterm()
{
    QTemporaryDir dir;
    LocalServerSetup setup;
    setup.program =
        writeScript(dir, QStringLiteral("deaf-coderoomd"),
                    "trap '' TERM\necho 'coderoomd listening on ws://127.0.0.1:4321/api/v1/ws'\n"
                    "while :; do sleep 0.2; done");
    setup.dataDir = dir.path();
    setup.stopTimeoutMs = 300;
    LocalServer server(setup);
    QSignalSpy ready(&server, &LocalServer::ready);
    QSignalSpy done(&server, &LocalServer::done);
    server.start();
    QTRY_COMPARE(ready.count(), 1);
    const qint64 pid = server.processId();
    QVERIFY(pid > 0);
    server.stop();
    QTRY_COMPARE(done.count(), 1);
    QCOMPARE(done.at(0).at(0).value<LocalServerOutcome>(), LocalServerOutcome::Stopped);
    QCOMPARE(::kill(pid_t(pid), 0), -1); // gone
}

void TestLocalServer::localModeConnectsAndRunsPython()
{
#ifndef CODEROOMD_PATH
    QFAIL("coderoomd is not built; this build cannot test local mode");
#else
    QTemporaryDir dir;
    LocalServerSetup setup;
    setup.program = QStringLiteral(CODEROOMD_PATH);
    setup.dataDir = dir.path();
    client::LocalCodeService service(setup);
    QSignalSpy states(&service, &app::CodeService::stateChanged);
    service.start();
    QCOMPARE(service.state(), ConnectionState::Starting);
    QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Connected, 30000);
    QCOMPARE(service.stateDetail(), QStringLiteral("Local"));
    QVERIFY(!service.languages().isEmpty());

    app::RunSpec spec;
    spec.language = QStringLiteral("python");
    spec.files = {{QStringLiteral("main.py"), QStringLiteral("print(1+1)")}};
    app::Job *job = service.run(spec);
    QString out;
    connect(job, &app::Job::output, this,
            [&](protocol::OutputStream, const QString &data) { out += data; });
    QSignalSpy finished(job, &app::Job::finished);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).value<protocol::Result>().status, protocol::Status::Ok);
    QCOMPARE(out, QStringLiteral("2\n"));

    service.stop();
    QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Offline, 15000);
    QCOMPARE(service.server()->state(), LocalServerState::Stopped);
#endif
}

void TestLocalServer::killedServerIsRestartedAndTheClientReconnects()
{
#ifndef CODEROOMD_PATH
    QFAIL("coderoomd is not built; this build cannot test local mode");
#else
    QTemporaryDir dir;
    LocalServerSetup setup;
    setup.program = QStringLiteral(CODEROOMD_PATH);
    setup.dataDir = dir.path();
    client::LocalCodeService service(setup);
    service.start();
    QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Connected, 30000);
    const QUrl firstUrl = service.server()->url();
    app::ReplSession *session = service.openSession(QStringLiteral("python"));
    QSignalSpy opened(session, &app::ReplSession::opened);
    QSignalSpy restored(session, &app::ReplSession::restored);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 30000);
    QSignalSpy defined(session->eval(QStringLiteral("x = 41")), &app::Job::finished);
    QTRY_COMPARE_WITH_TIMEOUT(defined.count(), 1, 30000);

    QSignalSpy crashed(service.server(), &LocalServer::crashed);
    QList<ConnectionState> states;
    connect(&service, &app::CodeService::stateChanged, this,
            [&](ConnectionState state) { states << state; });
    QCOMPARE(::kill(pid_t(service.server()->processId()), SIGKILL), 0);
    QTRY_COMPARE_WITH_TIMEOUT(crashed.count(), 1, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(service.state(), ConnectionState::Connected, 30000);
    QVERIFY(states.contains(ConnectionState::Starting));
    QVERIFY(service.server()->url() != firstUrl); // a fresh port, followed by the client

    // The session comes back by replay on the new server: its state is there.
    QTRY_COMPARE_WITH_TIMEOUT(restored.count(), 1, 30000);
    QCOMPARE(restored.at(0).at(0).value<protocol::RestoreReason>(),
             protocol::RestoreReason::Restart);
    QSignalSpy evaluated(session->eval(QStringLiteral("x + 1")), &app::Job::finished);
    QTRY_COMPARE_WITH_TIMEOUT(evaluated.count(), 1, 30000);
    const auto value = evaluated.at(0).at(0).value<protocol::Result>();
    QCOMPARE(value.status, protocol::Status::Ok);
    QCOMPARE(value.value.value_or(QString()), QStringLiteral("42"));

    app::RunSpec spec;
    spec.language = QStringLiteral("python");
    spec.files = {{QStringLiteral("main.py"), QStringLiteral("print('back')")}};
    app::Job *job = service.run(spec);
    QSignalSpy finished(job, &app::Job::finished);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 30000);
    QCOMPARE(finished.at(0).at(0).value<protocol::Result>().status, protocol::Status::Ok);
#endif
}

QTEST_GUILESS_MAIN(TestLocalServer)
#include "tst_localserver.moc"
