#include "connectiondialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QUrl>

namespace coderoom::ui {

ConnectionSettings ConnectionSettings::load(const QSettings &settings)
{
    ConnectionSettings s;
    s.remote = settings.value(QStringLiteral("connection/remote"), false).toBool();
    s.url = settings.value(QStringLiteral("connection/url")).toString();
    s.user = settings.value(QStringLiteral("connection/user")).toString();
    s.token = settings.value(QStringLiteral("connection/token")).toString();
    s.caFile = settings.value(QStringLiteral("connection/caFile")).toString();
    s.rememberToken = settings.value(QStringLiteral("connection/rememberToken"), true).toBool();
    return s;
}

void ConnectionSettings::save(QSettings &settings) const
{
    settings.setValue(QStringLiteral("connection/remote"), remote);
    settings.setValue(QStringLiteral("connection/url"), url);
    settings.setValue(QStringLiteral("connection/user"), user);
    settings.setValue(QStringLiteral("connection/caFile"), caFile);
    settings.setValue(QStringLiteral("connection/rememberToken"), rememberToken);
    if (rememberToken)
        settings.setValue(QStringLiteral("connection/token"), token);
    else
        settings.remove(QStringLiteral("connection/token"));
}

bool ConnectionSettings::isValid() const
{
    if (!remote)
        return true;
    const QUrl parsed(url);
    return parsed.isValid() && !parsed.host().isEmpty() &&
           (parsed.scheme() == u"ws" || parsed.scheme() == u"wss");
}

ConnectionDialog::ConnectionDialog(const ConnectionSettings &settings, QWidget *parent)
    : QDialog(parent)
    , m_url(new QLineEdit(settings.url, this))
    , m_user(new QLineEdit(settings.user, this))
    , m_token(new QLineEdit(settings.token, this))
    , m_caFile(new QLineEdit(settings.caFile, this))
    , m_remember(new QCheckBox(tr("Remember the token on this computer"), this))
    , m_caProblem(new QLabel(this))
{
    setWindowTitle(tr("Connect to a Coderoom server"));
    // Names for tests and accessibility tools; the labels are translated, these are not.
    m_url->setObjectName(QStringLiteral("url"));
    m_user->setObjectName(QStringLiteral("user"));
    m_token->setObjectName(QStringLiteral("token"));
    m_caFile->setObjectName(QStringLiteral("caFile"));
    m_remember->setObjectName(QStringLiteral("rememberToken"));
    m_caProblem->setObjectName(QStringLiteral("caProblem"));
    m_caProblem->setWordWrap(true);
    m_url->setPlaceholderText(QStringLiteral("wss://coderoom.example.org/api/v1/ws"));
    m_token->setEchoMode(QLineEdit::Password);
    m_caFile->setPlaceholderText(tr("Optional: the certificate that signed the server's"));
    m_remember->setChecked(settings.rememberToken);

    auto *browse = new QPushButton(tr("Browse…"), this);
    auto *caRow = new QHBoxLayout;
    caRow->addWidget(m_caFile, 1);
    caRow->addWidget(browse);

    auto *form = new QFormLayout;
    form->addRow(tr("Server address:"), m_url);
    form->addRow(tr("User name:"), m_user);
    form->addRow(tr("Token:"), m_token);
    form->addRow(tr("CA certificate:"), caRow);
    form->addRow(QString(), m_caProblem);
    form->addRow(QString(), m_remember);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    m_ok = buttons->button(QDialogButtonBox::Ok);
    m_ok->setText(tr("Connect"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(buttons);

    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, &ConnectionDialog::browseCaFile);
    connect(m_url, &QLineEdit::textChanged, this, &ConnectionDialog::updateOk);
    connect(m_caFile, &QLineEdit::textChanged, this, &ConnectionDialog::updateOk);
    updateOk();
}

ConnectionSettings ConnectionDialog::settings() const
{
    ConnectionSettings s;
    s.remote = true;
    s.url = m_url->text().trimmed();
    s.user = m_user->text().trimmed();
    s.token = m_token->text();
    s.caFile = m_caFile->text().trimmed();
    s.rememberToken = m_remember->isChecked();
    return s;
}

void ConnectionDialog::browseCaFile()
{
    const QString file = QFileDialog::getOpenFileName(this, tr("CA certificate"), m_caFile->text(),
                                                      tr("Certificates (*.pem *.crt);;All (*)"));
    if (!file.isEmpty())
        m_caFile->setText(file);
}

void ConnectionDialog::updateOk()
{
    // A wrong CA path is said here, before connecting; the client checks again (and says the
    // same in the status bar) because the file can go away between two starts.
    const QString caFile = m_caFile->text().trimmed();
    const QFileInfo ca(caFile);
    QString problem;
    if (!caFile.isEmpty() && !ca.exists())
        problem = tr("This file does not exist.");
    else if (!caFile.isEmpty() && (!ca.isFile() || !ca.isReadable()))
        problem = tr("This file cannot be read.");
    m_caProblem->setText(problem);
    m_caProblem->setVisible(!problem.isEmpty());
    m_ok->setEnabled(settings().isValid() && problem.isEmpty());
}

} // namespace coderoom::ui
