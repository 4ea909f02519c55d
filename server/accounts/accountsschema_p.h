#pragma once

#include <QList>
#include <QString>
#include <QStringList>

// The accounts file's schema history, as in server/store: step N takes a database from
// user_version N-1 to N in one transaction. Append-only: a released step is never edited.
namespace coderoom::accounts {

struct SchemaStep
{
    int version = 0;
    QString description;
    QStringList statements; // one SQL statement each
};

const QList<SchemaStep> &schemaSteps();

} // namespace coderoom::accounts
