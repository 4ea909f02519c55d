#pragma once

#include <QPlainTextEdit>

// The read-only text view under the REPL prompt and in the output pane: appends streamed text
// in a colour per kind and reports clicks on a line (the UI turns "File "main.py", line 3" into
// a jump). Bounded to MaxBlocks lines so a flood cannot eat the machine's memory.
namespace coderoom::repl {

class ConsoleView final : public QPlainTextEdit
{
    Q_OBJECT
public:
    enum class Kind
    {
        Stdout,
        Stderr,
        Compile, // compiler diagnostics
        Value,   // a REPL expression's value
        Echo,    // the prompt and what the student typed
        Input,   // text sent to the program's stdin
        Note,    // our own remarks: restored sessions, restarts
        Status,  // the line that ends a run
    };
    static constexpr int MaxBlocks = 20000;

    explicit ConsoleView(QWidget *parent = nullptr);

    // Appends as is (streams may split lines anywhere).
    void appendText(const QString &text, Kind kind);
    // Appends text on a line of its own.
    void appendLine(const QString &text, Kind kind);
    // Starts a new line unless the last one is empty.
    void ensureNewLine();
    void setDark(bool dark);

signals:
    // A click (not a selection) on a line; the text of that line.
    void lineClicked(const QString &line);

protected:
    void mouseReleaseEvent(QMouseEvent *event) override;
    // The standard Copy / Select All, plus "Clear output".
    void contextMenuEvent(QContextMenuEvent *event) override;

private:
    QTextCharFormat format(Kind kind) const;
    bool m_dark = false;
};

} // namespace coderoom::repl
