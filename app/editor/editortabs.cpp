#include "editortabs.h"

#include "codeeditor.h"

#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QLoggingCategory>
#include <QMessageBox>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSettings>
#include <QTabWidget>
#include <QVBoxLayout>

Q_LOGGING_CATEGORY(lcTabs, "coderoom.app.editor.tabs", QtInfoMsg)

namespace coderoom::editor {

namespace {
const char *const PathProperty = "coderoomFilePath";
const char *const NameProperty = "coderoomDisplayName";
const QString RecentKey = QStringLiteral("editor/recentFiles");
// A student file is small; refusing huge files keeps the editor responsive.
constexpr qint64 MaxFileBytes = 16 * 1024 * 1024;
} // namespace

EditorTabs::EditorTabs(QWidget *parent)
    : QWidget(parent)
    , m_tabs(new QTabWidget(this))
{
    m_tabs->setTabsClosable(true);
    m_tabs->setMovable(true);
    m_tabs->setDocumentMode(true);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_tabs);

    connect(m_tabs, &QTabWidget::tabCloseRequested, this, [this](int index) { closeTab(index); });
    connect(m_tabs, &QTabWidget::currentChanged, this,
            [this](int index) { emit currentEditorChanged(editorAt(index)); });

    m_unsavedPrompt = [this](const QString &name) {
        const auto button = QMessageBox::question(
            this, tr("Unsaved changes"), tr("Save the changes to %1 before closing?").arg(name),
            QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
        if (button == QMessageBox::Save)
            return UnsavedChoice::Save;
        if (button == QMessageBox::Discard)
            return UnsavedChoice::Discard;
        return UnsavedChoice::Cancel;
    };
    m_savePathPrompt = [this](const QString &suggested) {
        return QFileDialog::getSaveFileName(this, tr("Save file"), suggested);
    };
}

CodeEditor *EditorTabs::newFile(Language language, const QString &text)
{
    ++m_untitledCounter;
    CodeEditor *editor = addEditor({}, text, language);
    const QString base =
        m_untitledCounter == 1 ? tr("untitled") : tr("untitled%1").arg(m_untitledCounter);
    editor->setProperty(NameProperty, QString(base + u'.' + defaultExtension(language)));
    if (language == Language::Java) {
        connect(editor, &CodeEditor::textChanged, this, [this, editor] { followPublicClass(editor); });
        followPublicClass(editor);
    }
    updateTitle(indexOf(editor));
    return editor;
}

CodeEditor *EditorTabs::newFromTemplate(Language language)
{
    return newFile(language, starterText(language));
}

QString EditorTabs::starterText(Language language)
{
    switch (language) {
    case Language::Python:
        return QStringLiteral("print(\"Hello, world!\")\n");
    case Language::Cpp:
        return QStringLiteral("#include <iostream>\n\nint main()\n{\n"
                              "    std::cout << \"Hello, world!\\n\";\n    return 0;\n}\n");
    case Language::Java:
        return QStringLiteral("public class Main {\n"
                              "    public static void main(String[] args) {\n"
                              "        System.out.println(\"Hello, world!\");\n    }\n}\n");
    case Language::JavaScript:
        return QStringLiteral("console.log(\"Hello, world!\");\n");
    case Language::PlainText:
        break;
    }
    return {};
}

QStringList EditorTabs::openFilePaths() const
{
    QStringList paths;
    for (int i = 0; i < count(); ++i) {
        if (!filePath(i).isEmpty())
            paths << filePath(i);
    }
    return paths;
}

void EditorTabs::followPublicClass(CodeEditor *editor)
{
    if (!editor->property(PathProperty).toString().isEmpty())
        return; // a saved file keeps its name; javac then says what to rename
    static const QRegularExpression publicClass(QStringLiteral(
        R"(\bpublic\s+(?:(?:final|abstract|sealed|strictfp)\s+)*(?:class|interface|enum|record)\s+([A-Za-z_$][\w$]*))"));
    const QRegularExpressionMatch match = publicClass.match(editor->text());
    if (!match.hasMatch())
        return;
    const QString name = match.captured(1) + QStringLiteral(".java");
    if (editor->property(NameProperty).toString() == name)
        return;
    editor->setProperty(NameProperty, name);
    updateTitle(indexOf(editor));
}

CodeEditor *EditorTabs::openFile(const QString &path)
{
    const QString absolute = QFileInfo(path).absoluteFilePath();
    for (int i = 0; i < count(); ++i) {
        if (filePath(i) == absolute) {
            setCurrentIndex(i);
            return editorAt(i);
        }
    }
    QFile file(absolute);
    if (!file.open(QIODevice::ReadOnly)) {
        fail(tr("Cannot open %1: %2").arg(absolute, file.errorString()));
        return nullptr;
    }
    if (file.size() > MaxFileBytes) {
        fail(tr("%1 is too large to edit").arg(absolute));
        return nullptr;
    }
    const QString text = QString::fromUtf8(file.readAll());
    CodeEditor *editor = addEditor(absolute, text, languageFromFileName(absolute));
    addRecentFile(absolute);
    return editor;
}

bool EditorTabs::save(int index)
{
    if (!editorAt(index))
        return fail(tr("Nothing to save"));
    const QString path = filePath(index);
    if (path.isEmpty()) {
        const QString chosen = m_savePathPrompt ? m_savePathPrompt(displayName(index)) : QString();
        if (chosen.isEmpty())
            return fail(tr("Save cancelled"));
        return saveAs(index, chosen);
    }
    return saveAs(index, path);
}

bool EditorTabs::saveAs(int index, const QString &path)
{
    CodeEditor *editor = editorAt(index);
    if (!editor || path.isEmpty())
        return fail(tr("Nothing to save"));
    const QString absolute = QFileInfo(path).absoluteFilePath();
    // QSaveFile: a crash or a full disk never leaves a half-written student file behind.
    QSaveFile file(absolute);
    if (!file.open(QIODevice::WriteOnly)) {
        return fail(tr("Cannot save %1: %2").arg(absolute, file.errorString()));
    }
    file.write(editor->text().toUtf8());
    if (!file.commit())
        return fail(tr("Cannot save %1: %2").arg(absolute, file.errorString()));

    const bool renamed = editor->property(PathProperty).toString() != absolute;
    editor->setProperty(PathProperty, absolute);
    editor->setProperty(NameProperty, QFileInfo(absolute).fileName());
    if (renamed)
        editor->setLanguageFromFileName(absolute);
    editor->markSaved();
    updateTitle(index);
    addRecentFile(absolute);
    qCDebug(lcTabs) << "saved" << absolute;
    emit fileSaved(absolute);
    return true;
}

bool EditorTabs::closeTab(int index)
{
    CodeEditor *editor = editorAt(index);
    if (!editor)
        return false;
    if (editor->isModified()) {
        const UnsavedChoice choice =
            m_unsavedPrompt ? m_unsavedPrompt(displayName(index)) : UnsavedChoice::Cancel;
        if (choice == UnsavedChoice::Cancel)
            return false;
        if (choice == UnsavedChoice::Save && !save(index))
            return false;
    }
    m_tabs->removeTab(index);
    editor->deleteLater();
    return true;
}

bool EditorTabs::closeAll()
{
    while (count() > 0) {
        if (!closeTab(count() - 1))
            return false;
    }
    return true;
}

int EditorTabs::count() const
{
    return m_tabs->count();
}

int EditorTabs::currentIndex() const
{
    return m_tabs->currentIndex();
}

void EditorTabs::setCurrentIndex(int index)
{
    m_tabs->setCurrentIndex(index);
}

CodeEditor *EditorTabs::currentEditor() const
{
    return editorAt(currentIndex());
}

CodeEditor *EditorTabs::editorAt(int index) const
{
    return qobject_cast<CodeEditor *>(m_tabs->widget(index));
}

int EditorTabs::indexOf(const CodeEditor *editor) const
{
    for (int i = 0; i < count(); ++i) {
        if (editorAt(i) == editor)
            return i;
    }
    return -1;
}

QString EditorTabs::filePath(int index) const
{
    const CodeEditor *editor = editorAt(index);
    return editor ? editor->property(PathProperty).toString() : QString();
}

QString EditorTabs::displayName(int index) const
{
    const CodeEditor *editor = editorAt(index);
    return editor ? editor->property(NameProperty).toString() : QString();
}

CodeEditor *EditorTabs::editorForFile(const QString &fileName) const
{
    const QString wanted = QDir::cleanPath(fileName);
    const QString wantedName = QFileInfo(wanted).fileName();
    CodeEditor *byName = nullptr;
    for (int i = 0; i < count(); ++i) {
        if (!filePath(i).isEmpty() && filePath(i) == wanted)
            return editorAt(i);
        if (!byName && displayName(i) == wantedName)
            byName = editorAt(i);
    }
    return byName;
}

bool EditorTabs::hasUnsavedChanges() const
{
    for (int i = 0; i < count(); ++i) {
        if (editorAt(i)->isModified())
            return true;
    }
    return false;
}

QStringList EditorTabs::recentFiles() const
{
    return QSettings().value(RecentKey).toStringList();
}

void EditorTabs::clearRecentFiles()
{
    QSettings().remove(RecentKey);
    emit recentFilesChanged();
}

void EditorTabs::setTheme(Theme theme)
{
    m_theme = theme;
    for (int i = 0; i < count(); ++i)
        editorAt(i)->setTheme(theme);
}

CodeEditor *EditorTabs::addEditor(const QString &path, const QString &text, Language language)
{
    auto *editor = new CodeEditor(this);
    editor->setTheme(m_theme);
    editor->setLanguage(language);
    editor->setText(text);
    editor->setProperty(PathProperty, path);
    editor->setProperty(NameProperty, QFileInfo(path).fileName());
    const int index = m_tabs->addTab(editor, QString());
    updateTitle(index);
    connect(editor, &CodeEditor::modificationChanged, this,
            [this, editor] { updateTitle(indexOf(editor)); });
    m_tabs->setCurrentIndex(index);
    editor->setFocusToText();
    return editor;
}

void EditorTabs::updateTitle(int index)
{
    const CodeEditor *editor = editorAt(index);
    if (!editor)
        return;
    const QString name = displayName(index);
    m_tabs->setTabText(index, editor->isModified() ? name + u'*' : name);
    const QString path = filePath(index);
    m_tabs->setTabToolTip(index, path.isEmpty() ? name : QDir::toNativeSeparators(path));
}

void EditorTabs::addRecentFile(const QString &path)
{
    QStringList files = recentFiles();
    files.removeAll(path);
    files.prepend(path);
    while (files.size() > MaxRecentFiles)
        files.removeLast();
    QSettings().setValue(RecentKey, files);
    emit recentFilesChanged();
}

bool EditorTabs::fail(const QString &message)
{
    m_lastError = message;
    qCWarning(lcTabs).noquote() << message;
    return false;
}

} // namespace coderoom::editor
