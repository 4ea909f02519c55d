#include "accounts.h"

#include "accountslog_p.h"
#include "accountsschema_p.h"
#include "sqliteconnection.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QSqlDatabase>
#include <QSqlError>
#include <QSqlQuery>
#include <QVariant>

Q_LOGGING_CATEGORY(lcAccounts, "coderoom.server.accounts")

namespace coderoom::accounts {

namespace {

constexpr qsizetype IdBytes = 8;
constexpr qsizetype SecretBytes = 32;
constexpr qsizetype SaltBytes = 16;
constexpr qint64 LastUsedGranularityMs = 60 * 1000; // a hello is not worth a write each time
const QLatin1String TokenPrefix("crt_");

QByteArray randomBytes(qsizetype n)
{
    QByteArray bytes(n, Qt::Uninitialized);
    for (qsizetype i = 0; i < n; ++i)
        bytes[i] = char(QRandomGenerator::system()->bounded(256));
    return bytes;
}

QByteArray tokenHash(const QByteArray &salt, const QString &id, const QByteArray &secret)
{
    return QMessageAuthenticationCode::hash(id.toLatin1() + ':' + secret, salt,
                                            QCryptographicHash::Sha256);
}

// Every byte is looked at whatever the contents, so the time does not tell where they differ.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size()) // sizes are public (always 32 for our hashes)
        return false;
    unsigned diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= unsigned(static_cast<unsigned char>(a[i] ^ b[i]));
    return diff == 0;
}

bool isHex(const QString &s)
{
    for (const QChar c : s) {
        if (!((c >= QLatin1Char('0') && c <= QLatin1Char('9')) ||
              (c >= QLatin1Char('a') && c <= QLatin1Char('f'))))
            return false;
    }
    return true;
}

bool isBase64Url(const QString &s)
{
    for (const QChar c : s) {
        if (!(c.unicode() < 128 &&
              (c.isLetterOrNumber() || c == QLatin1Char('-') || c == QLatin1Char('_'))))
            return false;
    }
    return true;
}

struct ParsedToken
{
    QString id;
    QByteArray secret;
};

// "crt_" + 16 hex + "_" + 43 base64url; anything else is not one of our tokens.
std::optional<ParsedToken> parseToken(const QString &token)
{
    const qsizetype idLen = IdBytes * 2;
    const qsizetype secretLen = 43; // base64url of 32 bytes, unpadded
    const qsizetype prefixLen = TokenPrefix.size();
    if (token.size() != prefixLen + idLen + 1 + secretLen || !token.startsWith(TokenPrefix) ||
        token.at(prefixLen + idLen) != QLatin1Char('_'))
        return std::nullopt;
    const QString id = token.mid(prefixLen, idLen);
    const QString secret = token.mid(prefixLen + idLen + 1);
    if (!isHex(id) || !isBase64Url(secret))
        return std::nullopt;
    return ParsedToken{id, secret.toLatin1()};
}

QVariant optionalInt(const std::optional<int> &v)
{
    return v ? QVariant(*v) : QVariant(QMetaType(QMetaType::Int)); // null int
}

std::optional<int> intOrNull(const QVariant &v)
{
    if (v.isNull())
        return std::nullopt;
    return v.toInt();
}

bool validOverrides(const LimitOverrides &o)
{
    for (const auto &v : {o.liveSessions, o.activeJobs, o.jobsPerMinute}) {
        if (v && *v < 0)
            return false;
    }
    return true;
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace

QString roleName(Role role)
{
    switch (role) {
    case Role::Student:
        return QStringLiteral("student");
    case Role::Teacher:
        return QStringLiteral("teacher");
    case Role::Admin:
        return QStringLiteral("admin");
    }
    return QStringLiteral("student");
}

std::optional<Role> roleFromName(const QString &name)
{
    for (Role r : {Role::Student, Role::Teacher, Role::Admin}) {
        if (name.compare(roleName(r), Qt::CaseInsensitive) == 0)
            return r;
    }
    return std::nullopt;
}

// Opening, pragmas, migrations and the query helpers come from sqlitefile (shared with store).
class AccountsPrivate : public sqlitefile::SqliteConnection
{
public:
    AccountsPrivate()
        : SqliteConnection(QStringLiteral("coderoom.accounts"), &lcAccounts)
    {}

    bool open = false;
    UserLimits defaults;

    // Bad input from the admin or a caller: not the server's fault, so not logged (the caller
    // reports it; the CLI would otherwise print it twice).
    bool refuse(const QString &message)
    {
        lastError = message;
        return false;
    }
    bool checkOpen()
    {
        if (open)
            return true;
        lastError = QStringLiteral("accounts database is not open");
        return false;
    }
    UserRecord userFrom(const QSqlQuery &q) const; // columns as in UserColumns
};

// name, role, class_name, live_sessions, active_jobs, jobs_per_minute, created_ms
static const char UserColumns[] =
    "name, role, class_name, live_sessions, active_jobs, jobs_per_minute, created_ms";

UserRecord AccountsPrivate::userFrom(const QSqlQuery &q) const
{
    UserRecord u;
    u.name = q.value(0).toString();
    u.role = roleFromName(q.value(1).toString()).value_or(Role::Student);
    u.className = q.value(2).toString();
    u.limits.liveSessions = intOrNull(q.value(3));
    u.limits.activeJobs = intOrNull(q.value(4));
    u.limits.jobsPerMinute = intOrNull(q.value(5));
    u.createdMs = q.value(6).toLongLong();
    return u;
}

Accounts::Accounts()
    : d(std::make_unique<AccountsPrivate>())
{}

Accounts::~Accounts() = default; // ~SqliteConnection closes db and removes its name

QString Accounts::defaultPath(const QString &dataDir)
{
    return QDir(dataDir).filePath(QStringLiteral("accounts.db"));
}

int Accounts::schemaVersion()
{
    return schemaSteps().constLast().version;
}

bool Accounts::isValidUserName(const QString &name)
{
    // The same rule hello applies to claimed names (server/core).
    if (name.isEmpty() || name.size() > 64)
        return false;
    for (const QChar c : name) {
        if (!(c.isLetterOrNumber() || c == QLatin1Char('_') || c == QLatin1Char('-') ||
              c == QLatin1Char('.') || c == QLatin1Char('@')))
            return false;
    }
    return true;
}

bool Accounts::open(const QString &path, QString *error)
{
    auto failed = [&] {
        if (error)
            *error = d->lastError;
        d->open = false;
        if (d->db.isOpen())
            d->db.close();
        return false;
    };
    if (d->open) {
        d->lastError = QStringLiteral("accounts database is already open");
        return failed();
    }
    // Account changes are rare admin actions: FULL costs nothing noticeable and a revocation
    // then survives a power cut.
    sqlitefile::OpenOptions options;
    options.fullSync = true;
    const sqlitefile::SchemaWords words{QStringLiteral("accounts"),
                                        QStringLiteral("accounts migration"),
                                        QStringLiteral("accounts database")};
    if (!d->openFile(path, options) || !d->migrate(schemaSteps(), words, false))
        return failed();
    d->open = true;
    d->lastError.clear();
    return true;
}

bool Accounts::isOpen() const
{
    return d->open;
}

QString Accounts::lastError() const
{
    return d->lastError;
}

QString Accounts::connectionName() const
{
    return d->connectionName;
}

void Accounts::setDefaultLimits(const UserLimits &limits)
{
    d->defaults = limits;
}

UserLimits Accounts::defaultLimits() const
{
    return d->defaults;
}

bool Accounts::addUser(const QString &name, Role role, const QString &className, QString *error)
{
    auto failed = [&] {
        if (error)
            *error = d->lastError;
        return false;
    };
    if (!d->checkOpen())
        return failed();
    if (!isValidUserName(name)) {
        d->refuse(
            QStringLiteral("\"%1\" is not a valid user name (1-64 letters, digits or _ - . @)")
                .arg(name));
        return failed();
    }
    if (!className.isEmpty() && !isValidUserName(className)) {
        d->refuse(QStringLiteral("\"%1\" is not a valid class name (1-64 letters, digits or "
                                 "_ - . @)")
                      .arg(className));
        return failed();
    }
    if (user(name)) {
        d->refuse(QStringLiteral("user %1 already exists").arg(name));
        return failed();
    }
    QSqlQuery q = d->prepare(QStringLiteral("INSERT INTO users (name, role, class_name, created_ms)"
                                            " VALUES (:name, :role, :class, :now)"));
    q.bindValue(QStringLiteral(":name"), name);
    q.bindValue(QStringLiteral(":role"), roleName(role));
    q.bindValue(QStringLiteral(":class"), className.isNull() ? QString::fromLatin1("") : className);
    q.bindValue(QStringLiteral(":now"), nowMs());
    if (!d->run(q, QStringLiteral("adding user %1").arg(name)))
        return failed();
    qCInfo(lcAccounts).noquote() << "added user" << name << roleName(role) << className;
    return true;
}

bool Accounts::removeUser(const QString &name, QString *error)
{
    auto failed = [&] {
        if (error)
            *error = d->lastError;
        return false;
    };
    if (!d->checkOpen())
        return failed();
    QSqlQuery q = d->prepare(QStringLiteral("DELETE FROM users WHERE name = :name"));
    q.bindValue(QStringLiteral(":name"), name);
    if (!d->run(q, QStringLiteral("removing user %1").arg(name)))
        return failed();
    if (q.numRowsAffected() != 1) {
        d->refuse(QStringLiteral("no user %1").arg(name));
        return failed();
    }
    qCInfo(lcAccounts).noquote() << "removed user" << name << "and their tokens";
    return true;
}

std::optional<UserRecord> Accounts::user(const QString &name) const
{
    if (!d->checkOpen())
        return std::nullopt;
    QSqlQuery q = d->prepare(
        QStringLiteral("SELECT %1 FROM users WHERE name = :name").arg(QLatin1String(UserColumns)));
    q.bindValue(QStringLiteral(":name"), name);
    if (!d->run(q, QStringLiteral("looking up user")) || !q.next())
        return std::nullopt;
    return d->userFrom(q);
}

QList<UserRecord> Accounts::listUsers() const
{
    QList<UserRecord> users;
    if (!d->checkOpen())
        return users;
    QSqlQuery q = d->prepare(
        QStringLiteral("SELECT %1 FROM users ORDER BY name").arg(QLatin1String(UserColumns)));
    if (!d->run(q, QStringLiteral("listing users")))
        return users;
    while (q.next())
        users.append(d->userFrom(q));
    return users;
}

bool Accounts::setUserLimits(const QString &name, const LimitOverrides &limits, QString *error)
{
    auto failed = [&] {
        if (error)
            *error = d->lastError;
        return false;
    };
    if (!d->checkOpen())
        return failed();
    if (!validOverrides(limits)) {
        d->refuse(QStringLiteral("limits cannot be negative"));
        return failed();
    }
    QSqlQuery q = d->prepare(QStringLiteral("UPDATE users SET live_sessions = :live,"
                                            " active_jobs = :active, jobs_per_minute = :perMinute"
                                            " WHERE name = :name"));
    q.bindValue(QStringLiteral(":live"), optionalInt(limits.liveSessions));
    q.bindValue(QStringLiteral(":active"), optionalInt(limits.activeJobs));
    q.bindValue(QStringLiteral(":perMinute"), optionalInt(limits.jobsPerMinute));
    q.bindValue(QStringLiteral(":name"), name);
    if (!d->run(q, QStringLiteral("setting limits of %1").arg(name)))
        return failed();
    if (q.numRowsAffected() != 1) {
        d->refuse(QStringLiteral("no user %1").arg(name));
        return failed();
    }
    return true;
}

bool Accounts::setClassLimits(const QString &className, const LimitOverrides &limits,
                              QString *error)
{
    auto failed = [&] {
        if (error)
            *error = d->lastError;
        return false;
    };
    if (!d->checkOpen())
        return failed();
    if (!isValidUserName(className)) {
        d->refuse(QStringLiteral("\"%1\" is not a valid class name").arg(className));
        return failed();
    }
    if (!validOverrides(limits)) {
        d->refuse(QStringLiteral("limits cannot be negative"));
        return failed();
    }
    QSqlQuery q = d->prepare(
        limits.isEmpty()
            ? QStringLiteral("DELETE FROM classes WHERE name = :name")
            : QStringLiteral("INSERT INTO classes (name, live_sessions, active_jobs,"
                             " jobs_per_minute) VALUES (:name, :live, :active, :perMinute)"
                             " ON CONFLICT(name) DO UPDATE SET live_sessions = :live,"
                             " active_jobs = :active, jobs_per_minute = :perMinute"));
    q.bindValue(QStringLiteral(":name"), className);
    if (!limits.isEmpty()) {
        q.bindValue(QStringLiteral(":live"), optionalInt(limits.liveSessions));
        q.bindValue(QStringLiteral(":active"), optionalInt(limits.activeJobs));
        q.bindValue(QStringLiteral(":perMinute"), optionalInt(limits.jobsPerMinute));
    }
    if (!d->run(q, QStringLiteral("setting limits of class %1").arg(className)))
        return failed();
    return true;
}

LimitOverrides Accounts::classLimits(const QString &className) const
{
    LimitOverrides limits;
    if (!d->checkOpen() || className.isEmpty())
        return limits;
    QSqlQuery q = d->prepare(QStringLiteral("SELECT live_sessions, active_jobs, jobs_per_minute"
                                            " FROM classes WHERE name = :name"));
    q.bindValue(QStringLiteral(":name"), className);
    if (!d->run(q, QStringLiteral("reading class limits")) || !q.next())
        return limits;
    limits.liveSessions = intOrNull(q.value(0));
    limits.activeJobs = intOrNull(q.value(1));
    limits.jobsPerMinute = intOrNull(q.value(2));
    return limits;
}

UserLimits Accounts::limitsFor(const UserRecord &user) const
{
    return user.limits.appliedTo(classLimits(user.className).appliedTo(d->defaults));
}

std::optional<IssuedToken> Accounts::issueToken(const QString &user, const QString &label,
                                                QString *error)
{
    auto failed = [&]() -> std::optional<IssuedToken> {
        if (error)
            *error = d->lastError;
        return std::nullopt;
    };
    if (!d->checkOpen())
        return failed();
    const std::optional<UserRecord> owner = this->user(user);
    if (!owner) {
        d->refuse(QStringLiteral("no user %1").arg(user));
        return failed();
    }
    if (label.size() > 200) {
        d->refuse(QStringLiteral("a token label is at most 200 characters"));
        return failed();
    }
    const QString id = QString::fromLatin1(randomBytes(IdBytes).toHex());
    const QByteArray secret =
        randomBytes(SecretBytes)
            .toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
    const QByteArray salt = randomBytes(SaltBytes);
    QSqlQuery q = d->prepare(QStringLiteral("INSERT INTO tokens (id, user_name, label, salt, hash,"
                                            " created_ms) VALUES (:id, :user, :label, :salt,"
                                            " :hash, :now)"));
    q.bindValue(QStringLiteral(":id"), id);
    q.bindValue(QStringLiteral(":user"), owner->name);
    q.bindValue(QStringLiteral(":label"), label.isNull() ? QString::fromLatin1("") : label);
    q.bindValue(QStringLiteral(":salt"), salt);
    q.bindValue(QStringLiteral(":hash"), tokenHash(salt, id, secret));
    q.bindValue(QStringLiteral(":now"), nowMs());
    // A clash of 64-bit random ids is practically impossible; the PRIMARY KEY refuses it anyway.
    if (!d->run(q, QStringLiteral("issuing a token")))
        return failed();
    qCInfo(lcAccounts).noquote() << "issued token" << id << "to" << owner->name;
    return IssuedToken{id, TokenPrefix + id + QLatin1Char('_') + QString::fromLatin1(secret)};
}

bool Accounts::revokeToken(const QString &id, QString *error)
{
    auto failed = [&] {
        if (error)
            *error = d->lastError;
        return false;
    };
    if (!d->checkOpen())
        return failed();
    QSqlQuery q = d->prepare(QStringLiteral("UPDATE tokens SET revoked_ms = :now"
                                            " WHERE id = :id AND revoked_ms = 0"));
    q.bindValue(QStringLiteral(":now"), nowMs());
    q.bindValue(QStringLiteral(":id"), id);
    if (!d->run(q, QStringLiteral("revoking token %1").arg(id)))
        return failed();
    if (q.numRowsAffected() != 1) {
        d->refuse(QStringLiteral("no valid token with id %1").arg(id));
        return failed();
    }
    qCInfo(lcAccounts).noquote() << "revoked token" << id;
    return true;
}

QList<TokenRecord> Accounts::listTokens(const QString &user) const
{
    QList<TokenRecord> tokens;
    if (!d->checkOpen())
        return tokens;
    QSqlQuery q = d->prepare(
        QStringLiteral("SELECT id, user_name, label, created_ms, last_used_ms, revoked_ms"
                       " FROM tokens %1 ORDER BY user_name, created_ms, id")
            .arg(user.isEmpty() ? QString() : QStringLiteral("WHERE user_name = :user")));
    if (!user.isEmpty())
        q.bindValue(QStringLiteral(":user"), user);
    if (!d->run(q, QStringLiteral("listing tokens")))
        return tokens;
    while (q.next()) {
        tokens.append(TokenRecord{q.value(0).toString(), q.value(1).toString(),
                                  q.value(2).toString(), q.value(3).toLongLong(),
                                  q.value(4).toLongLong(), q.value(5).toLongLong()});
    }
    return tokens;
}

std::optional<Identity> Accounts::authenticate(const QString &token)
{
    if (!d->checkOpen())
        return std::nullopt;
    const std::optional<ParsedToken> parsed = parseToken(token);
    if (!parsed)
        return std::nullopt;
    QSqlQuery q = d->prepare(QStringLiteral(
        "SELECT t.salt, t.hash, t.revoked_ms, t.last_used_ms, u.name, u.role, u.class_name,"
        " u.live_sessions, u.active_jobs, u.jobs_per_minute, u.created_ms"
        " FROM tokens t JOIN users u ON u.name = t.user_name WHERE t.id = :id"));
    q.bindValue(QStringLiteral(":id"), parsed->id);
    if (!d->run(q, QStringLiteral("looking up a token")))
        return std::nullopt;
    const bool found = q.next();
    // An unknown id still costs one HMAC, so timing says little about which ids exist.
    const QByteArray salt = found ? q.value(0).toByteArray() : QByteArray(SaltBytes, '\0');
    const QByteArray stored = found ? q.value(1).toByteArray() : QByteArray(32, '\0');
    const bool matches = constantTimeEquals(tokenHash(salt, parsed->id, parsed->secret), stored);
    if (!found || !matches || q.value(2).toLongLong() != 0)
        return std::nullopt;

    UserRecord owner;
    owner.name = q.value(4).toString();
    owner.role = roleFromName(q.value(5).toString()).value_or(Role::Student);
    owner.className = q.value(6).toString();
    owner.limits.liveSessions = intOrNull(q.value(7));
    owner.limits.activeJobs = intOrNull(q.value(8));
    owner.limits.jobsPerMinute = intOrNull(q.value(9));
    const qint64 lastUsed = q.value(3).toLongLong();
    q.finish();

    const qint64 now = nowMs();
    if (now - lastUsed >= LastUsedGranularityMs) {
        QSqlQuery touch =
            d->prepare(QStringLiteral("UPDATE tokens SET last_used_ms = :now WHERE id = :id"));
        touch.bindValue(QStringLiteral(":now"), now);
        touch.bindValue(QStringLiteral(":id"), parsed->id);
        d->run(touch, QStringLiteral("recording token use")); // failure only loses a timestamp
    }
    Identity identity;
    identity.user = owner.name;
    identity.role = owner.role;
    identity.className = owner.className;
    identity.limits = limitsFor(owner);
    identity.tokenId = parsed->id;
    return identity;
}

Identity Accounts::classIdentity(const QString &claimedUser) const
{
    if (!isValidUserName(claimedUser))
        return {};
    if (d->open) {
        // Fail closed: if the lookup itself fails we cannot tell the name is free.
        QSqlQuery q = d->prepare(QStringLiteral("SELECT 1 FROM users WHERE name = :name"));
        q.bindValue(QStringLiteral(":name"), claimedUser);
        if (!d->run(q, QStringLiteral("checking a class-token user name")))
            return {};
        if (q.next()) {
            qCInfo(lcAccounts).noquote()
                << "class token refused for" << claimedUser << "(a registered user's name)";
            return {};
        }
    }
    Identity identity;
    identity.user = claimedUser;
    identity.role = Role::Student;
    identity.limits = d->defaults;
    identity.viaClassToken = true;
    return identity;
}

} // namespace coderoom::accounts
