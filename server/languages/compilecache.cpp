#include "compilecache.h"

#include "languageslog.h"

#include <QCryptographicHash>
#include <QDataStream>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <algorithm>

namespace coderoom::languages {

namespace {

// Bumped whenever the entry layout changes; old entries then simply miss.
constexpr quint32 EntryMagic = 0x43524331; // "CRC1"

void addField(QCryptographicHash &hash, const QByteArray &bytes)
{
    const quint64 size = quint64(bytes.size());
    QByteArray prefix(8, '\0');
    for (int i = 0; i < 8; ++i)
        prefix[i] = char((size >> (8 * i)) & 0xff);
    hash.addData(prefix);
    hash.addData(bytes);
}

} // namespace

CompileCache::CompileCache(const QString &dir, qint64 maxBytes)
    : m_dir(dir)
    , m_maxBytes(maxBytes)
{
    if (m_dir.isEmpty())
        return;
    if (!QDir().mkpath(m_dir)) {
        qCWarning(lcLanguages) << "cannot create compile cache" << m_dir << "- caching off";
        m_dir.clear();
        return;
    }
    QFile::setPermissions(m_dir, QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner);
}

QByteArray CompileCache::key(const QString &languageId, const QString &compilerVersion,
                             const QStringList &commandTemplate,
                             const QList<QPair<QString, QByteArray>> &files, const QString &main)
{
    QCryptographicHash hash(QCryptographicHash::Sha256);
    addField(hash, languageId.toUtf8());
    addField(hash, compilerVersion.toUtf8());
    addField(hash, QByteArray::number(commandTemplate.size()));
    for (const QString &part : commandTemplate)
        addField(hash, part.toUtf8());
    addField(hash, main.toUtf8());
    addField(hash, QByteArray::number(files.size()));
    for (const auto &file : files) {
        addField(hash, file.first.toUtf8());
        addField(hash, file.second);
    }
    return hash.result().toHex();
}

QString CompileCache::entryPath(const QByteArray &key) const
{
    return m_dir + QLatin1Char('/') + QString::fromLatin1(key) + QStringLiteral(".bin");
}

std::optional<CacheEntry> CompileCache::lookup(const QByteArray &key) const
{
    if (!isEnabled())
        return std::nullopt;
    QFile file(entryPath(key));
    if (!file.open(QIODevice::ReadWrite))
        return std::nullopt;
    QDataStream in(&file);
    in.setVersion(QDataStream::Qt_6_4);
    quint32 magic = 0;
    qint32 count = 0;
    in >> magic >> count;
    if (magic != EntryMagic || count < 0 || count > 10000)
        return std::nullopt;
    CacheEntry entry;
    for (qint32 i = 0; i < count; ++i) {
        CachedFile cached;
        in >> cached.name >> cached.content >> cached.executable;
        entry.files.append(cached);
    }
    in >> entry.compileOutput;
    if (in.status() != QDataStream::Ok) {
        qCWarning(lcLanguages) << "corrupt cache entry" << file.fileName() << "- removed";
        file.remove();
        return std::nullopt;
    }
    // LRU: the modification time is the last use.
    file.setFileTime(QDateTime::currentDateTimeUtc(), QFileDevice::FileModificationTime);
    return entry;
}

bool CompileCache::store(const QByteArray &key, const CacheEntry &entry, QString *error) const
{
    if (!isEnabled())
        return false;
    QSaveFile file(entryPath(key));
    if (!file.open(QIODevice::WriteOnly)) {
        if (error)
            *error = file.errorString();
        return false;
    }
    QDataStream out(&file);
    out.setVersion(QDataStream::Qt_6_4);
    out << EntryMagic << qint32(entry.files.size());
    for (const CachedFile &cached : entry.files)
        out << cached.name << cached.content << cached.executable;
    out << entry.compileOutput;
    if (out.status() != QDataStream::Ok || !file.commit()) {
        if (error)
            *error = file.errorString();
        return false;
    }
    evict();
    return true;
}

void CompileCache::evict() const
{
    if (!isEnabled())
        return;
    QFileInfoList entries = QDir(m_dir).entryInfoList({QStringLiteral("*.bin")}, QDir::Files);
    qint64 total = 0;
    for (const QFileInfo &info : std::as_const(entries))
        total += info.size();
    if (total <= m_maxBytes)
        return;
    std::sort(entries.begin(), entries.end(), [](const QFileInfo &a, const QFileInfo &b) {
        return a.lastModified() < b.lastModified();
    });
    for (const QFileInfo &info : std::as_const(entries)) {
        if (total <= m_maxBytes)
            break;
        if (QFile::remove(info.filePath()))
            total -= info.size();
    }
}

} // namespace coderoom::languages
