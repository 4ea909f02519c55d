#include "accounts.h"
#include "accountscli.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QTemporaryDir>
#include <QTest>

#include <fcntl.h>
#include <sys/stat.h>

using namespace coderoom::accounts;

namespace {

struct CliResult
{
    int code = -1;
    QString out;
    QString err;
};

CliResult cli(const QString &dataDir, const QStringList &args)
{
    CliResult r;
    QTextStream out(&r.out);
    QTextStream err(&r.err);
    r.code = runAccountsCommand(args, dataDir, out, err);
    out.flush();
    err.flush();
    return r;
}

// The table rows the CLI prints (header skipped), split on tabs.
QList<QStringList> rows(const QString &text)
{
    QList<QStringList> result;
    const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    for (qsizetype i = 1; i < lines.size(); ++i)
        result.append(lines.at(i).split(QLatin1Char('\t')));
    return result;
}

int fileMode(const QString &path)
{
    struct stat st = {};
    if (::stat(QFile::encodeName(path).constData(), &st) != 0)
        return -1;
    return int(st.st_mode & 0777);
}

} // namespace

class TstAccounts : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void cleanup();

    void authenticate_data();
    void authenticate();
    void identityCarriesRoleClassAndLimits();
    void tokensAreStoredHashed();
    void filesArePrivate();
    void userNames_data();
    void userNames();
    void classIdentity_data();
    void classIdentity();
    void lastUseIsRecorded();
    void newerSchemaIsRefused();

    void cliEndToEnd();
    void cliRefusals_data();
    void cliRefusals();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<Accounts> m_accounts;
    QString path() const { return Accounts::defaultPath(m_dir->path()); }
};

void TstAccounts::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_accounts = std::make_unique<Accounts>();
    QString error;
    QVERIFY2(m_accounts->open(path(), &error), qPrintable(error));
}

void TstAccounts::cleanup()
{
    m_accounts.reset();
    m_dir.reset();
}

enum class Tamper
{
    None,
    WrongSecret,
    Revoke,
    RemoveUser,
    OtherTokensId,
    Truncate,
    Empty,
    UpperCase,
    ClassTokenShape,
};

void TstAccounts::authenticate_data()
{
    QTest::addColumn<Tamper>("tamper");
    QTest::addColumn<bool>("accepted");
    QTest::addRow("an issued token authenticates") << Tamper::None << true;
    QTest::addRow("a wrong secret with a real id is refused") << Tamper::WrongSecret << false;
    QTest::addRow("a revoked token is refused") << Tamper::Revoke << false;
    QTest::addRow("a removed user's token is refused") << Tamper::RemoveUser << false;
    QTest::addRow("a secret under another token's id is refused") << Tamper::OtherTokensId << false;
    QTest::addRow("a truncated token is refused") << Tamper::Truncate << false;
    QTest::addRow("an empty token is refused") << Tamper::Empty << false;
    QTest::addRow("a token in another case is refused") << Tamper::UpperCase << false;
    QTest::addRow("a 64-hex class-style token is refused") << Tamper::ClassTokenShape << false;
}

