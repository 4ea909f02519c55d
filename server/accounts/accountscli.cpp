#include "accountscli.h"

#include "accounts.h"

#include <QDateTime>

namespace coderoom::accounts {

namespace {

constexpr int ExitOk = 0;
constexpr int ExitError = 1;
constexpr int ExitUsage = 2;

const char Usage[] =
    "usage:\n"
    "  coderoomd user add NAME [--role student|teacher|admin] [--class CLASS]\n"
    "  coderoomd user list\n"
    "  coderoomd user remove NAME\n"
    "  coderoomd user limits NAME [--live-sessions N] [--active-jobs N] [--jobs-per-minute N]\n"
    "  coderoomd user class-limits CLASS [--live-sessions N] [--active-jobs N]"
    " [--jobs-per-minute N]\n"
    "      (N may be \"default\" to remove an override)\n"
    "  coderoomd token issue USER [--label LABEL]\n"
    "  coderoomd token revoke ID\n"
    "  coderoomd token list [USER]\n"
    "All take --data-dir DIR (given to coderoomd) to find DIR/accounts.db.\n";

// Positional words and --option value pairs; every option takes exactly one value.
struct Parsed
{
    QStringList positional;
    QHash<QString, QString> options;
    QString error;
};

Parsed parse(const QStringList &args, const QStringList &known)
{
    Parsed p;
    for (qsizetype i = 0; i < args.size(); ++i) {
        const QString &a = args.at(i);
        if (!a.startsWith(QLatin1String("--"))) {
            p.positional.append(a);
            continue;
        }
        const QString name = a.mid(2);
        if (!known.contains(name)) {
            p.error = QStringLiteral("unknown option %1").arg(a);
            return p;
        }
        if (i + 1 >= args.size()) {
            p.error = QStringLiteral("%1 needs a value").arg(a);
            return p;
        }
        p.options.insert(name, args.at(++i));
    }
    return p;
}

QString when(qint64 ms)
{
    if (ms == 0)
        return QStringLiteral("-");
    return QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm"));
}

QString limitText(const std::optional<int> &v)
{
    return v ? QString::number(*v) : QStringLiteral("default");
}

QString overridesText(const LimitOverrides &o)
{
    return QStringLiteral("live-sessions=%1 active-jobs=%2 jobs-per-minute=%3")
        .arg(limitText(o.liveSessions), limitText(o.activeJobs), limitText(o.jobsPerMinute));
}

// Applies --live-sessions etc. onto `o`; false + *error on a bad number.
bool applyLimitOptions(const QHash<QString, QString> &options, LimitOverrides &o, QString *error)
{
    const std::pair<const char *, std::optional<int> LimitOverrides::*> fields[] = {
        {"live-sessions", &LimitOverrides::liveSessions},
        {"active-jobs", &LimitOverrides::activeJobs},
        {"jobs-per-minute", &LimitOverrides::jobsPerMinute},
    };
    for (const auto &[name, member] : fields) {
        const QString key = QLatin1String(name);
        if (!options.contains(key))
            continue;
        const QString value = options.value(key);
        if (value == QLatin1String("default")) {
            (o.*member).reset();
            continue;
        }
        bool ok = false;
        const int n = value.toInt(&ok);
        if (!ok || n < 0 || n > 1000000) {
            *error = QStringLiteral("--%1 wants a number from 0 to 1000000 or \"default\", not "
                                    "\"%2\"")
                         .arg(key, value);
            return false;
        }
        o.*member = n;
    }
    return true;
}

const QStringList LimitOptions = {QStringLiteral("live-sessions"), QStringLiteral("active-jobs"),
                                  QStringLiteral("jobs-per-minute")};

int userCommand(Accounts &accounts, const QString &verb, const Parsed &p, QTextStream &out,
                QTextStream &err)
{
    QString error;
    if (verb == QLatin1String("add") && p.positional.size() == 1) {
        const QString roleText = p.options.value(QStringLiteral("role"), QStringLiteral("student"));
        const std::optional<Role> role = roleFromName(roleText);
        if (!role) {
            err << "unknown role \"" << roleText << "\" (student, teacher or admin)\n";
            return ExitUsage;
        }
        const QString name = p.positional.at(0);
        if (!accounts.addUser(name, *role, p.options.value(QStringLiteral("class")), &error)) {
            err << "error: " << error << '\n';
            return ExitError;
        }
        out << "added user " << name << " (" << roleName(*role) << ")\n";
        return ExitOk;
    }
    if (verb == QLatin1String("list") && p.positional.isEmpty()) {
        // One user per line, tab-separated, so scripts can cut it.
        out << "NAME\tROLE\tCLASS\tLIMITS\n";
        for (const UserRecord &u : accounts.listUsers()) {
            out << u.name << '\t' << roleName(u.role) << '\t'
                << (u.className.isEmpty() ? QStringLiteral("-") : u.className) << '\t'
                << overridesText(u.limits) << '\n';
        }
        return ExitOk;
    }
    if (verb == QLatin1String("remove") && p.positional.size() == 1) {
        if (!accounts.removeUser(p.positional.at(0), &error)) {
            err << "error: " << error << '\n';
            return ExitError;
        }
        out << "removed user " << p.positional.at(0) << " and deleted their tokens\n";
        return ExitOk;
    }
    if (verb == QLatin1String("limits") && p.positional.size() == 1) {
        const std::optional<UserRecord> u = accounts.user(p.positional.at(0));
        if (!u) {
            err << "error: no user " << p.positional.at(0) << '\n';
            return ExitError;
        }
        LimitOverrides o = u->limits;
        if (!applyLimitOptions(p.options, o, &error)) {
            err << error << '\n';
            return ExitUsage;
        }
        if (!p.options.isEmpty() && !accounts.setUserLimits(u->name, o, &error)) {
            err << "error: " << error << '\n';
            return ExitError;
        }
        out << u->name << ": " << overridesText(o) << '\n';
        return ExitOk;
    }
    if (verb == QLatin1String("class-limits") && p.positional.size() == 1) {
        const QString className = p.positional.at(0);
        LimitOverrides o = accounts.classLimits(className);
        if (!applyLimitOptions(p.options, o, &error)) {
            err << error << '\n';
            return ExitUsage;
        }
        if (!p.options.isEmpty() && !accounts.setClassLimits(className, o, &error)) {
            err << "error: " << error << '\n';
            return ExitError;
        }
        out << "class " << className << ": " << overridesText(o) << '\n';
        return ExitOk;
    }
    err << Usage;
    return ExitUsage;
}

int tokenCommand(Accounts &accounts, const QString &verb, const Parsed &p, QTextStream &out,
                 QTextStream &err)
{
    QString error;
    if (verb == QLatin1String("issue") && p.positional.size() == 1) {
        const auto issued = accounts.issueToken(p.positional.at(0),
                                                p.options.value(QStringLiteral("label")), &error);
        if (!issued) {
            err << "error: " << error << '\n';
            return ExitError;
        }
        // The secret alone on its line, so a script can take it; the warning goes to stderr.
        out << "token id: " << issued->id << '\n' << "token: " << issued->secret << '\n';
        err << "This token is shown only now and cannot be shown again: give it to "
            << p.positional.at(0) << " and keep no other copy.\n";
        return ExitOk;
    }
    if (verb == QLatin1String("revoke") && p.positional.size() == 1) {
        if (!accounts.revokeToken(p.positional.at(0), &error)) {
            err << "error: " << error << '\n';
            return ExitError;
        }
        out << "revoked token " << p.positional.at(0) << '\n';
        return ExitOk;
    }
    if (verb == QLatin1String("list") && p.positional.size() <= 1) {
        out << "ID\tUSER\tCREATED\tLAST USED\tSTATE\tLABEL\n";
        for (const TokenRecord &t : accounts.listTokens(p.positional.value(0))) {
            out << t.id << '\t' << t.user << '\t' << when(t.createdMs) << '\t' << when(t.lastUsedMs)
                << '\t' << (t.isRevoked() ? QStringLiteral("revoked") : QStringLiteral("valid"))
                << '\t' << t.label << '\n';
        }
        return ExitOk;
    }
    err << Usage;
    return ExitUsage;
}

} // namespace

int runAccountsCommand(const QStringList &args, const QString &dataDir, QTextStream &out,
                       QTextStream &err)
{
    if (args.size() < 2 ||
        (args.at(0) != QLatin1String("user") && args.at(0) != QLatin1String("token"))) {
        err << Usage;
        return ExitUsage;
    }
    const bool isUser = args.at(0) == QLatin1String("user");
    const QString verb = args.at(1);
    QStringList known = {QStringLiteral("role"), QStringLiteral("class"), QStringLiteral("label")};
    known += LimitOptions;
    const Parsed p = parse(args.mid(2), known);
    if (!p.error.isEmpty()) {
        err << p.error << '\n' << Usage;
        return ExitUsage;
    }
    if (dataDir.isEmpty()) {
        err << "error: no data directory (--data-dir DIR)\n";
        return ExitUsage;
    }
    Accounts accounts;
    QString error;
    if (!accounts.open(Accounts::defaultPath(dataDir), &error)) {
        err << "error: " << error << '\n';
        return ExitError;
    }
    const int code = isUser ? userCommand(accounts, verb, p, out, err)
                            : tokenCommand(accounts, verb, p, out, err);
    out.flush();
    err.flush();
    return code;
}

} // namespace coderoom::accounts
