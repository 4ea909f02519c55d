#pragma once

#include "editorenums.h"

#include <QWidget>

#include <functional>

class QTabWidget;

// Tabs of CodeEditors backed by files: new/open/save/save as, "*" in the title of a modified
// tab, a recent-files list kept in QSettings ("editor/recentFiles", newest first), and a
// save/discard/cancel prompt before a modified tab closes. File errors come back as a bool plus
// a message (lastError()), never as exceptions or modal dialogs from this class: the prompt is
// the only dialog here, and tests replace it with setUnsavedPrompt().
namespace coderoom::editor {

class CodeEditor;

class EditorTabs final : public QWidget
{
    Q_OBJECT
public:
    enum class UnsavedChoice
    {
        Save,
        Discard,
        Cancel
    };
    // Asked with the tab's display name when a modified tab is about to close.
    using UnsavedPrompt = std::function<UnsavedChoice(const QString &displayName)>;
    // Asked for a path when a tab without one is saved; empty means cancelled.
    using SavePathPrompt = std::function<QString(const QString &suggestedName)>;

    static constexpr int MaxRecentFiles = 10;

    explicit EditorTabs(QWidget *parent = nullptr);

    CodeEditor *newFile(Language language = Language::Python, const QString &text = {});
    // A new file holding the language's hello world (starterText), ready to run.
    CodeEditor *newFromTemplate(Language language);
    static QString starterText(Language language);
    // Paths of the open tabs that have a file, in tab order (for reopening them at start).
    QStringList openFilePaths() const;
    // Opens the file, or switches to its tab when it is already open. nullptr on error.
    CodeEditor *openFile(const QString &path);
    bool save(int index);
    bool saveAs(int index, const QString &path);
    bool saveCurrent() { return save(currentIndex()); }
    // Closing asks first when modified; false when the user cancelled or saving failed.
    bool closeTab(int index);
    bool closeAll();

    int count() const;
    int currentIndex() const;
    void setCurrentIndex(int index);
    CodeEditor *currentEditor() const;
    CodeEditor *editorAt(int index) const;
    int indexOf(const CodeEditor *editor) const;
    QString filePath(int index) const;    // empty for an unsaved new file
    QString displayName(int index) const; // "main.py" or "untitled.py"
    // The tab whose file name (or full path) matches, for jumping to "main.py:3" diagnostics.
    CodeEditor *editorForFile(const QString &fileName) const;
    bool hasUnsavedChanges() const;

    QStringList recentFiles() const;
    void clearRecentFiles();
    QString lastError() const { return m_lastError; }

    void setTheme(Theme theme);
    Theme theme() const { return m_theme; }

    void setUnsavedPrompt(UnsavedPrompt prompt) { m_unsavedPrompt = std::move(prompt); }
    void setSavePathPrompt(SavePathPrompt prompt) { m_savePathPrompt = std::move(prompt); }

signals:
    void currentEditorChanged(coderoom::editor::CodeEditor *editor);
    void recentFilesChanged();
    void fileSaved(const QString &path);

private:
    CodeEditor *addEditor(const QString &path, const QString &text, Language language);
    void updateTitle(int index);
    // An untitled Java tab is named after its public class: javac wants Main in Main.java.
    void followPublicClass(CodeEditor *editor);
    void addRecentFile(const QString &path);
    bool fail(const QString &message);

    QTabWidget *m_tabs = nullptr;
    Theme m_theme = Theme::Light;
    int m_untitledCounter = 0;
    QString m_lastError;
    UnsavedPrompt m_unsavedPrompt;
    SavePathPrompt m_savePathPrompt;
};

} // namespace coderoom::editor
