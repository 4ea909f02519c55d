#pragma once

#include "editorenums.h"

#include <memory>

class QsciScintilla;

// How a CodeEditor gets its colours: a small strategy so the highlighting backend can change
// (QScintilla's own lexers by default, KSyntaxHighlighting where KF6 exists) without the editor
// knowing which. apply() installs a lexer (or none) and the theme's colours for every style; it
// may be called again at any time with another language or theme, and must release what an
// earlier call installed.
namespace coderoom::editor {

class SyntaxStyler
{
public:
    virtual ~SyntaxStyler() = default;
    virtual void apply(QsciScintilla *editor, Language language, Theme theme) = 0;
    // Short backend name for logs and the about box ("qscintilla", "ksyntaxhighlighting").
    virtual QString name() const = 0;
};

// The best backend compiled in: KSyntaxHighlighting when available, else QScintilla's lexers.
std::unique_ptr<SyntaxStyler> createDefaultStyler();

} // namespace coderoom::editor
