#pragma once

#include "sqliteconnection.h"

#include <QList>

// The accounts file's schema history, as in server/store: step N takes a database from
// user_version N-1 to N in one transaction. Append-only: a released step is never edited.
namespace coderoom::accounts {

using SchemaStep = sqlitefile::SchemaStep; // version, description, statements

const QList<SchemaStep> &schemaSteps();

} // namespace coderoom::accounts
