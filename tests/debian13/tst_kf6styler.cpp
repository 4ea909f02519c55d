// The KSyntaxHighlighting backend of the editor, seen through CodeEditor and the QScintilla it
// owns. Built only where KF6SyntaxHighlighting exists (Debian 13+), so that a pass proves the
// backend is compiled in, is the default, highlights, and never styles past the document end
// (Debian's QScintilla aborts the process when a lexer does).
#include "codeeditor.h"
#include "syntaxstyler.h"

#include <Qsci/qscilexer.h>
#include <Qsci/qsciscintilla.h>

#include <QApplication>
#include <QTest>

using namespace coderoom::editor;

namespace {

// The QScintilla inside a CodeEditor: the test looks at styles, which CodeEditor rightly hides.
QsciScintilla *scintillaOf(CodeEditor &editor)
{
    return editor.findChild<QsciScintilla *>();
}

// Styles the whole document now, as painting would.
void colourise(QsciScintilla *sci)
{
    sci->SendScintilla(QsciScintilla::SCI_COLOURISE, 0UL, -1L);
}

int styleAt(QsciScintilla *sci, qsizetype bytePos)
{
    return int(sci->SendScintilla(QsciScintilla::SCI_GETSTYLEAT, static_cast<ulong>(bytePos)));
}

int documentBytes(QsciScintilla *sci)
{
    return int(sci->SendScintilla(QsciScintilla::SCI_GETLENGTH));
}

int endStyled(QsciScintilla *sci)
{
    return int(sci->SendScintilla(QsciScintilla::SCI_GETENDSTYLED));
}

// Byte offset of the n-th (0-based) occurrence of needle in text, as QScintilla counts.
qsizetype bytePos(const QString &text, const QString &needle, int occurrence = 0)
{
    const QByteArray utf8 = text.toUtf8();
    const QByteArray n = needle.toUtf8();
    qsizetype pos = utf8.indexOf(n);
    for (int i = 0; i < occurrence && pos >= 0; ++i)
        pos = utf8.indexOf(n, pos + 1);
    return pos;
}

} // namespace

class TestKf6Styler : public QObject
{
    Q_OBJECT
private slots:
    void ksyntaxhighlightingIsTheDefaultBackend();
    void keywordsAndIdentifiersGetDifferentStyles_data();
    void keywordsAndIdentifiersGetDifferentStyles();
    void multibyteTextKeepsStylesOnTheRightBytes();
    void stylingStopsAtTheDocumentEnd_data();
    void stylingStopsAtTheDocumentEnd();
    void anOpenedBlockCommentRestylesTheLinesAfterIt();
};

void TestKf6Styler::ksyntaxhighlightingIsTheDefaultBackend()
{
    QVERIFY(createDefaultStyler());
    QCOMPARE(createDefaultStyler()->name(), QStringLiteral("ksyntaxhighlighting"));
}

void TestKf6Styler::keywordsAndIdentifiersGetDifferentStyles_data()
{
    QTest::addColumn<Language>("language");
    QTest::addColumn<Theme>("theme");
    QTest::addColumn<QString>("text");
    QTest::addColumn<QString>("keyword");
    QTest::addColumn<QString>("identifier");
    QTest::addRow("Python: 'if' is not styled like a variable")
        << Language::Python << Theme::Light << "count = 1\nif count:\n    pass\n"
        << "if"
        << "count";
    QTest::addRow("Python in the dark theme too")
        << Language::Python << Theme::Dark << "count = 1\nif count:\n    pass\n"
        << "if"
        << "count";
    QTest::addRow("C++: 'return' is not styled like a variable")
        << Language::Cpp << Theme::Light << "int f(int value)\n{\n    return value;\n}\n"
        << "return"
        << "value";
    QTest::addRow("Java: 'private' is not styled like a field name")
        << Language::Java << Theme::Light << "class Box {\n    private int size;\n}\n"
        << "private"
        << "size";
    QTest::addRow("JavaScript: 'const' is not styled like a variable")
        << Language::JavaScript << Theme::Light << "const total = price;\n"
        << "const"
        << "price";
}

void TestKf6Styler::keywordsAndIdentifiersGetDifferentStyles()
{
    QFETCH(Language, language);
    QFETCH(Theme, theme);
    QFETCH(QString, text);
    QFETCH(QString, keyword);
    QFETCH(QString, identifier);

    CodeEditor editor;
    editor.setLanguage(language);
    editor.setTheme(theme);
    editor.setText(text);
    QsciScintilla *sci = scintillaOf(editor);
    QVERIFY(sci);
    QVERIFY(sci->lexer());
    QCOMPARE(QString::fromLatin1(sci->lexer()->language()), QStringLiteral("ksyntaxhighlighting"));
    colourise(sci);

    const qsizetype k = bytePos(text, keyword);
    const qsizetype id = bytePos(text, identifier);
    QVERIFY(k >= 0 && id >= 0);
    const int keywordStyle = styleAt(sci, k);
    QVERIFY2(keywordStyle != styleAt(sci, id),
             qPrintable(QStringLiteral("both styled %1").arg(keywordStyle)));
    // The whole keyword carries one style, and the text is styled to the end.
    for (qsizetype i = 1; i < keyword.size(); ++i)
        QCOMPARE(styleAt(sci, k + i), keywordStyle);
    QCOMPARE(endStyled(sci), documentBytes(sci));
}

