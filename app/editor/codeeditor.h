#pragma once

#include "editorenums.h"
#include "findbar.h"

#include <QMap>
#include <QWidget>

#include <memory>

class QsciScintilla;

// A code editor: a QsciScintilla owned by composition (not subclassed), plus a find/replace bar.
// Everything else in the app talks to this class, never to QScintilla, so the editing component
// could be swapped. Lines and columns in this API are 1-based, as compilers print them.
//
// Error marks: markError() puts a marker in the marker margin, a squiggle under the line and
// the message as an annotation below it; they stay until clearErrors() (the next run clears
// them) and survive edits of other lines.
namespace coderoom::editor {

class SyntaxStyler;

class CodeEditor final : public QWidget
{
    Q_OBJECT
public:
    // Uses createDefaultStyler().
    explicit CodeEditor(QWidget *parent = nullptr);
    CodeEditor(std::unique_ptr<SyntaxStyler> styler, QWidget *parent = nullptr);
    ~CodeEditor() override;

    QString text() const;
    void setText(const QString &text); // resets undo history; the text counts as saved

    Language language() const { return m_language; }
    void setLanguage(Language language);
    void setLanguageFromFileName(const QString &fileName);
    Theme theme() const { return m_theme; }
    void setTheme(Theme theme);

    bool isModified() const;
    // Marks the current text as saved. (QScintilla tracks a save point; "modified" cannot be
    // forced on, so there is deliberately no setModified(true).)
    void markSaved();

    void goToLine(int line, int column = 1);
    int cursorLine() const;   // 1-based
    int cursorColumn() const; // 1-based, in characters
    int lineCount() const;

    void markError(int line, const QString &message);
    void clearErrors();
    QList<int> errorLines() const { return m_errors.keys(); }
    QString errorMessage(int line) const { return m_errors.value(line); }

    void zoomIn();
    void zoomOut();
    void resetZoom();
    int zoomLevel() const;

    void showFind();
    void showReplace();
    bool findNext(const QString &text, FindOptions options = {});
    // Replaces every match; returns how many (one undo step).
    int replaceAll(const QString &text, const QString &with, FindOptions options = {});

    void setFocusToText();

    // The Edit menu: each acts on this editor's text, one undo step each.
    void undo();
    void redo();
    void cut();
    void copy();
    void paste();
    void selectAll();
    // Comments out the selected lines (or the cursor's line) with the language's line comment
    // ("# " or "// "), or uncomments them when every non-blank one is commented already.
    void toggleComment();
    bool hasSelection() const;

signals:
    void modificationChanged(bool modified);
    void textChanged();
    void cursorPositionChanged(int line, int column);

private:
    void setUpScintilla();
    void applyStyling();
    void replaceOne(const QString &text, const QString &with, FindOptions options);

    QsciScintilla *m_sci = nullptr;
    FindBar *m_findBar = nullptr;
    std::unique_ptr<SyntaxStyler> m_styler;
    Language m_language = Language::PlainText;
    Theme m_theme = Theme::Light;
    QMap<int, QString> m_errors; // 1-based line -> message
};

} // namespace coderoom::editor
