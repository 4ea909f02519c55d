#include "logformat.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QString>

#include <cstdio>

namespace coderoom::core {

namespace {

LogFormat g_format = LogFormat::Text;

const char *levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return "debug";
    case QtInfoMsg:
        return "info";
    case QtWarningMsg:
        return "warning";
    case QtCriticalMsg:
        return "error";
    case QtFatalMsg:
        return "fatal";
    }
    return "info";
}

void handler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QString time = QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
    const char *category = context.category ? context.category : "default";
    QByteArray line;
    if (g_format == LogFormat::Json) {
        line = QJsonDocument(QJsonObject{{QStringLiteral("ts"), time},
                                         {QStringLiteral("level"), QLatin1String(levelName(type))},
                                         {QStringLiteral("category"), QLatin1String(category)},
                                         {QStringLiteral("msg"), message}})
                   .toJson(QJsonDocument::Compact);
    } else {
        line = time.toUtf8() + ' ' + levelName(type) + ' ' + category + ": " + message.toUtf8();
    }
    line += '\n';
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

} // namespace

void installLogHandler(LogFormat format)
{
    g_format = format;
    qInstallMessageHandler(handler);
}

} // namespace coderoom::core