void TstAccounts::authenticate()
{
    QFETCH(Tamper, tamper);
    QFETCH(bool, accepted);
    QString error;
    QVERIFY2(m_accounts->addUser(QStringLiteral("alice"), Role::Student, {}, &error),
             qPrintable(error));
    QVERIFY(m_accounts->addUser(QStringLiteral("bob"), Role::Student, {}, &error));
    const auto issued = m_accounts->issueToken(QStringLiteral("alice"), {}, &error);
    QVERIFY2(issued, qPrintable(error));
    const auto other = m_accounts->issueToken(QStringLiteral("bob"), {}, &error);
    QVERIFY(other);
    QVERIFY(issued->secret.startsWith(QLatin1String("crt_") + issued->id + QLatin1Char('_')));
    QCOMPARE(issued->secret.size(), 4 + 16 + 1 + 43);

    QString presented = issued->secret;
    switch (tamper) {
    case Tamper::None:
        break;
    case Tamper::WrongSecret:
        presented[presented.size() - 1] =
            presented.endsWith(QLatin1Char('A')) ? QLatin1Char('B') : QLatin1Char('A');
        break;
    case Tamper::Revoke:
        QVERIFY(m_accounts->revokeToken(issued->id, &error));
        QVERIFY(!m_accounts->revokeToken(issued->id, &error)); // only once
        break;
    case Tamper::RemoveUser:
        QVERIFY(m_accounts->removeUser(QStringLiteral("alice"), &error));
        QVERIFY(m_accounts->listTokens(QStringLiteral("alice")).isEmpty());
        break;
    case Tamper::OtherTokensId:
        presented = QLatin1String("crt_") + other->id + issued->secret.mid(4 + 16);
        break;
    case Tamper::Truncate:
        presented.chop(1);
        break;
    case Tamper::Empty:
        presented.clear();
        break;
    case Tamper::UpperCase:
        presented = presented.toUpper();
        break;
    case Tamper::ClassTokenShape:
        presented = QString(64, QLatin1Char('a'));
        break;
    }
    const std::optional<Identity> identity = m_accounts->authenticate(presented);
    QCOMPARE(identity.has_value(), accepted);
    if (accepted) {
        QCOMPARE(identity->user, QStringLiteral("alice"));
        QCOMPARE(identity->tokenId, issued->id);
        QVERIFY(!identity->viaClassToken);
    }
    // Whatever happened to alice's token, bob's still works.
    QVERIFY(m_accounts->authenticate(other->secret));
}

void TstAccounts::identityCarriesRoleClassAndLimits()
{
    QString error;
    m_accounts->setDefaultLimits(UserLimits{4, 8, 60});
    QVERIFY(
        m_accounts->addUser(QStringLiteral("Carol"), Role::Teacher, QStringLiteral("7b"), &error));
    LimitOverrides cls;
    cls.jobsPerMinute = 30;
    cls.liveSessions = 2;
    QVERIFY2(m_accounts->setClassLimits(QStringLiteral("7b"), cls, &error), qPrintable(error));
    LimitOverrides mine;
    mine.liveSessions = 6;
    QVERIFY(m_accounts->setUserLimits(QStringLiteral("carol"), mine, &error));
    LimitOverrides negative;
    negative.activeJobs = -1;
    QVERIFY(!m_accounts->setUserLimits(QStringLiteral("carol"), negative, &error));

    const auto issued =
        m_accounts->issueToken(QStringLiteral("carol"), QStringLiteral("laptop"), &error);
    QVERIFY2(issued, qPrintable(error));
    const auto identity = m_accounts->authenticate(issued->secret);
    QVERIFY(identity);
    QCOMPARE(identity->user, QStringLiteral("Carol")); // the stored spelling
    QCOMPARE(identity->role, Role::Teacher);
    QCOMPARE(identity->className, QStringLiteral("7b"));
    // defaults <- class (30/min, 2 sessions) <- user (6 sessions)
    QCOMPARE(identity->limits, (UserLimits{6, 8, 30}));
    QCOMPARE(m_accounts->listTokens(QStringLiteral("carol")).value(0).label,
             QStringLiteral("laptop"));
}

