#include "editorenums.h"

#include <QFileInfo>

namespace coderoom::editor {

Language languageFromFileName(const QString &fileName)
{
    const QString suffix = QFileInfo(fileName).suffix().toLower();
    if (suffix == u"py" || suffix == u"pyw")
        return Language::Python;
    if (suffix == u"cpp" || suffix == u"cc" || suffix == u"cxx" || suffix == u"c" ||
        suffix == u"h" || suffix == u"hpp" || suffix == u"hh" || suffix == u"hxx")
        return Language::Cpp;
    if (suffix == u"java")
        return Language::Java;
    if (suffix == u"js" || suffix == u"mjs" || suffix == u"cjs")
        return Language::JavaScript;
    return Language::PlainText;
}

QString languageId(Language language)
{
    switch (language) {
    case Language::Python:
        return QStringLiteral("python");
    case Language::Cpp:
        return QStringLiteral("cpp");
    case Language::Java:
        return QStringLiteral("java");
    case Language::JavaScript:
        return QStringLiteral("javascript");
    case Language::PlainText:
        break;
    }
    return {};
}

Language languageFromId(const QString &id)
{
    const QString lower = id.toLower();
    if (lower == u"python" || lower == u"python3")
        return Language::Python;
    if (lower == u"cpp" || lower == u"c++" || lower == u"c")
        return Language::Cpp;
    if (lower == u"java")
        return Language::Java;
    if (lower == u"javascript" || lower == u"js" || lower == u"node")
        return Language::JavaScript;
    return Language::PlainText;
}

QString languageName(Language language)
{
    switch (language) {
    case Language::Python:
        return QStringLiteral("Python");
    case Language::Cpp:
        return QStringLiteral("C++");
    case Language::Java:
        return QStringLiteral("Java");
    case Language::JavaScript:
        return QStringLiteral("JavaScript");
    case Language::PlainText:
        break;
    }
    return QStringLiteral("Text");
}

QString defaultExtension(Language language)
{
    switch (language) {
    case Language::Python:
        return QStringLiteral("py");
    case Language::Cpp:
        return QStringLiteral("cpp");
    case Language::Java:
        return QStringLiteral("java");
    case Language::JavaScript:
        return QStringLiteral("js");
    case Language::PlainText:
        break;
    }
    return QStringLiteral("txt");
}

} // namespace coderoom::editor
