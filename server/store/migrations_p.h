#pragma once

#include <QList>
#include <QString>
#include <QStringList>

// The schema's history. Step N takes a database from user_version N-1 to N; open() applies the
// missing steps in order, each in its own transaction together with its user_version bump.
// Steps are append-only: a released step is never edited (files in the field ran it).
namespace coderoom::store {

struct MigrationStep
{
    int version = 0;        // user_version after this step
    QString description;    // for the log
    QStringList statements; // one SQL statement each (QSqlQuery runs one at a time)
};

const QList<MigrationStep> &migrationSteps();

} // namespace coderoom::store
