#include "hellolimiter.h"

#include "accountslog_p.h"

#include <algorithm>

namespace coderoom::accounts {

HelloLimiter::HelloLimiter(const HelloLimiterConfig &config)
    : m_config(config)
{
    m_config.maxFailures = std::max(1, m_config.maxFailures);
    m_config.maxAddresses = std::max(1, m_config.maxAddresses);
}

QByteArray HelloLimiter::keyFor(const QHostAddress &address)
{
    bool isV4 = false;
    const quint32 v4 = address.toIPv4Address(&isV4); // also unwraps ::ffff:a.b.c.d
    if (isV4) {
        QByteArray key(1, '4');
        for (int shift = 24; shift >= 0; shift -= 8)
            key.append(char((v4 >> shift) & 0xff));
        return key;
    }
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        const Q_IPV6ADDR v6 = address.toIPv6Address();
        QByteArray key(1, '6');
        key.append(reinterpret_cast<const char *>(v6.c), 8); // the /64 prefix
        return key;
    }
    return QByteArray("?"); // no address (e.g. a local socket): one shared bucket
}

HelloLimiter::Lru::iterator HelloLimiter::find(const QByteArray &key)
{
    const auto it = m_index.constFind(key);
    return it == m_index.cend() ? m_entries.end() : it.value();
}

void HelloLimiter::touch(Lru::iterator it, qint64 nowMs)
{
    it->lastTouched = nowMs;
    m_entries.splice(m_entries.begin(), m_entries, it); // iterators stay valid
}

void HelloLimiter::erase(Lru::iterator it)
{
    m_index.remove(it->key);
    m_entries.erase(it);
}

bool HelloLimiter::allowed(const QHostAddress &address, qint64 nowMs, qint64 *retryAfterMs)
{
    if (retryAfterMs)
        *retryAfterMs = 0;
    const auto it = find(keyFor(address));
    if (it == m_entries.end())
        return true;
    if (nowMs - it->lastTouched > m_config.maxBackoffMs + m_config.windowMs) {
        erase(it); // long quiet: start afresh
        return true;
    }
    if (nowMs < it->blockedUntil) {
        if (retryAfterMs)
            *retryAfterMs = it->blockedUntil - nowMs;
        return false;
    }
    return true;
}

void HelloLimiter::recordFailure(const QHostAddress &address, qint64 nowMs)
{
    const QByteArray key = keyFor(address);
    auto it = find(key);
    if (it != m_entries.end() &&
        nowMs - it->lastTouched > m_config.maxBackoffMs + m_config.windowMs) {
        erase(it);
        it = m_entries.end();
    }
    if (it == m_entries.end()) {
        while (int(m_entries.size()) >= m_config.maxAddresses)
            erase(std::prev(m_entries.end())); // the least recently touched
        m_entries.push_front(Entry{key, {}, 0, 0, nowMs});
        it = m_entries.begin();
        m_index.insert(key, it);
    }
    touch(it, nowMs);
    if (nowMs < it->blockedUntil)
        return; // refused hellos do not reach the token check; nothing more to count
    while (!it->failures.empty() && nowMs - it->failures.front() >= m_config.windowMs)
        it->failures.pop_front();
    it->failures.push_back(nowMs);
    if (int(it->failures.size()) < m_config.maxFailures)
        return;
    it->failures.clear();
    // Doubling per strike, capped; the shift is bounded so it cannot overflow.
    const int shift = std::min(it->strikes, 20);
    const qint64 backoff = std::min(m_config.baseBackoffMs << shift, m_config.maxBackoffMs);
    ++it->strikes;
    it->blockedUntil = nowMs + backoff;
    qCWarning(lcAccounts).noquote() << "too many failed hellos from" << address.toString()
                                    << "- refusing for" << backoff / 1000 << "s";
}

void HelloLimiter::recordSuccess(const QHostAddress &address)
{
    const auto it = find(keyFor(address));
    if (it != m_entries.end())
        erase(it);
}

} // namespace coderoom::accounts
