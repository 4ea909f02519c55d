#pragma once

#include "store.h"

#include <QObject>
#include <QRegularExpression>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QString>
#include <QTemporaryDir>
#include <QTest>
#include <QVariant>

#include <memory>

// What tst_store (the API) and tst_storefile (the file: migrations, modes, read-only, several
// connections) share: a real SQLite file in a temporary directory, reached through the Store
// and, where a test must look below the API, through raw SQL.
namespace coderoom::store::testing {

// One value from SQL run on an existing connection (the store's own, or a raw one); the
// QSqlDatabase copy is gone when this returns, so the owner can remove the connection later.
inline QVariant scalar(const QString &connection, const QString &sql,
                       const QVariantList &binds = {})
{
    QSqlDatabase db = QSqlDatabase::database(connection, false);
    QSqlQuery query(db);
    query.prepare(sql);
    for (const QVariant &value : binds)
        query.addBindValue(value);
    if (!query.exec() || !query.next())
        return {};
    return query.value(0);
}

inline std::unique_ptr<Store> openStore(const QString &path, const StoreOptions &options = {})
{
    auto store = std::make_unique<Store>();
    QString error;
    if (!store->open(path, options, &error)) {
        qWarning() << "open failed:" << error;
        return nullptr;
    }
    return store;
}

// The fixture of both test classes (Qt Test runs a base class's initTestCase/init too): a fresh
// file path per test function in one temporary directory.
class StoreTestCase : public QObject
{
    Q_OBJECT

protected:
    QTemporaryDir m_dir;
    QString m_path;

private:
    int m_counter = 0;

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void init()
    {
        // A store that leaks a connection or reuses a name shows up as one of these warnings.
        QTest::failOnWarning(QRegularExpression(QStringLiteral("still in use")));
        QTest::failOnWarning(QRegularExpression(QStringLiteral("duplicate connection name")));
        m_path = m_dir.filePath(QStringLiteral("t%1/store.db").arg(++m_counter));
    }
};

} // namespace coderoom::store::testing
