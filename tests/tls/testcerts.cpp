#include "testcerts.h"

#include <QDir>
#include <QProcess>

namespace coderoom::tests {

std::optional<TestCertificate> makeCertificate(const QString &dir, const QString &name,
                                               const QString &keyType, QString *error)
{
    const TestCertificate out{QDir(dir).filePath(name + QStringLiteral(".crt")),
                              QDir(dir).filePath(name + QStringLiteral(".key"))};
    QStringList args{QStringLiteral("req"),
                     QStringLiteral("-x509"),
                     QStringLiteral("-nodes"),
                     QStringLiteral("-days"),
                     QStringLiteral("2"),
                     QStringLiteral("-subj"),
                     QStringLiteral("/CN=coderoom-test-") + name,
                     QStringLiteral("-addext"),
                     QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost"),
                     QStringLiteral("-keyout"),
                     out.key,
                     QStringLiteral("-out"),
                     out.certificate};
    if (keyType == QLatin1String("rsa"))
        args += {QStringLiteral("-newkey"), QStringLiteral("rsa:2048")};
    else
        args += {QStringLiteral("-newkey"), QStringLiteral("ec"), QStringLiteral("-pkeyopt"),
                 QStringLiteral("ec_paramgen_curve:prime256v1")};
    QProcess openssl;
    openssl.start(QStringLiteral("openssl"), args);
    if (!openssl.waitForFinished(60000) || openssl.exitStatus() != QProcess::NormalExit ||
        openssl.exitCode() != 0) {
        if (error)
            *error = QStringLiteral("openssl req failed: %1 %2")
                         .arg(openssl.errorString(),
                              QString::fromLocal8Bit(openssl.readAllStandardError()));
        return std::nullopt;
    }
    return out;
}

} // namespace coderoom::tests
