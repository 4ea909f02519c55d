#pragma once

#include <QString>

// Plain data kept by the store. Copyable, defaults in member initialisers; behaviour lives in
// Store.
namespace coderoom::store {

enum class EntryKind
{
    Eval,  // one REPL line or cell
    Input, // one chunk of stdin consumed by an eval (parentSeq names that eval)
};

struct SessionRecord
{
    QString id;       // 128 random bits as 32 lower-case hex digits
    QString user;     // the owner; nobody else finds the session
    QString language; // registry id, e.g. "python"
    qint64 createdMs = 0;
    qint64 lastUsedMs = 0; // what retention (purgeIdle) looks at
    bool closed = false;   // session.close: interpreter gone, history kept until retention
};

struct HistoryRecord
{
    qint64 seq = 0; // per session, strictly increasing, never reused (also not after a clear)
    EntryKind kind = EntryKind::Eval;
    QString code;         // Eval: the source; Input: the stdin chunk
    QString status;       // protocol wire name, e.g. "ok", "error"; empty while still running
    qint64 parentSeq = 0; // for Input: the eval it belongs to; 0 for Eval
    qint64 atMs = 0;      // wall clock when appended
};

struct StoreError
{
    QString message;
};

// How much a committed append survives. Both use WAL.
enum class Durability
{
    // synchronous=NORMAL: a commit is in the WAL (OS page cache) when append() returns. It
    // survives the server being killed or crashing; a power cut or kernel crash may lose the
    // last commits (never corrupts the file). No fsync per append, so appends stay cheap.
    ProcessCrash,
    // synchronous=FULL: fsync of the WAL on every commit; survives power loss, costs a disk
    // flush per append.
    PowerLoss,
};

struct StoreOptions
{
    Durability durability = Durability::ProcessCrash;
    int busyTimeoutMs = 5000; // how long a writer waits for another connection's write lock
    bool readOnly = false;    // SQLITE_OPEN_READONLY: never migrates, every write fails cleanly
};

} // namespace coderoom::store
