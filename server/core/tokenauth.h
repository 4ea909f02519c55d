#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

// The shared secret clients present in hello. Read from a file (never the command line, where
// `ps` shows it to every user); created with mode 0600 when the server owns the default file.
namespace coderoom::core {

class TokenAuth
{
public:
    struct Loaded
    {
        QString path;
        bool created = false;
    };
    // Reads the token from `tokenFile`, or from <dataDir>/<defaultName> creating it (random,
    // 0600) when tokenFile is empty and the file is absent. nullopt + *error when unusable.
    std::optional<Loaded> load(const QString &tokenFile, const QString &dataDir, QString *error,
                               const QString &defaultName = QStringLiteral("token"));

    // Constant-time: the time taken does not depend on how much of the token matched.
    bool matches(const QString &presented) const;

private:
    QByteArray m_token;
};

} // namespace coderoom::core
