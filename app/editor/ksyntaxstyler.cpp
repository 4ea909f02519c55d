#include "ksyntaxstyler.h"

#include <KSyntaxHighlighting/AbstractHighlighter>
#include <KSyntaxHighlighting/Definition>
#include <KSyntaxHighlighting/Format>
#include <KSyntaxHighlighting/State>
#include <KSyntaxHighlighting/Theme>
#include <Qsci/qscilexercustom.h>
#include <Qsci/qsciscintilla.h>

#include <QFontDatabase>
#include <QList>

#include <algorithm>
#include <utility>

namespace coderoom::editor {

namespace {

namespace KSH = KSyntaxHighlighting;

// Both a QScintilla lexer and a KSyntaxHighlighting highlighter. styleText() highlights whole
// lines, keeping the highlighter State at the end of each line so a later call can start in the
// middle. Traps: QScintilla counts in UTF-8 bytes while KSyntaxHighlighting counts in UTF-16
// units, and Debian's QScintilla asserts (aborts) when styling past the end of the document.
class KSyntaxLexer final : public QsciLexerCustom, public KSH::AbstractHighlighter
{
public:
    KSyntaxLexer(const KSH::Definition &definition, const KSH::Theme &theme, QObject *parent)
        : QsciLexerCustom(parent)
    {
        setDefinition(definition);
        setTheme(theme);
        const QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
        setDefaultFont(font);
        setDefaultPaper(QColor::fromRgba(theme.editorColor(KSH::Theme::BackgroundColor)));
        setDefaultColor(QColor::fromRgba(theme.textColor(KSH::Theme::Normal)));
        for (int style = 0; style <= LastStyle; ++style) {
            const auto textStyle = static_cast<KSH::Theme::TextStyle>(style);
            QFont styleFont = font;
            styleFont.setBold(theme.isBold(textStyle));
            styleFont.setItalic(theme.isItalic(textStyle));
            setFont(styleFont, style);
            setColor(QColor::fromRgba(theme.textColor(textStyle)), style);
            setPaper(defaultPaper(), style);
        }
    }

    const char *language() const override { return "ksyntaxhighlighting"; }
    QString description(int style) const override
    {
        return style >= 0 && style <= LastStyle ? QString::number(style) : QString();
    }

    void styleText(int start, int end) override
    {
        QsciScintilla *sci = editor();
        if (!sci || start >= end)
            return;
        const int docBytes = int(sci->SendScintilla(QsciScintilla::SCI_GETLENGTH));
        const int lineCount = sci->lines();
        int line = int(sci->SendScintilla(QsciScintilla::SCI_LINEFROMPOSITION, long(start)));
        const int lastLine =
            int(sci->SendScintilla(QsciScintilla::SCI_LINEFROMPOSITION, long(end)));
        m_states.resize(lineCount);
        for (; line < lineCount; ++line) {
            const KSH::State before = line > 0 ? m_states.at(line - 1) : KSH::State();
            const KSH::State after = styleLine(sci, line, before, docBytes);
            const bool unchanged = after == m_states.at(line);
            m_states[line] = after;
            // Past the requested range, continue only while the end-of-line state keeps
            // changing (an opened block comment restyles what follows).
            if (line >= lastLine && unchanged)
                break;
        }
    }

protected:
    void applyFormat(int offset, int length, const KSH::Format &format) override
    {
        m_spans.append({offset, length, int(format.textStyle())});
    }

private:
    static constexpr int LastStyle = int(KSH::Theme::Others);
    struct Span
    {
        int offset = 0; // UTF-16 units into the line
        int length = 0;
        int style = 0;
    };

    KSH::State styleLine(QsciScintilla *sci, int line, const KSH::State &before, int docBytes)
    {
        const QString text = sci->text(line);
        const int lineStart =
            int(sci->SendScintilla(QsciScintilla::SCI_POSITIONFROMLINE, long(line)));
        m_spans.clear();
        const KSH::State after = highlightLine(text, before);

        startStyling(lineStart);
        int styledBytes = 0;
        const int lineBytes = std::min(int(text.toUtf8().size()), docBytes - lineStart);
        auto styleTo = [&](int utf16End, int style) {
            const int byteEnd = std::min(int(text.left(utf16End).toUtf8().size()), lineBytes);
            if (byteEnd > styledBytes) {
                setStyling(byteEnd - styledBytes, style);
                styledBytes = byteEnd;
            }
        };
        for (const Span &span : std::as_const(m_spans)) {
            styleTo(span.offset, int(KSH::Theme::Normal));
            styleTo(span.offset + span.length, span.style);
        }
        styleTo(int(text.size()), int(KSH::Theme::Normal));
        return after;
    }

    QList<KSH::State> m_states; // state at the end of each line
    QList<Span> m_spans;        // formats of the line being highlighted
};

QString definitionName(Language language)
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
    return {};
}

} // namespace

void KSyntaxStyler::apply(QsciScintilla *editor, Language language, Theme theme)
{
    QsciLexer *previous = editor->lexer();
    const KSH::Definition definition = m_repository.definitionForName(definitionName(language));
    const KSH::Theme khTheme = m_repository.defaultTheme(
        theme == Theme::Dark ? KSH::Repository::DarkTheme : KSH::Repository::LightTheme);
    if (definition.isValid()) {
        editor->setLexer(new KSyntaxLexer(definition, khTheme, editor));
    } else {
        editor->setLexer(nullptr);
        editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        editor->setPaper(QColor::fromRgba(khTheme.editorColor(KSH::Theme::BackgroundColor)));
        editor->setColor(QColor::fromRgba(khTheme.textColor(KSH::Theme::Normal)));
    }
    if (previous && previous->parent() == editor)
        previous->deleteLater();
}

} // namespace coderoom::editor
