#pragma once

#include <QString>
#include <QStringList>
#include <QTextStream>

// The admin's command line: coderoomd calls this when argv[1] is "user" or "token".
// args are the words from argv[1] on, e.g. {"user", "add", "alice", "--class", "7b"}.
//   user add NAME [--role student|teacher|admin] [--class C]
//   user list
//   user remove NAME
//   user limits NAME [--live-sessions N] [--active-jobs N] [--jobs-per-minute N]
//   user class-limits CLASS [--live-sessions N] [--active-jobs N] [--jobs-per-minute N]
//     (limits: "default" instead of N removes that override; no option prints the current ones)
//   token issue USER [--label L]   (prints the secret once)
//   token revoke ID
//   token list [USER]
// Opens <dataDir>/accounts.db (created 0600 when missing). Exit codes: 0 ok, 1 error, 2 usage.
namespace coderoom::accounts {

int runAccountsCommand(const QStringList &args, const QString &dataDir, QTextStream &out,
                       QTextStream &err);

} // namespace coderoom::accounts
