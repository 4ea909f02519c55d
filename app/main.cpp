// coderoom: the desktop IDE. Local mode by default (a private coderoomd on loopback); a
// classroom server when the user connected to one last time (Connection menu).
#include "connectiondialog.h"
#include "mainwindow.h"
#include "serviceprovider.h"
#include "uilanguage.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Coderoom"));
    QApplication::setApplicationName(QStringLiteral("Coderoom"));
    QApplication::setApplicationVersion(QStringLiteral(CODEROOM_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.coderoom.Coderoom"));
    coderoom::ui::UiLanguage::install(&app);

    QCommandLineParser parser;
    parser.setApplicationDescription(
        QApplication::translate("main", "Write and run code: Python, C++, Java, JavaScript."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("files"),
                                 QApplication::translate("main", "Files to open."),
                                 QStringLiteral("[files...]"));
    parser.process(app);

    coderoom::ui::ServiceProvider provider;
    coderoom::ui::MainWindow window(nullptr);
    QObject::connect(&provider, &coderoom::ui::ServiceProvider::serviceChanged, &window,
                     &coderoom::ui::MainWindow::setService);
    QObject::connect(&window, &coderoom::ui::MainWindow::connectionRequested, &provider,
                     &coderoom::ui::ServiceProvider::apply);
    provider.apply(coderoom::ui::ConnectionSettings::load(QSettings()));

    window.openFiles(parser.positionalArguments());
    window.show();
    const int code = QApplication::exec();
    // The window goes before the provider: nothing may hold the service when it is destroyed.
    return code;
}
