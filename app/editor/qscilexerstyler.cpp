#include "qscilexerstyler.h"

#include <Qsci/qscilexercpp.h>
#include <Qsci/qscilexerjava.h>
#include <Qsci/qscilexerjavascript.h>
#include <Qsci/qscilexerpython.h>
#include <Qsci/qsciscintilla.h>

#include <QFontDatabase>

namespace coderoom::editor {

namespace {
// Scintilla styles are 0..255; lexers describe the ones they use.
constexpr int MaxStyle = 128;

QColor darkVariant(const QColor &light)
{
    // Keep the hue, flip the lightness of dark ink so it reads on a dark background.
    int h = 0, s = 0, l = 0, a = 0;
    light.getHsl(&h, &s, &l, &a);
    if (l < 140)
        l = 255 - l / 2;
    return QColor::fromHsl(h, s, l, a);
}
} // namespace

QColor QsciLexerStyler::paper(Theme theme)
{
    return theme == Theme::Dark ? QColor(0x1e, 0x1f, 0x22) : QColor(Qt::white);
}

QColor QsciLexerStyler::ink(Theme theme)
{
    return theme == Theme::Dark ? QColor(0xdc, 0xdc, 0xdc) : QColor(0x20, 0x20, 0x20);
}

void QsciLexerStyler::apply(QsciScintilla *editor, Language language, Theme theme)
{
    QsciLexer *previous = editor->lexer();
    QsciLexer *lexer = createLexer(language, editor);
    if (lexer) {
        applyTheme(lexer, theme);
        editor->setLexer(lexer);
    } else {
        editor->setLexer(nullptr);
        editor->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
        editor->setPaper(paper(theme));
        editor->setColor(ink(theme));
    }
    // The editor does not own lexers; we parented ours to it, so release the old one here.
    if (previous && previous->parent() == editor)
        previous->deleteLater();
}

QsciLexer *QsciLexerStyler::createLexer(Language language, QObject *parent)
{
    switch (language) {
    case Language::Python: {
        auto *lexer = new QsciLexerPython(parent);
        // Students mix tabs and spaces; QScintilla's default flags them as errors in red.
        lexer->setIndentationWarning(QsciLexerPython::NoWarning);
        return lexer;
    }
    case Language::Cpp:
        return new QsciLexerCPP(parent);
    case Language::Java:
        return new QsciLexerJava(parent);
    case Language::JavaScript:
        return new QsciLexerJavaScript(parent);
    case Language::PlainText:
        break;
    }
    return nullptr;
}

void QsciLexerStyler::applyTheme(QsciLexer *lexer, Theme theme)
{
    const QFont font = QFontDatabase::systemFont(QFontDatabase::FixedFont);
    lexer->setDefaultPaper(paper(theme));
    lexer->setDefaultColor(ink(theme));
    lexer->setFont(font, -1);
    for (int style = 0; style < MaxStyle; ++style) {
        if (lexer->description(style).isEmpty())
            continue;
        const QColor base = lexer->defaultColor(style);
        lexer->setColor(theme == Theme::Dark ? darkVariant(base) : base, style);
        lexer->setPaper(paper(theme), style);
        QFont styleFont = font;
        styleFont.setBold(lexer->defaultFont(style).bold());
        styleFont.setItalic(lexer->defaultFont(style).italic());
        lexer->setFont(styleFont, style);
    }
}

} // namespace coderoom::editor
