#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;

// The small find/replace bar under the editor (Escape closes it). It holds no search logic:
// it asks its CodeEditor through signals, so the same bar could sit under any text view.
namespace coderoom::editor {

struct FindOptions
{
    bool caseSensitive = false;
    bool wholeWord = false;
    bool forward = true;
};

class FindBar final : public QWidget
{
    Q_OBJECT
public:
    explicit FindBar(QWidget *parent = nullptr);

    // Shows the bar; with replace the replace row is visible too. Focuses the find field.
    void open(bool replace, const QString &initialText = {});
    QString findText() const;
    QString replaceText() const;
    FindOptions options(bool forward = true) const;
    // Shows "not found" / "3 replaced" next to the fields.
    void setMessage(const QString &message);

signals:
    void findRequested(const QString &text, coderoom::editor::FindOptions options);
    void replaceRequested(const QString &text, const QString &with,
                          coderoom::editor::FindOptions options);
    void replaceAllRequested(const QString &text, const QString &with,
                             coderoom::editor::FindOptions options);
    void closed();

protected:
    void keyPressEvent(QKeyEvent *event) override;

private:
    QLineEdit *m_find = nullptr;
    QLineEdit *m_replace = nullptr;
    QCheckBox *m_case = nullptr;
    QCheckBox *m_word = nullptr;
    QLabel *m_message = nullptr;
    QWidget *m_replaceRow = nullptr;
};

} // namespace coderoom::editor
