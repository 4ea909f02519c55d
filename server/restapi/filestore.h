#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>

#include <optional>

// Jobe's uploaded files (PUT .../files/{id}), kept in memory only: the least recently used go
// first when the total would pass the budget. A dropped file reads as missing, and CodeRunner
// then uploads it again (it checks with HEAD before each run that needs it).
namespace coderoom::restapi {

class FileStore final
{
public:
    FileStore(qint64 totalBudgetBytes, qint64 maxFileBytes)
        : m_budget(totalBudgetBytes)
        , m_maxFile(maxFileBytes)
    {}

    // False when the file is larger than the per-file maximum (nothing is stored then).
    // Replaces a file with the same id.
    bool put(const QString &id, const QByteArray &contents);
    // Both count as a use for the LRU order.
    bool contains(const QString &id);
    std::optional<QByteArray> get(const QString &id);

    void setMaxFileBytes(qint64 bytes) { m_maxFile = bytes; }
    qint64 maxFileBytes() const { return m_maxFile; }
    qint64 totalBytes() const { return m_total; }
    qsizetype count() const { return m_files.size(); }

private:
    struct Entry
    {
        QByteArray contents;
        quint64 lastUse = 0;
    };
    void evictDownTo(qint64 bytes);

    QHash<QString, Entry> m_files;
    qint64 m_budget;
    qint64 m_maxFile;
    qint64 m_total = 0;
    quint64 m_clock = 0;
};

} // namespace coderoom::restapi
