#include "codeeditor.h"

#include "qscilexerstyler.h"
#include "syntaxstyler.h"

#include <Qsci/qscilexer.h>
#include <Qsci/qsciscintilla.h>
#include <Qsci/qscistyle.h>

#include <QFontDatabase>
#include <QLoggingCategory>
#include <QVBoxLayout>

#include <algorithm>
#include <climits>

Q_LOGGING_CATEGORY(lcEditor, "coderoom.app.editor", QtInfoMsg)

namespace coderoom::editor {

namespace {
// Bound for replaceAll: a pathological pattern can never spin the UI forever.
constexpr int MaxReplacements = 100000;

QColor caretLine(Theme theme)
{
    return theme == Theme::Dark ? QColor(0x2a, 0x2c, 0x31) : QColor(0xf2, 0xf6, 0xfc);
}
QColor marginPaper(Theme theme)
{
    return theme == Theme::Dark ? QColor(0x25, 0x26, 0x2a) : QColor(0xf4, 0xf4, 0xf4);
}
QColor marginInk(Theme theme)
{
    return theme == Theme::Dark ? QColor(0x85, 0x88, 0x8e) : QColor(0x90, 0x90, 0x90);
}
const QColor ErrorRed(0xd0, 0x30, 0x30);
} // namespace

CodeEditor::CodeEditor(QWidget *parent)
    : CodeEditor(createDefaultStyler(), parent)
{}

CodeEditor::CodeEditor(std::unique_ptr<SyntaxStyler> styler, QWidget *parent)
    : QWidget(parent)
    , m_sci(new QsciScintilla(this))
    , m_findBar(new FindBar(this))
    , m_styler(styler ? std::move(styler) : createDefaultStyler())
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(m_sci, 1);
    layout->addWidget(m_findBar);
    setFocusProxy(m_sci);
    setUpScintilla();
    applyStyling();

    connect(m_sci, &QsciScintilla::modificationChanged, this, &CodeEditor::modificationChanged);
    connect(m_sci, &QsciScintilla::textChanged, this, &CodeEditor::textChanged);
    connect(m_sci, &QsciScintilla::cursorPositionChanged, this,
            [this](int line, int index) { emit cursorPositionChanged(line + 1, index + 1); });
    connect(m_findBar, &FindBar::findRequested, this,
            [this](const QString &text, FindOptions options) {
                m_findBar->setMessage(findNext(text, options) ? QString() : tr("Not found"));
            });
    connect(m_findBar, &FindBar::replaceRequested, this, &CodeEditor::replaceOne);
    connect(m_findBar, &FindBar::replaceAllRequested, this,
            [this](const QString &text, const QString &with, FindOptions options) {
                const int n = replaceAll(text, with, options);
                m_findBar->setMessage(tr("%n replaced", nullptr, n));
            });
    connect(m_findBar, &FindBar::closed, this, [this] { m_sci->setFocus(); });
}

CodeEditor::~CodeEditor() = default;

void CodeEditor::setUpScintilla()
{
    m_sci->setUtf8(true);
    m_sci->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_sci->setIndentationsUseTabs(false);
    m_sci->setTabWidth(4);
    m_sci->setIndentationGuides(true);
    m_sci->setAutoIndent(true);
    m_sci->setBackspaceUnindents(true);
    m_sci->setBraceMatching(QsciScintilla::SloppyBraceMatch);
    m_sci->setCaretLineVisible(true);
    m_sci->setEolMode(QsciScintilla::EolUnix);
    // Horizontal scroll bar only when a line is actually wider than the view.
    m_sci->SendScintilla(QsciScintilla::SCI_SETSCROLLWIDTH, 1);
    m_sci->SendScintilla(QsciScintilla::SCI_SETSCROLLWIDTHTRACKING, true);

    m_sci->setMarginType(toInt(Margin::LineNumbers), QsciScintilla::NumberMargin);
    m_sci->setMarginLineNumbers(toInt(Margin::LineNumbers), true);
    m_sci->setMarginWidth(toInt(Margin::LineNumbers), QStringLiteral("00000"));
    m_sci->setMarginType(toInt(Margin::Markers), QsciScintilla::SymbolMargin);
    m_sci->setMarginWidth(toInt(Margin::Markers), 14);
    m_sci->setMarginMarkerMask(toInt(Margin::Markers), 1 << toInt(Marker::Error));
    m_sci->setFolding(QsciScintilla::BoxedTreeFoldStyle, toInt(Margin::Folding));

    m_sci->markerDefine(QsciScintilla::Circle, toInt(Marker::Error));
    m_sci->setMarkerBackgroundColor(ErrorRed, toInt(Marker::Error));
    m_sci->setMarkerForegroundColor(ErrorRed, toInt(Marker::Error));
    m_sci->indicatorDefine(QsciScintilla::SquiggleIndicator, toInt(Indicator::Error));
    m_sci->setIndicatorForegroundColor(ErrorRed, toInt(Indicator::Error));
    m_sci->setAnnotationDisplay(QsciScintilla::AnnotationBoxed);
}

