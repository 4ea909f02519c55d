#include "resthttp.h"

#include <QNetworkRequest>
#include <QSignalSpy>

namespace coderoom::tests {

RestClient::RestClient(const QUrl &serverUrl)
{
    m_base.setScheme(QStringLiteral("http"));
    m_base.setHost(serverUrl.host());
    m_base.setPort(serverUrl.port());
}

QNetworkReply *RestClient::send(const QByteArray &verb, const QString &path, const QByteArray &body,
                                const Headers &headers)
{
    QUrl url = m_base;
    url.setPath(path);
    QNetworkRequest request(url);
    request.setTransferTimeout(60000);
    if (!body.isEmpty())
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArray("application/json"));
    for (const auto &[name, value] : headers)
        request.setRawHeader(name, value);
    return m_nam.sendCustomRequest(request, verb, body);
}

HttpResult RestClient::finish(QNetworkReply *reply, int timeoutMs)
{
    HttpResult result;
    if (!reply->isFinished()) {
        QSignalSpy finished(reply, &QNetworkReply::finished);
        if (!finished.wait(timeoutMs))
            return result;
    }
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.body = reply->readAll();
    return result;
}

HttpResult RestClient::request(const QByteArray &verb, const QString &path, const QByteArray &body,
                               const Headers &headers, int timeoutMs)
{
    QNetworkReply *reply = send(verb, path, body, headers);
    const HttpResult result = finish(reply, timeoutMs);
    reply->deleteLater();
    return result;
}

Headers bearer(const QString &token)
{
    return {{QByteArray("Authorization"), "Bearer " + token.toUtf8()}};
}

} // namespace coderoom::tests
