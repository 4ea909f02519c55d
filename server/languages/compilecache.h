#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

// A content-addressed cache of compiler outputs on the host, so pressing Run again on unchanged
// code skips the compiler. One file per entry (<dir>/<sha256>.bin, written atomically with
// QSaveFile), least recently used evicted past a total size. Stateless apart from the
// directory: several ProgramRuns may use the same directory at once (a race only costs a
// duplicate compile; the rename is atomic).
namespace coderoom::languages {

struct CachedFile
{
    QString name;
    QByteArray content;
    bool executable = false;
};

struct CacheEntry
{
    QList<CachedFile> files;
    QByteArray compileOutput; // the compiler's warnings, replayed on a hit
};

class CompileCache
{
public:
    CompileCache(const QString &dir, qint64 maxBytes);

    bool isEnabled() const { return !m_dir.isEmpty(); }
    QString dir() const { return m_dir; }

    // The key hashes everything that changes the output: language, compiler version, the
    // command template (flags), and every file's name and content, length-prefixed so that
    // moving bytes between names or files changes the key.
    static QByteArray key(const QString &languageId, const QString &compilerVersion,
                          const QStringList &commandTemplate,
                          const QList<QPair<QString, QByteArray>> &files, const QString &main);

    std::optional<CacheEntry> lookup(const QByteArray &key) const; // touches the entry (LRU)
    bool store(const QByteArray &key, const CacheEntry &entry, QString *error = nullptr) const;
    void evict() const; // oldest first until the total is under maxBytes

private:
    QString entryPath(const QByteArray &key) const;

    QString m_dir;
    qint64 m_maxBytes = 0;
};

} // namespace coderoom::languages
