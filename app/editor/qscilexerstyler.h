#pragma once

#include "syntaxstyler.h"

#include <QColor>

class QObject;
class QsciLexer;

// The default backend: QScintilla's built-in lexers (Python, C++, Java, JavaScript). The dark
// theme is derived from each lexer's light colours (dark text made light, same hue) so every
// lexer style stays readable without a hand-written palette per language.
namespace coderoom::editor {

class QsciLexerStyler final : public SyntaxStyler
{
public:
    void apply(QsciScintilla *editor, Language language, Theme theme) override;
    QString name() const override { return QStringLiteral("qscintilla"); }

    // Colours shared with the editor chrome (margins, caret line) so they match the text.
    static QColor paper(Theme theme);
    static QColor ink(Theme theme);

private:
    static QsciLexer *createLexer(Language language, QObject *parent);
    static void applyTheme(QsciLexer *lexer, Theme theme);
};

} // namespace coderoom::editor