void CodeEditor::applyStyling()
{
    m_styler->apply(m_sci, m_language, m_theme);
    // A lexer change resets margins and caret colours, so the chrome follows every apply().
    m_sci->setCaretLineBackgroundColor(caretLine(m_theme));
    m_sci->setCaretForegroundColor(QsciLexerStyler::ink(m_theme));
    m_sci->setMarginsBackgroundColor(marginPaper(m_theme));
    m_sci->setMarginsForegroundColor(marginInk(m_theme));
    m_sci->setMarginsFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_sci->setFoldMarginColors(marginPaper(m_theme), marginPaper(m_theme));
    m_sci->setMatchedBraceBackgroundColor(m_theme == Theme::Dark ? QColor(0x3d, 0x5a, 0x80)
                                                                 : QColor(0xc8, 0xe6, 0xc9));
    m_sci->setUnmatchedBraceForegroundColor(ErrorRed);
    m_sci->setSelectionBackgroundColor(m_theme == Theme::Dark ? QColor(0x26, 0x4f, 0x78)
                                                              : QColor(0xb3, 0xd7, 0xff));
    // Error annotations carry their colours: redraw the marks in the new theme.
    const QMap<int, QString> errors = m_errors;
    clearErrors();
    for (auto it = errors.cbegin(); it != errors.cend(); ++it)
        markError(it.key(), it.value());
}

QString CodeEditor::text() const
{
    return m_sci->text();
}

void CodeEditor::setText(const QString &text)
{
    clearErrors();
    m_sci->setText(text);
    // QScintilla 2.13 (Debian 12) leaves the cursor at the start, 2.14 (Debian 13) at the end:
    // a file opens at its first line on both.
    m_sci->setCursorPosition(0, 0);
    m_sci->SendScintilla(QsciScintilla::SCI_EMPTYUNDOBUFFER);
    m_sci->setModified(false);
}

void CodeEditor::setLanguage(Language language)
{
    if (language == m_language)
        return;
    m_language = language;
    applyStyling();
}

void CodeEditor::setLanguageFromFileName(const QString &fileName)
{
    setLanguage(languageFromFileName(fileName));
}

void CodeEditor::setTheme(Theme theme)
{
    if (theme == m_theme)
        return;
    m_theme = theme;
    applyStyling();
}

bool CodeEditor::isModified() const
{
    return m_sci->isModified();
}

void CodeEditor::markSaved()
{
    m_sci->setModified(false);
}

void CodeEditor::goToLine(int line, int column)
{
    const int target = std::clamp(line, 1, std::max(1, lineCount())) - 1;
    const int index = std::max(0, column - 1);
    m_sci->setCursorPosition(target, index);
    m_sci->ensureLineVisible(target);
    m_sci->setFocus();
}

int CodeEditor::cursorLine() const
{
    int line = 0, index = 0;
    m_sci->getCursorPosition(&line, &index);
    return line + 1;
}

int CodeEditor::cursorColumn() const
{
    int line = 0, index = 0;
    m_sci->getCursorPosition(&line, &index);
    return index + 1;
}

int CodeEditor::lineCount() const
{
    return m_sci->lines();
}

void CodeEditor::markError(int line, const QString &message)
{
    if (line < 1 || line > lineCount())
        return;
    const int index = line - 1;
    m_errors.insert(line, message);
    qCDebug(lcEditor) << "error mark on line" << line;
    m_sci->markerAdd(index, toInt(Marker::Error));
    const int length = int(m_sci->text(index).size());
    m_sci->fillIndicatorRange(index, 0, index, std::max(1, length), toInt(Indicator::Error));
    if (!message.isEmpty()) {
        const QsciStyle style(-1, QStringLiteral("error annotation"), ErrorRed,
                              m_theme == Theme::Dark ? QColor(0x3a, 0x22, 0x22)
                                                     : QColor(0xfd, 0xec, 0xec),
                              QFontDatabase::systemFont(QFontDatabase::FixedFont));
        m_sci->annotate(index, message, style);
    }
}

void CodeEditor::clearErrors()
{
    m_errors.clear();
    m_sci->markerDeleteAll(toInt(Marker::Error));
    m_sci->clearAnnotations();
    const int lines = lineCount();
    if (lines > 0) {
        const int lastLength = int(m_sci->text(lines - 1).size());
        m_sci->clearIndicatorRange(0, 0, lines - 1, lastLength, toInt(Indicator::Error));
    }
}

