// CodeEditor and EditorTabs: language detection, file round trips, modified marks, error
// markers, find/replace and the unsaved-changes prompt.
#include "codeeditor.h"
#include "editortabs.h"

#include <QApplication>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>

using namespace coderoom::editor;

class TestCodeEditor : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void languageFromExtension_data();
    void languageFromExtension();
    void editorPicksLanguageFromFileName();
    void themesAndLanguagesSwitchFreely();
    void errorMarkersComeAndGo();
    void goToLineMovesTheCursor();
    void findAndReplaceAll();
    void saveAndLoadRoundTrip();
    void modifiedTabShowsAStar();
    void closingAModifiedTabAsks_data();
    void closingAModifiedTabAsks();
    void recentFilesAreRememberedNewestFirst();
    void openingAMissingFileReportsAnError();
    void editorForFileMatchesByName();

private:
    QTemporaryDir m_dir;
};

void TestCodeEditor::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("CoderoomTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_codeeditor"));
    QVERIFY(m_dir.isValid());
}

void TestCodeEditor::init()
{
    QSettings().clear();
}

void TestCodeEditor::languageFromExtension_data()
{
    QTest::addColumn<QString>("fileName");
    QTest::addColumn<Language>("language");
    QTest::addColumn<QString>("id");
    QTest::addRow("a .py file is Python") << "main.py" << Language::Python << "python";
    QTest::addRow("a .cpp file is C++") << "main.cpp" << Language::Cpp << "cpp";
    QTest::addRow("a .cc file is C++") << "x.cc" << Language::Cpp << "cpp";
    QTest::addRow("a .cxx file is C++") << "x.cxx" << Language::Cpp << "cpp";
    QTest::addRow("a .h header is C++") << "dir/x.h" << Language::Cpp << "cpp";
    QTest::addRow("a .hpp header is C++") << "x.HPP" << Language::Cpp << "cpp";
    QTest::addRow("a .java file is Java") << "Main.java" << Language::Java << "java";
    QTest::addRow("a .js file is JavaScript") << "app.js" << Language::JavaScript << "javascript";
    QTest::addRow("an unknown extension is plain text") << "notes.txt" << Language::PlainText << "";
    QTest::addRow("no extension is plain text") << "Makefile" << Language::PlainText << "";
}

void TestCodeEditor::languageFromExtension()
{
    QFETCH(QString, fileName);
    QFETCH(Language, language);
    QFETCH(QString, id);
    QCOMPARE(languageFromFileName(fileName), language);
    QCOMPARE(languageId(language), id);
    QCOMPARE(languageFromId(id), language);
}

void TestCodeEditor::editorPicksLanguageFromFileName()
{
    CodeEditor editor;
    QCOMPARE(editor.language(), Language::PlainText);
    editor.setLanguageFromFileName(QStringLiteral("Main.java"));
    QCOMPARE(editor.language(), Language::Java);
}

void TestCodeEditor::themesAndLanguagesSwitchFreely()
{
    CodeEditor editor;
    editor.setText(QStringLiteral("def f(x):\n    return x  # é ü 漢字\n\"\"\"open"));
    editor.show();
    for (Language language : {Language::Python, Language::Cpp, Language::Java, Language::JavaScript,
                              Language::PlainText, Language::Python}) {
        for (Theme theme : {Theme::Dark, Theme::Light}) {
            editor.setLanguage(language);
            editor.setTheme(theme);
            QCOMPARE(editor.language(), language);
            QCOMPARE(editor.theme(), theme);
        }
    }
    editor.repaint(); // styles the whole document: must not assert in QScintilla
    QVERIFY(editor.text().endsWith(QStringLiteral("\"\"\"open")));
}

void TestCodeEditor::errorMarkersComeAndGo()
{
    CodeEditor editor;
    editor.setText(QStringLiteral("a = 1\nb = c\nprint(b)\n"));
    editor.markError(2, QStringLiteral("NameError: name 'c' is not defined"));
    editor.markError(99, QStringLiteral("past the end is ignored"));
    QCOMPARE(editor.errorLines(), QList<int>{2});
    QCOMPARE(editor.errorMessage(2), QStringLiteral("NameError: name 'c' is not defined"));
    QVERIFY(!editor.isModified()); // marks are not edits
    editor.clearErrors();
    QVERIFY(editor.errorLines().isEmpty());
}

void TestCodeEditor::goToLineMovesTheCursor()
{
    CodeEditor editor;
    editor.setText(QStringLiteral("one\ntwo\nthree\nfour\n"));
    editor.goToLine(3, 2);
    QCOMPARE(editor.cursorLine(), 3);
    QCOMPARE(editor.cursorColumn(), 2);
    editor.goToLine(1000);
    QCOMPARE(editor.cursorLine(), editor.lineCount());
}

void TestCodeEditor::findAndReplaceAll()
{
    CodeEditor editor;
    editor.setText(QStringLiteral("x = 1\nprint(x)\nxx = x\n"));
    QVERIFY(editor.findNext(QStringLiteral("print")));
    QVERIFY(!editor.findNext(QStringLiteral("nowhere")));
    FindOptions words;
    words.wholeWord = true;
    QCOMPARE(editor.replaceAll(QStringLiteral("x"), QStringLiteral("y"), words), 3);
    QCOMPARE(editor.text(), QStringLiteral("y = 1\nprint(y)\nxx = y\n"));
    QVERIFY(editor.isModified());
}

