#include "consoleview.h"

#include <QContextMenuEvent>
#include <QFontDatabase>
#include <QMenu>
#include <QMouseEvent>
#include <QScrollBar>
#include <QTextBlock>

namespace coderoom::repl {

ConsoleView::ConsoleView(QWidget *parent)
    : QPlainTextEdit(parent)
{
    setReadOnly(true);
    setUndoRedoEnabled(false);
    setMaximumBlockCount(MaxBlocks);
    setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    setTextInteractionFlags(Qt::TextSelectableByMouse | Qt::TextSelectableByKeyboard);
}

void ConsoleView::appendText(const QString &text, Kind kind)
{
    if (text.isEmpty())
        return;
    // Follow the output only when the student is already at the bottom.
    QScrollBar *bar = verticalScrollBar();
    const bool atEnd = bar->value() >= bar->maximum() - 2;
    QTextCursor cursor(document());
    cursor.movePosition(QTextCursor::End);
    cursor.insertText(text, format(kind));
    if (atEnd)
        bar->setValue(bar->maximum());
}

void ConsoleView::appendLine(const QString &text, Kind kind)
{
    ensureNewLine();
    appendText(text + u'\n', kind);
}

void ConsoleView::ensureNewLine()
{
    const QTextBlock last = document()->lastBlock();
    if (!last.text().isEmpty())
        appendText(QStringLiteral("\n"), Kind::Stdout);
}

void ConsoleView::setDark(bool dark)
{
    m_dark = dark;
    // Our colours are chosen per background, so the background follows the theme too.
    QPalette p = palette();
    p.setColor(QPalette::Base, dark ? QColor(0x1e, 0x1f, 0x22) : QColor(Qt::white));
    p.setColor(QPalette::Text, dark ? QColor(0xdc, 0xdc, 0xdc) : QColor(0x20, 0x20, 0x20));
    setPalette(p);
}

void ConsoleView::mouseReleaseEvent(QMouseEvent *event)
{
    QPlainTextEdit::mouseReleaseEvent(event);
    if (event->button() != Qt::LeftButton || textCursor().hasSelection())
        return;
    const QTextBlock block = cursorForPosition(event->position().toPoint()).block();
    if (block.isValid() && !block.text().isEmpty())
        emit lineClicked(block.text());
}

void ConsoleView::contextMenuEvent(QContextMenuEvent *event)
{
    QMenu *menu = createStandardContextMenu(event->pos());
    menu->addSeparator();
    QAction *clearAction = menu->addAction(tr("Clear output"), this, &QPlainTextEdit::clear);
    clearAction->setObjectName(QStringLiteral("clearOutputAction"));
    clearAction->setEnabled(!document()->isEmpty());
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->popup(event->globalPos());
}

QTextCharFormat ConsoleView::format(Kind kind) const
{
    QTextCharFormat f;
    switch (kind) {
    case Kind::Stdout:
        break;
    case Kind::Stderr:
        f.setForeground(m_dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc6, 0x28, 0x28));
        break;
    case Kind::Compile:
        f.setForeground(m_dark ? QColor(0xf0, 0xb0, 0x60) : QColor(0xa0, 0x50, 0x00));
        break;
    case Kind::Value:
        f.setForeground(m_dark ? QColor(0x79, 0xc0, 0xff) : QColor(0x15, 0x65, 0xc0));
        break;
    case Kind::Echo:
        f.setForeground(m_dark ? QColor(0xa0, 0xa0, 0xa0) : QColor(0x55, 0x55, 0x55));
        break;
    case Kind::Input:
        f.setForeground(m_dark ? QColor(0x7e, 0xe7, 0x87) : QColor(0x2e, 0x7d, 0x32));
        break;
    case Kind::Note:
        f.setForeground(m_dark ? QColor(0xb0, 0xa0, 0xe0) : QColor(0x6a, 0x4c, 0x93));
        f.setFontItalic(true);
        break;
    case Kind::Status:
        f.setForeground(m_dark ? QColor(0xb0, 0xb0, 0xb0) : QColor(0x60, 0x60, 0x60));
        f.setFontWeight(QFont::Bold);
        break;
    }
    return f;
}

} // namespace coderoom::repl
