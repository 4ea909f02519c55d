#pragma once

#include <QString>

#include <optional>

// Test certificates made at test time with the openssl command (never committed).
namespace coderoom::tests {

struct TestCertificate
{
    QString certificate; // PEM, self-signed, CA:TRUE, SAN IP:127.0.0.1 and DNS:localhost
    QString key;         // PEM private key, no passphrase
};

// keyType: "ec" (P-256, fast) or "rsa" (2048 bits). Files are <dir>/<name>.crt and .key.
std::optional<TestCertificate> makeCertificate(const QString &dir, const QString &name,
                                               const QString &keyType = QStringLiteral("ec"),
                                               QString *error = nullptr);

} // namespace coderoom::tests
