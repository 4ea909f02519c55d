#pragma once

#include <QJsonObject>
#include <QObject>
#include <QUrl>
#include <QWebSocket>

#include <functional>

// One WebSocket connection speaking the Coderoom protocol, event-driven so that thousands can
// share one thread. Every frame is parsed and handed to onMessage; nothing is queued, so a
// caller that is not listening loses the frame (benchmarks always listen for what they wait on).
//
// States: Closed --open()--> Connecting --welcome--> Ready; any error or close --> Closed
// (failed() fires once, with the reason, if Ready was never reached).
namespace coderoom::bench {

class BenchClient final : public QObject
{
    Q_OBJECT
public:
    explicit BenchClient(QObject *parent = nullptr);

    void open(const QUrl &url, const QString &token, const QString &user);
    // open() and wait for welcome; false after timeoutMs or on refusal.
    bool openAndWait(const QUrl &url, const QString &token, const QString &user,
                     int timeoutMs = 10000);
    bool isReady() const { return m_ready; }
    void send(const QJsonObject &message);
    QString nextId() { return QStringLiteral("b%1").arg(++m_nextId); }
    void close() { m_socket.close(); }

    // Runs an event loop until a frame matches (returned) or timeoutMs passes (empty object).
    // Frames that do not match are given to onMessage as usual.
    QJsonObject waitFor(const std::function<bool(const QJsonObject &)> &match, int timeoutMs);
    // Sends message with a fresh id and waits for the frame answering that id with one of the
    // given types ("result" for work, "session.opened" for opens; "error" always ends it).
    QJsonObject request(QJsonObject message, const QStringList &types, int timeoutMs);

    std::function<void(const QJsonObject &)> onMessage;

signals:
    void ready();
    void failed(const QString &reason);

private:
    void onText(const QString &text);

    QWebSocket m_socket;
    QString m_token;
    QString m_user;
    bool m_ready = false;
    bool m_failed = false;
    qint64 m_nextId = 0;
};

QJsonObject evalMessage(const QString &session, const QString &code);
QJsonObject runMessage(const QString &language, const QString &fileName, const QString &code);

} // namespace coderoom::bench
