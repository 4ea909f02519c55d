#include "filestore.h"

namespace coderoom::restapi {

bool FileStore::put(const QString &id, const QByteArray &contents)
{
    if (contents.size() > m_maxFile || contents.size() > m_budget)
        return false;
    if (const auto it = m_files.find(id); it != m_files.end()) {
        m_total -= it->contents.size();
        m_files.erase(it);
    }
    evictDownTo(m_budget - contents.size());
    m_files.insert(id, {contents, ++m_clock});
    m_total += contents.size();
    return true;
}

bool FileStore::contains(const QString &id)
{
    const auto it = m_files.find(id);
    if (it == m_files.end())
        return false;
    it->lastUse = ++m_clock;
    return true;
}

std::optional<QByteArray> FileStore::get(const QString &id)
{
    const auto it = m_files.find(id);
    if (it == m_files.end())
        return std::nullopt;
    it->lastUse = ++m_clock;
    return it->contents;
}

void FileStore::evictDownTo(qint64 bytes)
{
    // A linear scan per eviction: the store holds at most a few thousand files, and uploads
    // are rare next to runs.
    while (m_total > bytes && !m_files.isEmpty()) {
        auto oldest = m_files.begin();
        for (auto it = m_files.begin(); it != m_files.end(); ++it) {
            if (it->lastUse < oldest->lastUse)
                oldest = it;
        }
        m_total -= oldest->contents.size();
        m_files.erase(oldest);
    }
}

} // namespace coderoom::restapi