void TstAccounts::tokensAreStoredHashed()
{
    QString error;
    QVERIFY(m_accounts->addUser(QStringLiteral("alice"), Role::Student, {}, &error));
    QStringList secrets;
    for (int i = 0; i < 3; ++i) {
        const auto issued = m_accounts->issueToken(QStringLiteral("alice"), {}, &error);
        QVERIFY(issued);
        secrets.append(issued->secret.mid(4 + 16 + 1)); // the secret part alone
    }
    // Every byte SQLite wrote (main file, WAL, shared memory) is free of every secret, in text
    // and in its decoded binary form.
    QByteArray everything;
    for (const QString &suffix : {QString(), QStringLiteral("-wal"), QStringLiteral("-shm")}) {
        QFile f(path() + suffix);
        if (f.open(QIODevice::ReadOnly))
            everything += f.readAll();
    }
    QVERIFY(everything.size() > 4096);
    for (const QString &secret : secrets) {
        QVERIFY(!everything.contains(secret.toLatin1()));
        const QByteArray raw =
            QByteArray::fromBase64(secret.toLatin1(), QByteArray::Base64UrlEncoding);
        QCOMPARE(raw.size(), 32);
        QVERIFY(!everything.contains(raw));
    }
    // Below the API: each row has a 16-byte salt and a 32-byte hash, all different.
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst.peek"));
        db.setDatabaseName(path());
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(q.exec(QStringLiteral("SELECT salt, hash FROM tokens")));
        QSet<QByteArray> seen;
        int n = 0;
        while (q.next()) {
            ++n;
            QCOMPARE(q.value(0).toByteArray().size(), 16);
            QCOMPARE(q.value(1).toByteArray().size(), 32);
            seen.insert(q.value(0).toByteArray());
            seen.insert(q.value(1).toByteArray());
        }
        QCOMPARE(n, 3);
        QCOMPARE(seen.size(), 6);
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst.peek"));
}

void TstAccounts::filesArePrivate()
{
    QString error;
    QVERIFY(m_accounts->addUser(QStringLiteral("alice"), Role::Student, {}, &error));
    QCOMPARE(fileMode(path()), 0600);
    QVERIFY(QFile::exists(path() + QStringLiteral("-wal"))); // WAL mode is on
    QCOMPARE(fileMode(path() + QStringLiteral("-wal")), 0600);
    // The connection's descriptors are close-on-exec, so sandboxed children never inherit them.
    const QDir fds(QStringLiteral("/proc/self/fd"));
    int checked = 0;
    for (const QString &name : fds.entryList(QDir::Files | QDir::System | QDir::NoDotAndDotDot)) {
        const QString target = QFile::symLinkTarget(fds.filePath(name));
        if (!target.startsWith(path()))
            continue;
        ++checked;
        const int flags = ::fcntl(name.toInt(), F_GETFD);
        QVERIFY2(flags >= 0 && (flags & FD_CLOEXEC), qPrintable(target));
    }
    QVERIFY(checked >= 2);
}

void TstAccounts::userNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QString>("className");
    QTest::addColumn<bool>("added");
    QTest::addRow("a plain name is added") << "dave"
                                           << "" << true;
    QTest::addRow("an e-mail style name is added") << "dave.k@school"
                                                   << "7b" << true;
    QTest::addRow("a name differing only in case from alice is refused") << "ALICE"
                                                                         << "" << false;
    QTest::addRow("an empty name is refused") << ""
                                              << "" << false;
    QTest::addRow("a name with a space is refused") << "dave k"
                                                    << "" << false;
    QTest::addRow("a 65-character name is refused") << QString(65, QLatin1Char('x')) << "" << false;
    QTest::addRow("a class name with a slash is refused") << "erin"
                                                          << "7/b" << false;
}

void TstAccounts::userNames()
{
    QFETCH(QString, name);
    QFETCH(QString, className);
    QFETCH(bool, added);
    QString error;
    QVERIFY(m_accounts->addUser(QStringLiteral("alice"), Role::Student, {}, &error));
    QCOMPARE(m_accounts->addUser(name, Role::Student, className, &error), added);
    QCOMPARE(error.isEmpty(), added);
    QCOMPARE(m_accounts->listUsers().size(), added ? 2 : 1);
}

void TstAccounts::classIdentity_data()
{
    QTest::addColumn<QString>("claimed");
    QTest::addColumn<bool>("valid");
    QTest::addRow("a free name becomes a student") << "guest1" << true;
    QTest::addRow("a registered name is refused") << "alice" << false;
    QTest::addRow("a registered name in another case is refused") << "Alice" << false;
    QTest::addRow("a malformed name is refused") << "a b" << false;
    QTest::addRow("an empty name is refused") << "" << false;
}

