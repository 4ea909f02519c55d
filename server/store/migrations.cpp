#include "migrations_p.h"

namespace coderoom::store {

const QList<MigrationStep> &migrationSteps()
{
    static const QList<MigrationStep> steps = {
        {1,
         QStringLiteral("sessions and their eval history"),
         {
             QStringLiteral("CREATE TABLE sessions ("
                            " id TEXT PRIMARY KEY NOT NULL,"
                            " owner TEXT NOT NULL,"
                            " language TEXT NOT NULL,"
                            " created_ms INTEGER NOT NULL,"
                            " last_used_ms INTEGER NOT NULL)"),
             QStringLiteral("CREATE TABLE history ("
                            " session_id TEXT NOT NULL"
                            "  REFERENCES sessions(id) ON DELETE CASCADE,"
                            " seq INTEGER NOT NULL,"
                            " code TEXT NOT NULL,"
                            " status TEXT NOT NULL,"
                            " at_ms INTEGER NOT NULL,"
                            " PRIMARY KEY (session_id, seq))"),
             QStringLiteral("CREATE INDEX sessions_last_used ON sessions(last_used_ms)"),
         }},
        {2,
         QStringLiteral("closed sessions, stdin entries linked to their eval, seq counter"),
         {
             QStringLiteral("ALTER TABLE sessions ADD COLUMN closed INTEGER NOT NULL DEFAULT 0"),
             // A counter instead of MAX(seq)+1 so that seq is never reused after a clear
             // (a client holding an old seq must not see it name a different entry).
             QStringLiteral("ALTER TABLE sessions ADD COLUMN next_seq INTEGER NOT NULL DEFAULT 1"),
             QStringLiteral("UPDATE sessions SET next_seq = 1 + COALESCE("
                            " (SELECT MAX(seq) FROM history WHERE session_id = sessions.id), 0)"),
             // kind: 0 = eval, 1 = input (EntryKind); v1 only had evals.
             QStringLiteral("ALTER TABLE history ADD COLUMN kind INTEGER NOT NULL DEFAULT 0"),
             QStringLiteral("ALTER TABLE history ADD COLUMN parent_seq INTEGER NOT NULL DEFAULT 0"),
         }},
    };
    return steps;
}

} // namespace coderoom::store