void TestCodeEditor::saveAndLoadRoundTrip()
{
    const QString path = m_dir.filePath(QStringLiteral("round.py"));
    const QString text = QStringLiteral("name = 'Zoë'\nprint(f\"hi {name} — ✓\")\n");
    {
        EditorTabs tabs;
        CodeEditor *editor = tabs.newFile(Language::Python, text);
        QVERIFY(editor->text() == text);
        QSignalSpy saved(&tabs, &EditorTabs::fileSaved);
        QVERIFY2(tabs.saveAs(0, path), qPrintable(tabs.lastError()));
        QCOMPARE(saved.count(), 1);
        QCOMPARE(tabs.displayName(0), QStringLiteral("round.py"));
        QVERIFY(!editor->isModified());
    }
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QString::fromUtf8(file.readAll()), text);

    EditorTabs tabs;
    CodeEditor *editor = tabs.openFile(path);
    QVERIFY2(editor, qPrintable(tabs.lastError()));
    QCOMPARE(editor->text(), text);
    QCOMPARE(editor->language(), Language::Python);
    QVERIFY(!editor->isModified());
    QCOMPARE(tabs.openFile(path), editor); // the same file twice is one tab
    QCOMPARE(tabs.count(), 1);
}

void TestCodeEditor::modifiedTabShowsAStar()
{
    const QString path = m_dir.filePath(QStringLiteral("star.py"));
    EditorTabs tabs;
    tabs.newFile(Language::Python, QStringLiteral("print(1)\n"));
    QVERIFY(tabs.saveAs(0, path));
    auto *tabWidget = tabs.findChild<QTabWidget *>();
    QVERIFY(tabWidget);
    QCOMPARE(tabWidget->tabText(0), QStringLiteral("star.py"));

    CodeEditor *editor = tabs.currentEditor();
    QVERIFY(editor->focusProxy()); // the QScintilla view: type as a student would
    QTest::keyClicks(editor->focusProxy(), QStringLiteral("x"));
    QVERIFY(editor->isModified());
    QCOMPARE(tabWidget->tabText(0), QStringLiteral("star.py*"));
    QVERIFY(tabs.hasUnsavedChanges());

    QVERIFY(tabs.saveCurrent());
    QCOMPARE(tabWidget->tabText(0), QStringLiteral("star.py"));
}

void TestCodeEditor::closingAModifiedTabAsks_data()
{
    QTest::addColumn<int>("choice");
    QTest::addColumn<bool>("closed");
    QTest::addColumn<bool>("savedToDisk");
    QTest::addRow("cancel keeps the tab open")
        << int(EditorTabs::UnsavedChoice::Cancel) << false << false;
    QTest::addRow("discard closes without saving")
        << int(EditorTabs::UnsavedChoice::Discard) << true << false;
    QTest::addRow("save writes the file and closes")
        << int(EditorTabs::UnsavedChoice::Save) << true << true;
}

void TestCodeEditor::closingAModifiedTabAsks()
{
    QFETCH(int, choice);
    QFETCH(bool, closed);
    QFETCH(bool, savedToDisk);
    const QString path = m_dir.filePath(QStringLiteral("ask.py"));
    EditorTabs tabs;
    tabs.newFile(Language::Python, QStringLiteral("old\n"));
    QVERIFY(tabs.saveAs(0, path));
    QTest::keyClick(tabs.currentEditor()->focusProxy(), Qt::Key_Delete);
    QTest::keyClicks(tabs.currentEditor()->focusProxy(), QStringLiteral("n"));
    QVERIFY(tabs.currentEditor()->isModified());

    QStringList asked;
    tabs.setUnsavedPrompt([&](const QString &name) {
        asked << name;
        return EditorTabs::UnsavedChoice(choice);
    });
    QCOMPARE(tabs.closeTab(0), closed);
    QCOMPARE(asked, QStringList{QStringLiteral("ask.py")});
    QCOMPARE(tabs.count(), closed ? 0 : 1);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), savedToDisk ? QByteArray("nld\n") : QByteArray("old\n"));
}

void TestCodeEditor::recentFilesAreRememberedNewestFirst()
{
    EditorTabs tabs;
    QStringList paths;
    for (int i = 0; i < EditorTabs::MaxRecentFiles + 2; ++i) {
        const QString path = m_dir.filePath(QStringLiteral("r%1.py").arg(i));
        tabs.newFile(Language::Python, QStringLiteral("pass\n"));
        QVERIFY(tabs.saveAs(tabs.currentIndex(), path));
        paths.prepend(path);
    }
    const QStringList recent = EditorTabs().recentFiles();
    QCOMPARE(recent.size(), EditorTabs::MaxRecentFiles);
    QCOMPARE(recent.first(), paths.first());
    QCOMPARE(recent, paths.mid(0, EditorTabs::MaxRecentFiles));
}

void TestCodeEditor::openingAMissingFileReportsAnError()
{
    EditorTabs tabs;
    QVERIFY(!tabs.openFile(m_dir.filePath(QStringLiteral("missing.py"))));
    QVERIFY(tabs.lastError().contains(QStringLiteral("missing.py")));
    QCOMPARE(tabs.count(), 0);
}

void TestCodeEditor::editorForFileMatchesByName()
{
    EditorTabs tabs;
    tabs.newFile(Language::Python, QStringLiteral("a\n"));
    QVERIFY(tabs.saveAs(0, m_dir.filePath(QStringLiteral("main.py"))));
    CodeEditor *other = tabs.newFile(Language::Cpp, QStringLiteral("b\n"));
    QVERIFY(tabs.saveAs(1, m_dir.filePath(QStringLiteral("main.cpp"))));
    QCOMPARE(tabs.editorForFile(QStringLiteral("main.cpp")), other);
    QCOMPARE(tabs.editorForFile(QStringLiteral("/sandbox/main.py")), tabs.editorAt(0));
    QVERIFY(!tabs.editorForFile(QStringLiteral("other.py")));
}

QTEST_MAIN(TestCodeEditor)
#include "tst_codeeditor.moc"
