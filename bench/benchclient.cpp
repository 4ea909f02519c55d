#include "benchclient.h"

#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimer>

namespace coderoom::bench {

namespace {

QString typeOf(const QJsonObject &m)
{
    return m.value(QStringLiteral("type")).toString();
}

} // namespace

BenchClient::BenchClient(QObject *parent)
    : QObject(parent)
{
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &BenchClient::onText);
    connect(&m_socket, &QWebSocket::connected, this, [this] {
        send({{QStringLiteral("type"), QStringLiteral("hello")},
              {QStringLiteral("protocol"), 1},
              {QStringLiteral("token"), m_token},
              {QStringLiteral("user"), m_user},
              {QStringLiteral("client"), QStringLiteral("coderoom-bench/0.1")}});
    });
    const auto fail = [this](const QString &reason) {
        m_ready = false;
        if (!m_failed) {
            m_failed = true;
            emit failed(reason);
        }
    };
    connect(&m_socket, &QWebSocket::disconnected, this,
            [fail] { fail(QStringLiteral("disconnected")); });
    // Qt 6.4: error(), not errorOccurred() (6.5+).
    connect(&m_socket, qOverload<QAbstractSocket::SocketError>(&QWebSocket::error), this,
            [this, fail](QAbstractSocket::SocketError) { fail(m_socket.errorString()); });
}

void BenchClient::open(const QUrl &url, const QString &token, const QString &user)
{
    m_token = token;
    m_user = user;
    m_ready = false;
    m_failed = false;
    m_socket.open(url);
}

bool BenchClient::openAndWait(const QUrl &url, const QString &token, const QString &user,
                              int timeoutMs)
{
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &BenchClient::ready, &loop, &QEventLoop::quit);
    connect(this, &BenchClient::failed, &loop, &QEventLoop::quit);
    open(url, token, user);
    timer.start(timeoutMs);
    if (!m_ready && !m_failed)
        loop.exec();
    return m_ready;
}

void BenchClient::send(const QJsonObject &message)
{
    m_socket.sendTextMessage(
        QString::fromUtf8(QJsonDocument(message).toJson(QJsonDocument::Compact)));
    m_socket.flush(); // as the IDE does: out now, not on the next pass of the event loop
}

void BenchClient::onText(const QString &text)
{
    const QJsonObject m = QJsonDocument::fromJson(text.toUtf8()).object();
    if (!m_ready && !m_failed) {
        if (typeOf(m) == QLatin1String("welcome")) {
            m_ready = true;
            emit ready();
        } else {
            m_failed = true;
            emit failed(QStringLiteral("refused: ") + text.left(200));
        }
        return;
    }
    // A handler may replace itself (onMessage = nullptr) while it runs: call a copy, so the
    // closure it runs in stays alive until it returns.
    if (const auto handler = onMessage)
        handler(m);
}

QJsonObject BenchClient::waitFor(const std::function<bool(const QJsonObject &)> &match,
                                 int timeoutMs)
{
    QEventLoop loop;
    QJsonObject found;
    auto previous = onMessage;
    onMessage = [&](const QJsonObject &m) {
        if (found.isEmpty() && match(m)) {
            found = m;
            loop.quit();
        } else if (previous) {
            previous(m);
        }
    };
    QTimer timer;
    timer.setSingleShot(true);
    connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    connect(this, &BenchClient::failed, &loop, &QEventLoop::quit);
    timer.start(timeoutMs);
    if (m_socket.state() == QAbstractSocket::ConnectedState)
        loop.exec();
    onMessage = previous;
    return found;
}

QJsonObject BenchClient::request(QJsonObject message, const QStringList &types, int timeoutMs)
{
    const QString id = nextId();
    message.insert(QStringLiteral("id"), id);
    send(message);
    return waitFor(
        [&](const QJsonObject &m) {
            if (m.value(QStringLiteral("id")).toString() != id)
                return false;
            const QString type = typeOf(m);
            return type == QLatin1String("error") || types.contains(type);
        },
        timeoutMs);
}

QJsonObject evalMessage(const QString &session, const QString &code)
{
    return {{QStringLiteral("type"), QStringLiteral("eval")},
            {QStringLiteral("session"), session},
            {QStringLiteral("code"), code}};
}

QJsonObject runMessage(const QString &language, const QString &fileName, const QString &code)
{
    return {{QStringLiteral("type"), QStringLiteral("run")},
            {QStringLiteral("language"), language},
            {QStringLiteral("files"), QJsonArray{QJsonObject{{QStringLiteral("name"), fileName},
                                                             {QStringLiteral("content"), code}}}}};
}

} // namespace coderoom::bench