void TstAccounts::classIdentity()
{
    QFETCH(QString, claimed);
    QFETCH(bool, valid);
    QString error;
    m_accounts->setDefaultLimits(UserLimits{1, 2, 3});
    QVERIFY(
        m_accounts->addUser(QStringLiteral("alice"), Role::Admin, QStringLiteral("7b"), &error));
    const Identity identity = m_accounts->classIdentity(claimed);
    QCOMPARE(identity.isValid(), valid);
    if (valid) {
        QCOMPARE(identity.user, claimed);
        QCOMPARE(identity.role, Role::Student);
        QVERIFY(identity.viaClassToken);
        QVERIFY(identity.tokenId.isEmpty());
        QCOMPARE(identity.limits, (UserLimits{1, 2, 3}));
    }
}

void TstAccounts::lastUseIsRecorded()
{
    QString error;
    QVERIFY(m_accounts->addUser(QStringLiteral("alice"), Role::Student, {}, &error));
    const auto issued = m_accounts->issueToken(QStringLiteral("alice"), {}, &error);
    QVERIFY(issued);
    QCOMPARE(m_accounts->listTokens().value(0).lastUsedMs, 0);
    QVERIFY(m_accounts->authenticate(issued->secret));
    const TokenRecord record = m_accounts->listTokens().value(0);
    QVERIFY(record.lastUsedMs >= record.createdMs);
    QVERIFY(!record.isRevoked());
}

void TstAccounts::newerSchemaIsRefused()
{
    m_accounts.reset();
    {
        QSqlDatabase db =
            QSqlDatabase::addDatabase(QStringLiteral("QSQLITE"), QStringLiteral("tst.bump"));
        db.setDatabaseName(path());
        QVERIFY(db.open());
        QSqlQuery q(db);
        QVERIFY(
            q.exec(QStringLiteral("PRAGMA user_version = %1").arg(Accounts::schemaVersion() + 1)));
    }
    QSqlDatabase::removeDatabase(QStringLiteral("tst.bump"));
    Accounts accounts;
    QString error;
    QVERIFY(!accounts.open(path(), &error));
    QVERIFY2(error.contains(QLatin1String("newer")), qPrintable(error));
    QVERIFY(!accounts.addUser(QStringLiteral("x"), Role::Student, {}, &error));
}

