#include "tokenauth.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRandomGenerator>

#include <fcntl.h>
#include <unistd.h>

namespace coderoom::core {

namespace {

std::optional<QByteArray> readToken(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read token file %1: %2").arg(path, file.errorString());
        return std::nullopt;
    }
    const QByteArray token = file.read(4096).trimmed();
    if (token.size() < 16) {
        *error = QStringLiteral("token in %1 is shorter than 16 characters").arg(path);
        return std::nullopt;
    }
    return token;
}

bool writeNewToken(const QString &path, const QByteArray &token, QString *error)
{
    // O_EXCL: never follow or overwrite something already there; 0600 from the first byte.
    const int fd = ::open(QFile::encodeName(path).constData(),
                          O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        *error = QStringLiteral("cannot create token file %1: %2")
                     .arg(path, QString::fromLocal8Bit(strerror(errno)));
        return false;
    }
    const QByteArray line = token + '\n';
    const bool ok = ::write(fd, line.constData(), size_t(line.size())) == line.size();
    ::close(fd);
    if (!ok)
        *error = QStringLiteral("cannot write token file %1").arg(path);
    return ok;
}

} // namespace

std::optional<TokenAuth::Loaded> TokenAuth::load(const QString &tokenFile, const QString &dataDir,
                                                 QString *error, const QString &defaultName)
{
    if (!tokenFile.isEmpty()) {
        const auto token = readToken(tokenFile, error);
        if (!token)
            return std::nullopt;
        m_token = *token;
        return Loaded{tokenFile, false};
    }
    const QString path = QDir(dataDir).filePath(defaultName);
    if (QFileInfo::exists(path)) {
        const auto token = readToken(path, error);
        if (!token)
            return std::nullopt;
        m_token = *token;
        return Loaded{path, false};
    }
    QByteArray random(32, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(random.data()),
                                          random.size() / int(sizeof(quint32)));
    const QByteArray token = random.toHex();
    if (!writeNewToken(path, token, error))
        return std::nullopt;
    m_token = token;
    return Loaded{path, true};
}

bool TokenAuth::matches(const QString &presented) const
{
    const QByteArray given = presented.toUtf8();
    if (m_token.isEmpty())
        return false;
    // Compare every byte of the longer input; the length difference is folded into the result.
    unsigned diff = unsigned(given.size() ^ m_token.size());
    const qsizetype n = std::max(given.size(), m_token.size());
    for (qsizetype i = 0; i < n; ++i) {
        const char a = i < given.size() ? given[i] : 0;
        const char b = i < m_token.size() ? m_token[i] : 0;
        diff |= unsigned(static_cast<unsigned char>(a ^ b));
    }
    return diff == 0;
}

} // namespace coderoom::core
