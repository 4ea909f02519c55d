#pragma once

#include <QString>
#include <QStringList>

class QCoreApplication;

// The interface language: "system" (follow the locale), "en", "de" or "es", kept in QSettings
// ("ui/language"). Translations are compiled into the app under :/i18n (qt_add_translations).
// A change applies at the next start: widgets are built once and not retranslated live.
namespace coderoom::ui {

class UiLanguage
{
public:
    static QStringList available(); // {"system", "en", "de", "es"}
    static QString current();       // the setting
    static void setCurrent(const QString &code);
    // Installs the app's and Qt's translators for the setting; returns the language used.
    static QString install(QCoreApplication *app);
};

} // namespace coderoom::ui