void TstAccounts::cliEndToEnd()
{
    m_accounts.reset(); // the CLI opens the file itself; a fresh data dir proves it creates it
    const QString dir = m_dir->path() + QStringLiteral("/data");
    CliResult r = cli(dir, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("alice"),
                            QStringLiteral("--class"), QStringLiteral("7b")});
    QCOMPARE(r.code, 0);
    r = cli(dir, {QStringLiteral("user"), QStringLiteral("add"), QStringLiteral("tom"),
                  QStringLiteral("--role"), QStringLiteral("teacher")});
    QCOMPARE(r.code, 0);
    QCOMPARE(fileMode(Accounts::defaultPath(dir)), 0600);

    r = cli(dir, {QStringLiteral("user"), QStringLiteral("list")});
    QCOMPARE(r.code, 0);
    QList<QStringList> users = rows(r.out);
    QCOMPARE(users.size(), 2);
    QCOMPARE(users.at(0).mid(0, 3), (QStringList{"alice", "student", "7b"}));
    QCOMPARE(users.at(1).mid(0, 3), (QStringList{"tom", "teacher", "-"}));

    r = cli(dir, {QStringLiteral("user"), QStringLiteral("limits"), QStringLiteral("alice"),
                  QStringLiteral("--jobs-per-minute"), QStringLiteral("10")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.out.contains(QLatin1String("jobs-per-minute=10")), qPrintable(r.out));

    r = cli(dir, {QStringLiteral("token"), QStringLiteral("issue"), QStringLiteral("alice"),
                  QStringLiteral("--label"), QStringLiteral("lab pc")});
    QCOMPARE(r.code, 0);
    QVERIFY2(r.err.contains(QLatin1String("not be shown again")) ||
                 r.err.contains(QLatin1String("cannot be shown again")),
             qPrintable(r.err));
    const QRegularExpression tokenLine(QStringLiteral("^token: (crt_([0-9a-f]{16})_\\S{43})$"),
                                       QRegularExpression::MultilineOption);
    const QRegularExpressionMatch m = tokenLine.match(r.out);
    QVERIFY2(m.hasMatch(), qPrintable(r.out));
    const QString secret = m.captured(1);
    const QString id = m.captured(2);

    {
        Accounts server; // what coderoomd would do with the same data dir
        QString error;
        QVERIFY(server.open(Accounts::defaultPath(dir), &error));
        const auto identity = server.authenticate(secret);
        QVERIFY(identity);
        QCOMPARE(identity->user, QStringLiteral("alice"));
        QCOMPARE(identity->limits.jobsPerMinute, 10);
    }

    r = cli(dir, {QStringLiteral("token"), QStringLiteral("list"), QStringLiteral("alice")});
    QCOMPARE(r.code, 0);
    QList<QStringList> tokens = rows(r.out);
    QCOMPARE(tokens.size(), 1);
    QCOMPARE(tokens.at(0).value(0), id);
    QCOMPARE(tokens.at(0).value(4), QStringLiteral("valid"));
    QCOMPARE(tokens.at(0).value(5), QStringLiteral("lab pc"));
    QVERIFY(!r.out.contains(secret.mid(21)));

    r = cli(dir, {QStringLiteral("token"), QStringLiteral("revoke"), id});
    QCOMPARE(r.code, 0);
    r = cli(dir, {QStringLiteral("token"), QStringLiteral("list")});
    tokens = rows(r.out);
    QCOMPARE(tokens.size(), 1);
    QCOMPARE(tokens.at(0).value(4), QStringLiteral("revoked"));
    {
        Accounts server;
        QString error;
        QVERIFY(server.open(Accounts::defaultPath(dir), &error));
        QVERIFY(!server.authenticate(secret));
    }

    r = cli(dir, {QStringLiteral("user"), QStringLiteral("remove"), QStringLiteral("alice")});
    QCOMPARE(r.code, 0);
    r = cli(dir, {QStringLiteral("user"), QStringLiteral("list")});
    users = rows(r.out);
    QCOMPARE(users.size(), 1);
    QCOMPARE(users.at(0).value(0), QStringLiteral("tom"));
}

void TstAccounts::cliRefusals_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<int>("exitCode");
    QTest::addRow("no verb is a usage error") << QStringList{"user"} << 2;
    QTest::addRow("an unknown verb is a usage error") << QStringList{"user", "rename", "x"} << 2;
    QTest::addRow("an unknown option is a usage error")
        << QStringList{"user", "add", "x", "--colour", "red"} << 2;
    QTest::addRow("an option without its value is a usage error")
        << QStringList{"token", "issue", "alice", "--label"} << 2;
    QTest::addRow("an unknown role is a usage error")
        << QStringList{"user", "add", "x", "--role", "king"} << 2;
    QTest::addRow("a negative limit is a usage error")
        << QStringList{"user", "limits", "alice", "--active-jobs", "-3"} << 2;
    QTest::addRow("adding an existing user is an error")
        << QStringList{"user", "add", "alice"} << 1;
    QTest::addRow("removing an unknown user is an error")
        << QStringList{"user", "remove", "nobody"} << 1;
    QTest::addRow("a token for an unknown user is an error")
        << QStringList{"token", "issue", "nobody"} << 1;
    QTest::addRow("revoking an unknown token is an error")
        << QStringList{"token", "revoke", "0123456789abcdef"} << 1;
}

void TstAccounts::cliRefusals()
{
    QFETCH(QStringList, args);
    QFETCH(int, exitCode);
    QString error;
    QVERIFY(m_accounts->addUser(QStringLiteral("alice"), Role::Student, {}, &error));
    const CliResult r = cli(m_dir->path(), args);
    QCOMPARE(r.code, exitCode);
    QVERIFY(!r.err.isEmpty());
    QVERIFY(r.out.isEmpty());
}

QTEST_GUILESS_MAIN(TstAccounts)
#include "tst_accounts.moc"