void CodeEditor::zoomIn()
{
    m_sci->zoomIn();
}

void CodeEditor::zoomOut()
{
    m_sci->zoomOut();
}

void CodeEditor::resetZoom()
{
    m_sci->zoomTo(0);
}

int CodeEditor::zoomLevel() const
{
    return int(m_sci->SendScintilla(QsciScintilla::SCI_GETZOOM));
}

void CodeEditor::showFind()
{
    m_findBar->open(false, m_sci->selectedText());
}

void CodeEditor::showReplace()
{
    m_findBar->open(true, m_sci->selectedText());
}

bool CodeEditor::findNext(const QString &text, FindOptions options)
{
    if (text.isEmpty())
        return false;
    int line = -1, index = -1;
    if (!options.forward && m_sci->hasSelectedText()) {
        // Searching backwards from inside the current match would find it again.
        int lineTo = 0, indexTo = 0;
        m_sci->getSelection(&line, &index, &lineTo, &indexTo);
    }
    return m_sci->findFirst(text, false, options.caseSensitive, options.wholeWord, true,
                            options.forward, line, index);
}

void CodeEditor::replaceOne(const QString &text, const QString &with, FindOptions options)
{
    if (m_sci->hasSelectedText() &&
        m_sci->selectedText().compare(text, options.caseSensitive ? Qt::CaseSensitive
                                                                  : Qt::CaseInsensitive) == 0)
        m_sci->replaceSelectedText(with);
    m_findBar->setMessage(findNext(text, options) ? QString() : tr("Not found"));
}

int CodeEditor::replaceAll(const QString &text, const QString &with, FindOptions options)
{
    if (text.isEmpty())
        return 0;
    int count = 0;
    m_sci->beginUndoAction();
    bool found = m_sci->findFirst(text, false, options.caseSensitive, options.wholeWord, false,
                                  true, 0, 0, false);
    while (found && count < MaxReplacements) {
        m_sci->replace(with);
        ++count;
        found = m_sci->findNext();
    }
    m_sci->endUndoAction();
    return count;
}

void CodeEditor::setFocusToText()
{
    m_sci->setFocus();
}

void CodeEditor::undo()
{
    m_sci->undo();
}

void CodeEditor::redo()
{
    m_sci->redo();
}

void CodeEditor::cut()
{
    m_sci->cut();
}

void CodeEditor::copy()
{
    m_sci->copy();
}

void CodeEditor::paste()
{
    m_sci->paste();
}

void CodeEditor::selectAll()
{
    m_sci->selectAll(true);
}

bool CodeEditor::hasSelection() const
{
    return m_sci->hasSelectedText();
}

void CodeEditor::toggleComment()
{
    const QString marker = m_language == Language::Python ? QStringLiteral("#")
                                                          : QStringLiteral("//");
    int fromLine = 0, fromIndex = 0, toLine = 0, toIndex = 0;
    const bool selected = m_sci->hasSelectedText();
    if (selected) {
        m_sci->getSelection(&fromLine, &fromIndex, &toLine, &toIndex);
        if (toIndex == 0 && toLine > fromLine)
            --toLine; // a selection ending at a line's start does not take that line
    } else {
        m_sci->getCursorPosition(&fromLine, &fromIndex);
        toLine = fromLine;
    }
    bool allCommented = true;
    int indent = INT_MAX; // comment at the shallowest indentation, as editors do
    for (int line = fromLine; line <= toLine; ++line) {
        const QString text = m_sci->text(line);
        if (text.trimmed().isEmpty())
            continue;
        indent = std::min(indent, m_sci->indentation(line));
        if (!text.trimmed().startsWith(marker))
            allCommented = false;
    }
    if (indent == INT_MAX)
        return; // only blank lines
    m_sci->beginUndoAction();
    for (int line = fromLine; line <= toLine; ++line) {
        const QString text = m_sci->text(line);
        if (text.trimmed().isEmpty())
            continue;
        if (allCommented) {
            const int at = int(text.indexOf(marker));
            const int length = text.mid(at + marker.size()).startsWith(u' ')
                                   ? int(marker.size()) + 1
                                   : int(marker.size());
            m_sci->setSelection(line, at, line, at + length);
            m_sci->removeSelectedText();
        } else {
            m_sci->insertAt(marker + u' ', line, indent);
        }
    }
    m_sci->endUndoAction();
    // The same lines stay selected, so pressing the shortcut again undoes it.
    if (selected)
        m_sci->setSelection(fromLine, 0, toLine, int(m_sci->text(toLine).size()));
}

} // namespace coderoom::editor
