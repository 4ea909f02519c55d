#include "findbar.h"

#include <QCheckBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QToolButton>

namespace coderoom::editor {

FindBar::FindBar(QWidget *parent)
    : QWidget(parent)
    , m_find(new QLineEdit(this))
    , m_replace(new QLineEdit(this))
    , m_case(new QCheckBox(tr("Match case"), this))
    , m_word(new QCheckBox(tr("Whole words"), this))
    , m_message(new QLabel(this))
    , m_replaceRow(new QWidget(this))
{
    m_find->setObjectName(QStringLiteral("findText"));
    m_replace->setObjectName(QStringLiteral("replaceText"));
    m_find->setPlaceholderText(tr("Find"));
    m_replace->setPlaceholderText(tr("Replace with"));
    m_find->setClearButtonEnabled(true);

    auto *previous = new QPushButton(tr("Previous"), this);
    auto *next = new QPushButton(tr("Next"), this);
    auto *replaceOne = new QPushButton(tr("Replace"), m_replaceRow);
    auto *replaceAll = new QPushButton(tr("Replace all"), m_replaceRow);
    auto *close = new QToolButton(this);
    close->setText(QStringLiteral("\u2715"));
    close->setToolTip(tr("Close (Esc)"));
    close->setAutoRaise(true);

    auto *findRow = new QHBoxLayout;
    findRow->addWidget(m_find, 1);
    findRow->addWidget(previous);
    findRow->addWidget(next);
    findRow->addWidget(m_case);
    findRow->addWidget(m_word);
    findRow->addWidget(m_message);
    findRow->addWidget(close);

    auto *replaceLayout = new QHBoxLayout(m_replaceRow);
    replaceLayout->setContentsMargins(0, 0, 0, 0);
    replaceLayout->addWidget(m_replace, 1);
    replaceLayout->addWidget(replaceOne);
    replaceLayout->addWidget(replaceAll);
    replaceLayout->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 2);
    layout->setSpacing(2);
    layout->addLayout(findRow);
    layout->addWidget(m_replaceRow);

    connect(next, &QPushButton::clicked, this,
            [this] { emit findRequested(findText(), options(true)); });
    connect(previous, &QPushButton::clicked, this,
            [this] { emit findRequested(findText(), options(false)); });
    connect(m_find, &QLineEdit::returnPressed, this,
            [this] { emit findRequested(findText(), options(true)); });
    connect(replaceOne, &QPushButton::clicked, this,
            [this] { emit replaceRequested(findText(), replaceText(), options(true)); });
    connect(m_replace, &QLineEdit::returnPressed, this,
            [this] { emit replaceRequested(findText(), replaceText(), options(true)); });
    connect(replaceAll, &QPushButton::clicked, this,
            [this] { emit replaceAllRequested(findText(), replaceText(), options(true)); });
    connect(close, &QToolButton::clicked, this, [this] {
        hide();
        emit closed();
    });
    hide();
}

void FindBar::open(bool replace, const QString &initialText)
{
    if (!initialText.isEmpty())
        m_find->setText(initialText);
    m_replaceRow->setVisible(replace);
    m_message->clear();
    show();
    m_find->setFocus();
    m_find->selectAll();
}

QString FindBar::findText() const
{
    return m_find->text();
}

QString FindBar::replaceText() const
{
    return m_replace->text();
}

FindOptions FindBar::options(bool forward) const
{
    return {m_case->isChecked(), m_word->isChecked(), forward};
}

void FindBar::setMessage(const QString &message)
{
    m_message->setText(message);
}

void FindBar::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape) {
        hide();
        emit closed();
        return;
    }
    QWidget::keyPressEvent(event);
}

} // namespace coderoom::editor
