#include "diagnosticparser.h"

#include <QRegularExpression>

namespace coderoom::ui {

namespace {
struct Pattern
{
    QRegularExpression re;
    int file;
    int line;
    int column; // 0: none
};

// Raw strings with a "re" delimiter: the Python pattern itself contains )".
const QString PythonFrame = QString::fromLatin1(R"re(File "([^"]+)", line (\d+))re");
const QString GccDiagnostic =
    QString::fromLatin1(R"re(^\s*((?:[A-Za-z]:)?[^\s:][^:]*):(\d+):(\d+):\s*)re"
                        R"re((?:fatal error|error|warning|note))re");
const QString JavacDiagnostic =
    QString::fromLatin1(R"re(^\s*([^\s:][^:]*\.java):(\d+):\s*(?:error|warning))re");
const QString JavaFrame = QString::fromLatin1(R"re(\bat [\w$.<>]+\(([\w$]+\.java):(\d+)\))re");
const QString NodeLocation = QString::fromLatin1(
    R"re((?:file://)?((?:/|\.{1,2}/)?[\w./-]*\.(?:js|mjs|cjs)):(\d+)(?::(\d+))?)re");

const QList<Pattern> &patterns()
{
    // Order matters: the most specific formats first.
    static const QList<Pattern> list{
        {QRegularExpression(PythonFrame), 1, 2, 0},
        {QRegularExpression(GccDiagnostic), 1, 2, 3},
        {QRegularExpression(JavacDiagnostic), 1, 2, 0},
        {QRegularExpression(JavaFrame), 1, 2, 0},
        {QRegularExpression(NodeLocation), 1, 2, 3},
    };
    return list;
}
} // namespace

std::optional<Diagnostic> DiagnosticParser::parse(const QString &line)
{
    for (const Pattern &pattern : patterns()) {
        const QRegularExpressionMatch match = pattern.re.match(line);
        if (!match.hasMatch())
            continue;
        Diagnostic d;
        d.file = match.captured(pattern.file);
        d.line = match.captured(pattern.line).toInt();
        if (pattern.column > 0)
            d.column = match.captured(pattern.column).toInt();
        if (d.isValid())
            return d;
    }
    return std::nullopt;
}

} // namespace coderoom::ui