void TestKf6Styler::multibyteTextKeepsStylesOnTheRightBytes()
{
    // QScintilla counts UTF-8 bytes, KSyntaxHighlighting UTF-16 units: mixing them up would
    // end the string early and start the comment at the wrong byte.
    const QString text = QStringLiteral("s = \"\u00e4\u00f6\u00fc\u20ac\U0001F600\"  # \u2713 ok\n"
                                        "x = 1\n");
    CodeEditor editor;
    editor.setLanguage(Language::Python);
    editor.setText(text);
    QsciScintilla *sci = scintillaOf(editor);
    QVERIFY(sci);
    colourise(sci);

    const int stringStyle = styleAt(sci, bytePos(text, QStringLiteral("\"")));
    const int commentStyle = styleAt(sci, bytePos(text, QStringLiteral("#")));
    const int plainStyle = styleAt(sci, bytePos(text, QStringLiteral("s")));
    QVERIFY(stringStyle != plainStyle);
    QVERIFY(commentStyle != stringStyle);
    QCOMPARE(styleAt(sci, bytePos(text, QStringLiteral("\""), 1)), stringStyle);
    QCOMPARE(styleAt(sci, bytePos(text, QStringLiteral("\u20ac"))), stringStyle);
    QCOMPARE(styleAt(sci, bytePos(text, QStringLiteral("ok"))), commentStyle);
    QCOMPARE(styleAt(sci, bytePos(text, QStringLiteral("x"))), plainStyle);
    QCOMPARE(endStyled(sci), documentBytes(sci));
}

void TestKf6Styler::stylingStopsAtTheDocumentEnd_data()
{
    QTest::addColumn<Language>("language");
    QTest::addColumn<QString>("text");
    QTest::addRow("an empty document") << Language::Python << "";
    QTest::addRow("no final newline, ends in a multibyte comment")
        << Language::Python << "x = 1  # \u00e9\u20ac\U0001F600";
    QTest::addRow("ends inside an unterminated string")
        << Language::Python << "s = '\u00fc\u00fc\u00fc";
    QTest::addRow("ends inside an unterminated block comment")
        << Language::Cpp << "int a;\n/* \u00e4\n\u00f6";
    QTest::addRow("windows line endings") << Language::Java << "class A {\r\n}\r\n";
}

void TestKf6Styler::stylingStopsAtTheDocumentEnd()
{
    QFETCH(Language, language);
    QFETCH(QString, text);

    CodeEditor editor;
    editor.setLanguage(language);
    editor.setText(text);
    QsciScintilla *sci = scintillaOf(editor);
    QVERIFY(sci);
    colourise(sci);
    QCOMPARE(endStyled(sci), documentBytes(sci));

    // Shrinking the document and styling again: state kept for vanished lines must not make
    // the lexer style beyond the new end (that would abort in Debian's QScintilla).
    const int half = documentBytes(sci) / 2;
    sci->SendScintilla(QsciScintilla::SCI_DELETERANGE, static_cast<ulong>(half),
                       long(documentBytes(sci) - half));
    colourise(sci);
    QCOMPARE(endStyled(sci), documentBytes(sci));
    sci->SendScintilla(QsciScintilla::SCI_CLEARALL);
    colourise(sci);
    QCOMPARE(documentBytes(sci), 0);
    QCOMPARE(endStyled(sci), 0);
}

void TestKf6Styler::anOpenedBlockCommentRestylesTheLinesAfterIt()
{
    const QString text = QStringLiteral("int a = 1;\nint b = 2;\nint c = 3;\n");
    CodeEditor editor;
    editor.setLanguage(Language::Cpp);
    editor.setText(text);
    QsciScintilla *sci = scintillaOf(editor);
    QVERIFY(sci);
    colourise(sci);
    const qsizetype c = bytePos(text, QStringLiteral("c"));
    const int plainStyle = styleAt(sci, c);

    sci->SendScintilla(QsciScintilla::SCI_INSERTTEXT, 0UL, "/* ");
    colourise(sci);
    const int commentStyle = styleAt(sci, 0);
    QVERIFY(commentStyle != plainStyle);
    QCOMPARE(styleAt(sci, c + 3), commentStyle);

    sci->SendScintilla(QsciScintilla::SCI_DELETERANGE, 0UL, 3L);
    colourise(sci);
    QCOMPARE(styleAt(sci, c), plainStyle);
    QCOMPARE(endStyled(sci), documentBytes(sci));
}

QTEST_MAIN(TestKf6Styler)
#include "tst_kf6styler.moc"
