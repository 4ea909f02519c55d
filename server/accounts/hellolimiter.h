#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>

#include <deque>
#include <list>

// Rate limit for failed hellos (bad token), per client address. Pure: time is passed in
// (milliseconds, any monotonic origin), no timers, no sockets.
//
// Per address: Open --maxFailures failures within windowMs--> Blocked for backoff
//   Blocked --backoff elapsed--> Open (failures forgotten, strikes kept)
//   each further block doubles the backoff (baseBackoffMs, 2x, 4x ... up to maxBackoffMs);
//   recordSuccess() forgets the address entirely; an entry idle for longer than
//   maxBackoffMs + windowMs is forgotten too.
// allowed() says whether a hello from the address may be checked at all; while Blocked the
// server refuses it without looking at the token (so guesses are not even tried).
//
// Addresses are grouped: IPv4 (and IPv4-mapped IPv6) per address, other IPv6 per /64, since one
// host usually owns a whole /64. A classroom behind one NAT shares an address: keep maxFailures
// generous enough that a few mistyped tokens do not block the room (a success clears it).
//
// Memory: at most maxAddresses entries; a new address beyond that drops the least recently
// touched one (an attacker with many addresses can thus flush entries: it still pays the
// window for each address it uses).
namespace coderoom::accounts {

struct HelloLimiterConfig
{
    int maxFailures = 5;
    qint64 windowMs = 60 * 1000;
    qint64 baseBackoffMs = 30 * 1000;
    qint64 maxBackoffMs = 15 * 60 * 1000;
    int maxAddresses = 10000;
};

class HelloLimiter final
{
public:
    explicit HelloLimiter(const HelloLimiterConfig &config = {});

    // false while the address is blocked; *retryAfterMs (if given) is then > 0, else 0.
    bool allowed(const QHostAddress &address, qint64 nowMs, qint64 *retryAfterMs = nullptr);
    void recordFailure(const QHostAddress &address, qint64 nowMs);
    void recordSuccess(const QHostAddress &address);

    int trackedAddresses() const { return int(m_entries.size()); }
    static QByteArray keyFor(const QHostAddress &address); // the grouping described above

private:
    struct Entry
    {
        QByteArray key;
        std::deque<qint64> failures; // within the window, oldest first; at most maxFailures
        qint64 blockedUntil = 0;
        int strikes = 0;
        qint64 lastTouched = 0;
    };
    using Lru = std::list<Entry>; // most recently touched at the front
    Lru::iterator find(const QByteArray &key);
    void touch(Lru::iterator it, qint64 nowMs);
    void erase(Lru::iterator it);

    HelloLimiterConfig m_config;
    Lru m_entries;
    QHash<QByteArray, Lru::iterator> m_index;
};

} // namespace coderoom::accounts
