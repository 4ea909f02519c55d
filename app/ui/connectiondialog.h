#pragma once

#include <QDialog>

class QCheckBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSettings;

// "Connect to server...": URL, user, token and an optional CA file, remembered in QSettings
// under "connection/". Plain data in, plain data out; the ServiceProvider acts on it.
// Connect stays disabled until the URL is ws:// or wss:// with a host and a CA file, if one is
// given, exists and can be read. Widgets carry object names (url, user, token, caFile,
// rememberToken, caProblem) for tests.
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
    QLabel *m_caProblem = nullptr; // why the CA file can't be used, hidden when it can
    QPushButton *m_ok = nullptr;
};

} // namespace coderoom::ui
