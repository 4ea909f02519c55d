#pragma once

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <functional>

// Plain data for the small HTTP side of the front door (health, readiness, metrics, REST).
namespace coderoom::transport {

struct HttpRequest
{
    QByteArray method; // "GET", "POST", ...
    QString path;      // without the query string
    QString query;
    QList<std::pair<QByteArray, QByteArray>> headers; // names lower-cased
    QByteArray body;
    QHostAddress peer;

    QByteArray header(const QByteArray &lowerName) const;
};

struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<std::pair<QByteArray, QByteArray>> headers;

    static HttpResponse json(int status, const QByteArray &body);
    static HttpResponse text(int status, const QByteArray &body);
};

// Answers one request, now or later: the handler calls `reply` exactly once. The front keeps
// the connection alive until then and drops the reply if the peer went away.
using HttpReply = std::function<void(const HttpResponse &)>;
using HttpHandler = std::function<void(const HttpRequest &, const HttpReply &)>;

QByteArray reasonPhrase(int status);

} // namespace coderoom::transport
