#include "uilanguage.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QLoggingCategory>
#include <QSettings>
#include <QTranslator>

Q_LOGGING_CATEGORY(lcLanguage, "coderoom.app.ui.language", QtInfoMsg)

namespace coderoom::ui {

namespace {
const QString Key = QStringLiteral("ui/language");
}

QStringList UiLanguage::available()
{
    return {QStringLiteral("system"), QStringLiteral("en"), QStringLiteral("de"),
            QStringLiteral("es")};
}

QString UiLanguage::current()
{
    const QString value = QSettings().value(Key, QStringLiteral("system")).toString();
    return available().contains(value) ? value : QStringLiteral("system");
}

void UiLanguage::setCurrent(const QString &code)
{
    QSettings().setValue(Key, available().contains(code) ? code : QStringLiteral("system"));
}

QString UiLanguage::install(QCoreApplication *app)
{
    const QString setting = current();
    const QLocale locale = setting == u"system" ? QLocale::system() : QLocale(setting);
    auto *appTranslator = new QTranslator(app);
    if (appTranslator->load(locale, QStringLiteral("coderoom"), QStringLiteral("_"),
                            QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(appTranslator);
    } else {
        delete appTranslator;
    }
    // Qt's own strings (dialog buttons) from the system's Qt translations, when installed.
    auto *qtTranslator = new QTranslator(app);
    if (qtTranslator->load(locale, QStringLiteral("qtbase"), QStringLiteral("_"),
                           QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QCoreApplication::installTranslator(qtTranslator);
    } else {
        delete qtTranslator;
    }
    qCDebug(lcLanguage) << "interface language" << locale.name();
    return locale.name().left(2);
}

} // namespace coderoom::ui
