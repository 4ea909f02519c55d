#pragma once

#include "sqliteconnection.h"

#include <QList>

// The schema's history. Step N takes a database from user_version N-1 to N; open() applies the
// missing steps in order, each in its own transaction together with its user_version bump.
// Steps are append-only: a released step is never edited (files in the field ran it).
namespace coderoom::store {

using MigrationStep = sqlitefile::SchemaStep; // version, description, statements

const QList<MigrationStep> &migrationSteps();

} // namespace coderoom::store
