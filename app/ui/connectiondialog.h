#pragma once

#include <QDialog>

class QCheckBox;
class QLineEdit;
class QPushButton;
class QSettings;

// "Connect to server...": URL, user, token and an optional CA file, remembered in QSettings
// under "connection/". Plain data in, plain data out; the ServiceProvider acts on it.
//
// Security note: the token is stored in the user's QSettings file (plain text, readable by the
// user only on a default umask). Leave "Remember token" off on shared machines.
namespace coderoom::ui {

struct ConnectionSettings
{
    bool remote = false; // false: local mode (a private server on this machine)
    QString url;         // ws://host:port/api/v1/ws or wss://...
    QString user;
    QString token;
    QString caFile;
    bool rememberToken = true;

    static ConnectionSettings load(const QSettings &settings);
    void save(QSettings &settings) const;
    bool isValid() const; // remote needs a ws:// or wss:// URL
};

class ConnectionDialog final : public QDialog
{
    Q_OBJECT
public:
    explicit ConnectionDialog(const ConnectionSettings &settings, QWidget *parent = nullptr);
    ConnectionSettings settings() const; // remote is always true here

private:
    void browseCaFile();
    void updateOk();

    QLineEdit *m_url = nullptr;
    QLineEdit *m_user = nullptr;
    QLineEdit *m_token = nullptr;
    QLineEdit *m_caFile = nullptr;
    QCheckBox *m_remember = nullptr;
    QPushButton *m_ok = nullptr;
};

} // namespace coderoom::ui
