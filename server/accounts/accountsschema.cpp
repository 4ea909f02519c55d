#include "accountsschema_p.h"

namespace coderoom::accounts {

const QList<SchemaStep> &schemaSteps()
{
    static const QList<SchemaStep> steps = {
        {1,
         QStringLiteral("users, class limits, hashed tokens"),
         {
             // NOCASE: "Alice" and "alice" are one account (ASCII case only: SQLite's NOCASE).
             // Limit columns are NULL when the level above applies.
             QStringLiteral("CREATE TABLE users ("
                            " name TEXT PRIMARY KEY NOT NULL COLLATE NOCASE,"
                            " role TEXT NOT NULL CHECK (role IN ('student','teacher','admin')),"
                            " class_name TEXT NOT NULL DEFAULT '',"
                            " live_sessions INTEGER,"
                            " active_jobs INTEGER,"
                            " jobs_per_minute INTEGER,"
                            " created_ms INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE classes ("
                            " name TEXT PRIMARY KEY NOT NULL,"
                            " live_sessions INTEGER,"
                            " active_jobs INTEGER,"
                            " jobs_per_minute INTEGER)"),
             // salt and hash only: the secret is never stored (see accounts.h).
             QStringLiteral("CREATE TABLE tokens ("
                            " id TEXT PRIMARY KEY NOT NULL,"
                            " user_name TEXT NOT NULL COLLATE NOCASE"
                            "  REFERENCES users(name) ON DELETE CASCADE ON UPDATE CASCADE,"
                            " label TEXT NOT NULL DEFAULT '',"
                            " salt BLOB NOT NULL,"
                            " hash BLOB NOT NULL,"
                            " created_ms INTEGER NOT NULL,"
                            " last_used_ms INTEGER NOT NULL DEFAULT 0,"
                            " revoked_ms INTEGER NOT NULL DEFAULT 0)"),
             QStringLiteral("CREATE INDEX tokens_user ON tokens(user_name)"),
         }},
    };
    return steps;
}

} // namespace coderoom::accounts
