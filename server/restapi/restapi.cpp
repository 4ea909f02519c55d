#include "restapi.h"

#include "filestore.h"
#include "jobemapping.h"
#include "pistonmapping.h"
#include "restapilog.h"
#include "runcollector.h"
#include "runservice.h"

#include <memory>

namespace coderoom::restapi {

using transport::HttpReply;
using transport::HttpRequest;
using transport::HttpResponse;

namespace {

const QLatin1String PistonPrefix("/api/v2/");
const QLatin1String JobePrefix("/jobe/index.php/restapi/");

// The token from any of the headers the two APIs' clients send. "Authorization" may carry it
// bare as well: Piston's public instance took its key that way.
QString tokenOf(const HttpRequest &request)
{
    const QByteArray authorization = request.header("authorization").trimmed();
    if (!authorization.isEmpty()) {
        if (authorization.size() > 7 && authorization.left(7).toLower() == "bearer ")
            return QString::fromUtf8(authorization.mid(7).trimmed());
        return QString::fromUtf8(authorization);
    }
    for (const char *name : {"x-api-key", "x-coderoom-token"}) {
        const QByteArray value = request.header(name).trimmed();
        if (!value.isEmpty())
            return QString::fromUtf8(value);
    }
    return {};
}

HttpResponse json(int status, const QByteArray &body, const HttpRequest &request)
{
    // A HEAD answer has headers only; a body would be read as the next response.
    return HttpResponse::json(status, request.method == "HEAD" ? QByteArray() : body);
}

HttpResponse noContent(int status)
{
    HttpResponse response = HttpResponse::json(status, {});
    return response;
}

// 401 for a request without a valid token (logged: a wrong key is worth seeing in the log).
HttpResponse unauthorized(const HttpRequest &request, const QByteArray &body)
{
    qCInfo(lcRestApi) << "refused" << request.method << request.path << "from"
                      << request.peer.toString() << "(no or wrong token)";
    HttpResponse response = json(401, body, request);
    response.headers.append({QByteArray("WWW-Authenticate"), QByteArray("Bearer")});
    return response;
}

} // namespace

RestApi::RestApi(RunService *service, const RestApiConfig &config)
    : m_service(service)
    , m_config(config)
    , m_files(std::make_unique<FileStore>(config.fileStoreBytes, service->limits().maxCodeBytes))
    , m_guards(std::make_unique<QObject>())
{}

// Out of line: FileStore is complete here. m_guards goes first, abandoning pending runs.
RestApi::~RestApi() = default;

int RestApi::pendingRuns() const
{
    return int(m_guards->children().size());
}

bool RestApi::handle(const HttpRequest &request, const HttpReply &reply)
{
    if (request.path.startsWith(PistonPrefix)) {
        const QString route = request.path.mid(PistonPrefix.size());
        if (route != QLatin1String("runtimes") && route != QLatin1String("execute"))
            return false;
        handlePiston(request, route, reply);
        return true;
    }
    if (request.path.startsWith(JobePrefix)) {
        const QString route = request.path.mid(JobePrefix.size());
        if (route != QLatin1String("languages") && route != QLatin1String("runs") &&
            !route.startsWith(QLatin1String("files/"))) {
            return false;
        }
        handleJobe(request, route, reply);
        return true;
    }
    return false;
}

std::optional<QString> RestApi::authenticate(const HttpRequest &request) const
{
    const QString token = tokenOf(request);
    if (m_config.requireToken && token.isEmpty())
        return std::nullopt;
    return m_service->authenticate(token, request.peer);
}

void RestApi::handlePiston(const HttpRequest &request, const QString &route, const HttpReply &reply)
{
    const auto user = authenticate(request);
    if (!user) {
        reply(unauthorized(request,
                           piston::errorReply(401, QStringLiteral("missing or wrong token")).body));
        return;
    }
    if (route == QLatin1String("runtimes")) {
        if (request.method != "GET" && request.method != "HEAD") {
            reply(HttpResponse::json(405, piston::errorReply(405, QStringLiteral("use GET")).body));
            return;
        }
        reply(json(200, piston::runtimesJson(m_service->languages()), request));
        return;
    }
    if (request.method != "POST") {
        reply(HttpResponse::json(405, piston::errorReply(405, QStringLiteral("use POST")).body));
        return;
    }
    const piston::ExecuteParse parsed = piston::parseExecute(request.body, m_service->languages());
    if (!parsed.request) {
        reply(HttpResponse::json(parsed.error.status, parsed.error.body));
        return;
    }
    protocol::Run run = parsed.request->run;
    run.id = QStringLiteral("piston-%1").arg(++m_nextRun);
    const protocol::LanguageInfo language = parsed.request->language;
    submit(run, *user, [reply, language](const CollectedRun &collected) {
        const piston::Reply out = piston::executeReply(language, collected);
        reply(HttpResponse::json(out.status, out.body));
    });
}

void RestApi::handleJobe(const HttpRequest &request, const QString &route, const HttpReply &reply)
{
    const auto user = authenticate(request);
    if (!user) {
        reply(unauthorized(request,
                           jobe::errorReply(401, QStringLiteral("missing or wrong API key")).body));
        return;
    }
    auto methodNotAllowed = [&reply](const char *allowed) {
        reply(HttpResponse::json(
            405, jobe::errorReply(405, QStringLiteral("use %1").arg(QLatin1String(allowed))).body));
    };
    if (route == QLatin1String("languages")) {
        if (request.method != "GET" && request.method != "HEAD")
            return methodNotAllowed("GET");
        reply(json(200, jobe::languagesJson(m_service->languages()), request));
        return;
    }
    if (route.startsWith(QLatin1String("files/"))) {
        const QString id = route.mid(6);
        if (!jobe::isValidFileId(id)) {
            reply(
                json(400, jobe::errorReply(400, QStringLiteral("invalid file id")).body, request));
            return;
        }
        if (request.method == "HEAD") {
            reply(noContent(m_files->contains(id) ? 204 : 404));
            return;
        }
        if (request.method != "PUT")
            return methodNotAllowed("PUT or HEAD");
        jobe::Reply error;
        const auto contents = jobe::decodeFilePut(request.body, &error);
        if (!contents) {
            reply(HttpResponse::json(error.status, error.body));
            return;
        }
        m_files->setMaxFileBytes(m_service->limits().maxCodeBytes);
        if (!m_files->put(id, *contents)) {
            reply(HttpResponse::json(
                413, jobe::errorReply(413, QStringLiteral("put: the file is %1 bytes; this "
                                                          "server keeps files of at most %2")
                                               .arg(contents->size())
                                               .arg(m_files->maxFileBytes()))
                         .body));
            return;
        }
        reply(noContent(204));
        return;
    }
    if (request.method != "POST")
        return methodNotAllowed("POST");
    const jobe::RunSpecParse parsed = jobe::parseRunSpec(request.body, m_service->languages());
    if (!parsed.spec) {
        reply(HttpResponse::json(parsed.error.status, parsed.error.body));
        return;
    }
    protocol::Run run = parsed.spec->run;
    for (const auto &[id, name] : parsed.spec->fileList) {
        const auto contents = m_files->get(id);
        if (!contents) {
            reply(HttpResponse::json(
                404, jobe::errorReply(404, QStringLiteral("One or more of the specified files "
                                                          "is missing/unavailable"))
                         .body));
            return;
        }
        // The protocol carries files as text: a binary file would arrive altered.
        const QString text = QString::fromUtf8(*contents);
        if (text.toUtf8() != *contents) {
            reply(HttpResponse::json(
                400, jobe::errorReply(400, QStringLiteral("file %1 is not UTF-8 text (binary "
                                                          "files are not supported)")
                                               .arg(name))
                         .body));
            return;
        }
        run.files.append({name, text});
    }
    run.id = QStringLiteral("jobe-%1").arg(++m_nextRun);
    const QString runId = run.id;
    submit(run, *user, [reply, runId](const CollectedRun &collected) {
        const jobe::Reply out = jobe::runReply(runId, collected);
        reply(HttpResponse::json(out.status, out.body));
    });
}

void RestApi::submit(const protocol::Run &run, const QString &user,
                     const std::function<void(const CollectedRun &)> &done)
{
    // The guard lives while the run is wanted; it is gone (and the run abandoned) when this
    // RestApi is destroyed first.
    auto *guard = new QObject(m_guards.get());
    auto collected = std::make_shared<CollectedRun>();
    qCDebug(lcRestApi) << "submitting" << run.id << run.language << "for" << user;
    m_service->submit(
        run, user,
        [guard, collected, done](const protocol::ServerMessage &event) {
            if (!collectEvent(*collected, event))
                return;
            // Not pending any more; deleted later because the core is still delivering.
            guard->setParent(nullptr);
            guard->deleteLater();
            done(*collected);
        },
        guard);
}

} // namespace coderoom::restapi
