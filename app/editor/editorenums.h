#pragma once

#include <QString>

// Names for everything the editor numbers: languages, themes, and the QScintilla margins,
// markers and indicators (QScintilla speaks in small integers; nobody should have to).
namespace coderoom::editor {

enum class Language
{
    PlainText,
    Python,
    Cpp,
    Java,
    JavaScript,
};

enum class Theme
{
    Light,
    Dark
};

// QScintilla margin numbers, left to right.
enum class Margin : int
{
    LineNumbers = 0,
    Markers = 1,
    Folding = 2
};

// QScintilla marker numbers (0..24 are free for applications; 25..31 are the fold markers).
enum class Marker : int
{
    Error = 0
};

// QScintilla indicator numbers (0..7 belong to lexers; 8..31 are for containers).
enum class Indicator : int
{
    Error = 8,
    FindMatch = 9
};

constexpr int toInt(Margin m)
{
    return static_cast<int>(m);
}
constexpr int toInt(Marker m)
{
    return static_cast<int>(m);
}
constexpr int toInt(Indicator i)
{
    return static_cast<int>(i);
}

// "main.py" -> Python, "x.hpp" -> Cpp; unknown extensions give PlainText.
Language languageFromFileName(const QString &fileName);
// The server's language id ("python", "cpp", "java", "javascript"); empty for PlainText.
QString languageId(Language language);
// The inverse of languageId(); unknown ids give PlainText.
Language languageFromId(const QString &id);
// A display name for menus ("Python", "C++").
QString languageName(Language language);
// The usual file name extension, without the dot ("py"); "txt" for PlainText.
QString defaultExtension(Language language);

} // namespace coderoom::editor
