#pragma once

#include <QByteArray>
#include <QJsonDocument>
#include <QList>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QUrl>

#include <utility>

// Plain HTTP against the real coderoomd for the REST tests: one request, wait for its end.
namespace coderoom::tests {

using Headers = QList<std::pair<QByteArray, QByteArray>>;

struct HttpResult
{
    int status = 0; // 0: no answer in time
    QByteArray body;
    QJsonDocument json() const { return QJsonDocument::fromJson(body); }
};

class RestClient
{
public:
    explicit RestClient(const QUrl &serverUrl); // the ws:// URL of ServerProcess::url()

    // Starts a request; the reply belongs to the client until it is deleted.
    QNetworkReply *send(const QByteArray &verb, const QString &path, const QByteArray &body,
                        const Headers &headers);
    // Waits (on the reply's signal) until it finished; the status and body it ended with.
    static HttpResult finish(QNetworkReply *reply, int timeoutMs = 30000);

    HttpResult request(const QByteArray &verb, const QString &path, const QByteArray &body = {},
                       const Headers &headers = {}, int timeoutMs = 30000);

private:
    QUrl m_base;
    QNetworkAccessManager m_nam;
};

Headers bearer(const QString &token);

} // namespace coderoom::tests
