#pragma once

// Compiled only with KF6SyntaxHighlighting (CODEROOM_HAVE_KSYNTAXHIGHLIGHTING); Debian 12 has
// KF5 only, so this backend is built and tried on Debian 13 and later.
#include "syntaxstyler.h"

#include <KSyntaxHighlighting/Repository>

// Highlighting from KDE's syntax definitions through a QsciLexerCustom bridge (see
// ksyntaxstyler.cpp). Scintilla style numbers are KSyntaxHighlighting::Theme::TextStyle values,
// so a theme change only recolours styles and never restyles text.
namespace coderoom::editor {

class KSyntaxStyler final : public SyntaxStyler
{
public:
    void apply(QsciScintilla *editor, Language language, Theme theme) override;
    QString name() const override { return QStringLiteral("ksyntaxhighlighting"); }

private:
    KSyntaxHighlighting::Repository m_repository;
};

} // namespace coderoom::editor
