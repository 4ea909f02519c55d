// The language registry: loading, validation, runtime resolution and REPL specs. Real files,
// real runtimes under /usr; no sandbox runs here (tst_programrun does those).
#include "languageregistry.h"
#include "programrun.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

using namespace coderoom::languages;

namespace {

QString resourcesDir()
{
    return QStringLiteral(CODEROOM_TEST_RESOURCES_DIR);
}

// A minimal valid language entry; rows patch it to break one thing at a time.
QByteArray registryWith(const QByteArray &languageJson)
{
    return "{\"languages\": [" + languageJson + "]}";
}

const QByteArray minimalPython = R"({"id": "python", "name": "Python", "extensions": ["py"],
    "runtime": "/usr/bin/python3", "run": ["{runtime}", "{main}"]})";

} // namespace

class TestLanguages : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void malformedRegistryIsAnError_data();
    void malformedRegistryIsAnError();
    void missingPiecesMakeALanguageUnavailable_data();
    void missingPiecesMakeALanguageUnavailable();
    void shippedRegistryHasFourWorkingLanguages();
    void runtimesAreResolvedUnderUsr();
    void extensionsMapToLanguages_data();
    void extensionsMapToLanguages();
    void templatesExpand();
    void replSpecBindsTheDriverReadOnly();
    void replSpecRefusesWhatCannotWork_data();
    void replSpecRefusesWhatCannotWork();
    void fileNamesAreValidated_data();
    void fileNamesAreValidated();
    void missingRegistryFileIsAnError();
    void optionalBindsAreBoundOnlyWhenPresent();
    void replIsOfferedOnlyWhenItsDriverExists_data();
    void replIsOfferedOnlyWhenItsDriverExists();
    void writableSpaceIsOneQuota_data();
    void writableSpaceIsOneQuota();

private:
    // The shipped registry, loaded once: detecting four versions starts two JVMs.
    std::optional<LanguageRegistry> m_shipped;
    QString m_shippedError;
};

void TestLanguages::initTestCase()
{
    m_shipped =
        LanguageRegistry::load(resourcesDir() + QStringLiteral("/languages.json"), &m_shippedError);
}

void TestLanguages::malformedRegistryIsAnError_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("errorContains");
    QTest::addRow("bad JSON is refused") << QByteArray("{\"languages\": [") << "invalid JSON";
    QTest::addRow("a top-level array is refused") << QByteArray("[]") << "JSON object";
    QTest::addRow("a registry without languages is refused") << QByteArray("{}") << "languages";
    QTest::addRow("a language without id is refused")
        << registryWith(R"({"name": "X", "extensions": ["x"], "runtime": "/usr/bin/true",
                           "run": ["{runtime}"]})")
        << "id";
    QTest::addRow("a language without name is refused")
        << registryWith(R"({"id": "x", "extensions": ["x"], "runtime": "/usr/bin/true",
                           "run": ["{runtime}"]})")
        << "missing name";
    QTest::addRow("a language without extensions is refused")
        << registryWith(R"({"id": "x", "name": "X", "runtime": "/usr/bin/true",
                           "run": ["{runtime}"]})")
        << "missing extensions";
    QTest::addRow("a language without runtime is refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"], "run": ["a"]})")
        << "missing runtime";
    QTest::addRow("a language without run command is refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"],
                           "runtime": "/usr/bin/true"})")
        << "missing run command";
    QTest::addRow("a typo in a placeholder is refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"],
                           "runtime": "/usr/bin/true", "run": ["{runtim}", "{main}"]})")
        << "unknown placeholder {runtim}";
    QTest::addRow("an unknown limit is refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"],
                           "runtime": "/usr/bin/true", "run": ["{runtime}"],
                           "limits": {"wallSeconds": 3}})")
        << "unknown limit wallSeconds";
    QTest::addRow("a negative limit is refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"],
                           "runtime": "/usr/bin/true", "run": ["{runtime}"],
                           "limits": {"memoryMb": -1}})")
        << "positive";
    QTest::addRow("a compile step without outputs is refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"],
                           "runtime": "/usr/bin/true", "run": ["{runtime}"],
                           "compile": {"command": ["{compiler}"], "sources": ["x"]}})")
        << "missing outputs";
    QTest::addRow("a relative bind is refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"],
                           "runtime": "/usr/bin/true", "run": ["{runtime}"],
                           "binds": ["etc/java"]})")
        << "absolute";
    QTest::addRow("a relative optional bind is refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"],
                           "runtime": "/usr/bin/true", "run": ["{runtime}"],
                           "optionalBinds": ["etc/fonts"]})")
        << "absolute";
    QTest::addRow("libraries without a probe are refused")
        << registryWith(R"({"id": "x", "name": "X", "extensions": ["x"],
                           "runtime": "/usr/bin/true", "run": ["{runtime}"],
                           "libraries": {"names": ["numpy"]}})")
        << "probe";
    QTest::addRow("a duplicate id is refused")
        << registryWith(minimalPython + "," +
                        QByteArray(minimalPython).replace("\"py\"", "\"pyw\""))
        << "duplicate language id python";
    QTest::addRow("an extension claimed twice is refused")
        << registryWith(minimalPython + "," +
                        QByteArray(minimalPython).replace("\"python\"", "\"python2\""))
        << "extension py claimed twice";
}

void TestLanguages::malformedRegistryIsAnError()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, errorContains);
    QString error;
    const auto registry = LanguageRegistry::fromJson(json, &error);
    QVERIFY(!registry);
    QVERIFY2(error.contains(errorContains), qPrintable(error));
}

void TestLanguages::missingPiecesMakeALanguageUnavailable_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("problemContains");
    QTest::addRow("an unknown runtime makes the language unavailable")
        << registryWith(QByteArray(minimalPython)
                            .replace("/usr/bin/python3", "/usr/bin/no-such-runtime-xyz"))
        << "not found";
    QTest::addRow("a runtime outside /usr makes the language unavailable")
        << registryWith(QByteArray(minimalPython).replace("/usr/bin/python3", "@OUTSIDE@"))
        << "outside /usr";
    QTest::addRow("a missing compiler makes the language unavailable")
        << registryWith(R"({"id": "c", "name": "C", "extensions": ["c"],
                           "runtime": "/usr/bin/true", "run": ["/work/program"],
                           "compile": {"compiler": "/usr/bin/no-such-cc-xyz",
                                       "command": ["{compiler}", "{sources}"],
                                       "sources": ["c"], "outputs": ["program"]}})")
        << "no-such-cc-xyz";
    QTest::addRow("a missing bind source makes the language unavailable")
        << registryWith(QByteArray(minimalPython)
                            .replace("\"run\"", "\"binds\": [\"/etc/no-such-jdk-xyz\"], \"run\""))
        << "/etc/no-such-jdk-xyz";
    QTest::addRow("a failing version command makes the language unavailable")
        << registryWith(QByteArray(minimalPython)
                            .replace("\"run\"", "\"version\": [\"/usr/bin/false\"], \"run\""))
        << "--version failed";
}

void TestLanguages::missingPiecesMakeALanguageUnavailable()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, problemContains);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString outside = dir.filePath(QStringLiteral("python3"));
    QVERIFY(QFile::copy(QStringLiteral("/usr/bin/true"), outside));
    json.replace("@OUTSIDE@", outside.toUtf8());

    QString error;
    const auto registry = LanguageRegistry::fromJson(json, &error);
    QVERIFY2(registry, qPrintable(error));
    QCOMPARE(registry->languages().size(), 1);
    const Language language = registry->languages().first();
    QVERIFY(!language.available);
    QVERIFY2(language.problem.contains(problemContains), qPrintable(language.problem));
    QVERIFY(registry->availableLanguages().isEmpty());
    QVERIFY(registry->languageForExtension(language.extensions.first()).isEmpty());
    QVERIFY(registry->find(language.id)); // still listed, for /ready and the log
}

void TestLanguages::shippedRegistryHasFourWorkingLanguages()
{
    QString error;
    const auto &registry = m_shipped;
    QVERIFY2(registry, qPrintable(m_shippedError));
    const QRegularExpression version(QStringLiteral("^\\d+\\.\\d+(\\.\\d+)?$"));
    for (const char *id : {"python", "cpp", "java", "javascript"}) {
        const Language *language = registry->find(QLatin1String(id));
        QVERIFY2(language, id);
        QVERIFY2(language->available, qPrintable(language->problem));
        QVERIFY2(version.match(language->version).hasMatch(), qPrintable(language->version));
        qDebug().noquote() << language->id << language->version << language->runtimePath;
    }
    QCOMPARE(registry->find(QStringLiteral("python"))->version.left(2), QStringLiteral("3."));
    QVERIFY(registry->find(QStringLiteral("python"))->hasRepl);
    QVERIFY(!registry->find(QStringLiteral("cpp"))->hasRepl);
    QVERIFY(registry->find(QStringLiteral("cpp"))->isCompiled());
    QVERIFY(registry->find(QStringLiteral("java"))->isCompiled());
    QVERIFY(!registry->find(QStringLiteral("cpp"))->compile->compilerVersion.isEmpty());
    QCOMPARE(registry->find(QStringLiteral("nope")), nullptr);
}

void TestLanguages::runtimesAreResolvedUnderUsr()
{
    QString error;
    const auto &registry = m_shipped;
    QVERIFY2(registry, qPrintable(m_shippedError));
    for (const Language &language : registry->availableLanguages()) {
        QVERIFY2(language.runtimePath.startsWith(QLatin1String("/usr/")),
                 qPrintable(language.runtimePath));
        QCOMPARE(QFileInfo(language.runtimePath).canonicalFilePath(), language.runtimePath);
    }
    // Python is run without user site and site hooks, unbuffered, never through a PATH
    // lookup; its environment (the sandbox's allow-list plus the registry's lines) names
    // Debian's dist-packages, nothing else of the host's.
    const Language *python = registry->find(QStringLiteral("python"));
    QVERIFY(python);
    QVERIFY(python->runCommand.contains(QStringLiteral("-S")));
    QVERIFY(python->runCommand.contains(QStringLiteral("-s")));
    QVERIFY(python->runCommand.contains(QStringLiteral("-u")));
    QVERIFY(python->environment.contains(
        QStringLiteral("PYTHONPATH=/usr/lib/python3/dist-packages")));
}

void TestLanguages::extensionsMapToLanguages_data()
{
    QTest::addColumn<QString>("extension");
    QTest::addColumn<QString>("language");
    QTest::addRow("py is Python") << "py"
                                  << "python";
    QTest::addRow("a leading dot is accepted") << ".cpp"
                                               << "cpp";
    QTest::addRow("upper case is accepted") << "JAVA"
                                            << "java";
    QTest::addRow("mjs is JavaScript") << "mjs"
                                       << "javascript";
    QTest::addRow("a header belongs to C++") << "hpp"
                                             << "cpp";
    QTest::addRow("an unknown extension has no language") << "txt"
                                                          << "";
}

void TestLanguages::extensionsMapToLanguages()
{
    QFETCH(QString, extension);
    QFETCH(QString, language);
    QString error;
    const auto &registry = m_shipped;
    QVERIFY2(registry, qPrintable(m_shippedError));
    QCOMPARE(registry->languageForExtension(extension), language);
}

void TestLanguages::templatesExpand()
{
    TemplateValues values;
    values.runtime = QStringLiteral("/usr/bin/java");
    values.main = QStringLiteral("Main.java");
    values.args = {QStringLiteral("a b"), QStringLiteral("c")};
    values.sources = {QStringLiteral("Main.java"), QStringLiteral("Util.java")};
    values.memoryMb = 128;
    const QStringList expanded =
        expandCommand({QStringLiteral("{runtime}"), QStringLiteral("-Xmx{memoryMb}m"),
                       QStringLiteral("{sources}"), QStringLiteral("{mainBase}"),
                       QStringLiteral("{args}"), QStringLiteral("{out}/x")},
                      values);
    const QStringList expected = {QStringLiteral("/usr/bin/java"),
                                  QStringLiteral("-Xmx128m"),
                                  QStringLiteral("Main.java"),
                                  QStringLiteral("Util.java"),
                                  QStringLiteral("Main"),
                                  QStringLiteral("a b"),
                                  QStringLiteral("c"),
                                  QStringLiteral("/out/x")};
    QCOMPARE(expanded, expected);
}

void TestLanguages::replSpecBindsTheDriverReadOnly()
{
    QString error;
    const auto &registry = m_shipped;
    QVERIFY2(registry, qPrintable(m_shippedError));
    const auto spec = replSpec(*registry->find(QStringLiteral("python")), resourcesDir(), &error);
    QVERIFY2(spec, qPrintable(error));
    QVERIFY(spec->controlChannel);
    QVERIFY(!spec->stdinData);
    QVERIFY(spec->command.first().startsWith(QLatin1String("/usr/")));
    QCOMPARE(spec->command.last(), QStringLiteral("/work/python_driver.py"));
    // Passed in by descriptor (no host path a private directory could hide from the sandbox uid).
    bool driverPassed = false;
    for (const auto &file : spec->files) {
        if (file.name == QLatin1String("python_driver.py")) {
            driverPassed = true;
            QVERIFY(file.content.contains("def "));
        }
    }
    QVERIFY(driverPassed);
}

void TestLanguages::replSpecRefusesWhatCannotWork_data()
{
    QTest::addColumn<QString>("language");
    QTest::addColumn<QString>("resources");
    QTest::addColumn<QString>("errorContains");
    QTest::addRow("C++ has no REPL") << "cpp" << resourcesDir() << "no REPL";
    QTest::addRow("a missing driver file is refused")
        << "python" << QStringLiteral("/nonexistent-resources") << "not found";
}

void TestLanguages::replSpecRefusesWhatCannotWork()
{
    QFETCH(QString, language);
    QFETCH(QString, resources);
    QFETCH(QString, errorContains);
    QString error;
    const auto &registry = m_shipped;
    QVERIFY2(registry, qPrintable(m_shippedError));
    QVERIFY(!replSpec(*registry->find(language), resources, &error));
    QVERIFY2(error.contains(errorContains), qPrintable(error));
}

void TestLanguages::fileNamesAreValidated_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::addRow("a plain source name is accepted") << "main.py" << true;
    QTest::addRow("plus and dash are accepted") << "my-lib_2.c++" << true;
    QTest::addRow("a parent reference is refused") << "../evil.py" << false;
    QTest::addRow("dot-dot inside a name is refused") << "a..b" << false;
    QTest::addRow("an absolute path is refused") << "/etc/passwd" << false;
    QTest::addRow("a subdirectory is refused") << "pkg/mod.py" << false;
    QTest::addRow("a NUL byte is refused")
        << QStringLiteral("a") + QChar(0) + QStringLiteral("b") << false;
    QTest::addRow("a hidden file is refused") << ".bashrc" << false;
    QTest::addRow("a space is refused") << "my file.py" << false;
    QTest::addRow("an empty name is refused") << "" << false;
    QTest::addRow("a very long name is refused") << QString(200, QLatin1Char('a')) << false;
}

void TestLanguages::fileNamesAreValidated()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QString why;
    QCOMPARE(ProgramRun::isValidFileName(name, &why), valid);
    QCOMPARE(why.isEmpty(), valid);
}

void TestLanguages::missingRegistryFileIsAnError()
{
    QString error;
    QVERIFY(!LanguageRegistry::load(QStringLiteral("/nonexistent/languages.json"), &error));
    QVERIFY2(error.contains(QLatin1String("cannot read")), qPrintable(error));
}

void TestLanguages::optionalBindsAreBoundOnlyWhenPresent()
{
    QString error;
    const auto registry = LanguageRegistry::fromJson(
        registryWith(QByteArray(minimalPython)
                         .replace("\"run\"", "\"optionalBinds\": [\"/etc/passwd\", "
                                              "\"/etc/no-such-library-rc\"], \"run\"")),
        &error);
    QVERIFY2(registry, qPrintable(error));
    const Language *python = registry->find(QStringLiteral("python"));
    QVERIFY(python);
    QVERIFY2(python->available, qPrintable(python->problem)); // a missing one is no problem
    QStringList sources;
    for (const auto &bind : python->binds)
        sources << bind.source;
    QVERIFY(sources.contains(QStringLiteral("/etc/passwd")));
    QVERIFY(!sources.contains(QStringLiteral("/etc/no-such-library-rc")));
}

void TestLanguages::replIsOfferedOnlyWhenItsDriverExists_data()
{
    QTest::addColumn<bool>("driverPresent");
    QTest::addRow("a present driver offers the REPL") << true;
    QTest::addRow("a missing driver hides the REPL, not the language") << false;
}

void TestLanguages::replIsOfferedOnlyWhenItsDriverExists()
{
    QFETCH(bool, driverPresent);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile registryFile(dir.filePath(QStringLiteral("languages.json")));
    QVERIFY(registryFile.open(QIODevice::WriteOnly));
    registryFile.write(registryWith(
        QByteArray(minimalPython)
            .replace("\"run\"", "\"repl\": {\"command\": [\"{runtime}\", \"{driver}\"],"
                                " \"driver\": \"d.py\"}, \"run\"")));
    registryFile.close();
    if (driverPresent) {
        QVERIFY(dir.path().size() > 0 && QDir(dir.path()).mkdir(QStringLiteral("drivers")));
        QFile driver(dir.filePath(QStringLiteral("drivers/d.py")));
        QVERIFY(driver.open(QIODevice::WriteOnly));
    }
    QString error;
    const auto registry = LanguageRegistry::load(registryFile.fileName(), &error);
    QVERIFY2(registry, qPrintable(error));
    const Language *python = registry->find(QStringLiteral("python"));
    QVERIFY(python);
    QVERIFY(python->available);
    QCOMPARE(python->hasRepl, driverPresent);
}


void TestLanguages::writableSpaceIsOneQuota_data()
{
    QTest::addColumn<QByteArray>("limits");
    QTest::addColumn<qint64>("writableMb"); // 0: the server's writable_mb
    QTest::addRow("unset: the server's quota") << QByteArray("{}") << qint64(0);
    QTest::addRow("writableMb names it") << QByteArray(R"({"writableMb": 200})") << qint64(200);
    QTest::addRow("the older workDirMb and tmpMb count as their sum")
        << QByteArray(R"({"workDirMb": 64, "tmpMb": 256})") << qint64(320);
    QTest::addRow("tmpMb alone counts") << QByteArray(R"({"tmpMb": 64})") << qint64(64);
    QTest::addRow("writableMb wins over the older keys")
        << QByteArray(R"({"writableMb": 32, "tmpMb": 256})") << qint64(32);
}

void TestLanguages::writableSpaceIsOneQuota()
{
    QFETCH(QByteArray, limits);
    QFETCH(qint64, writableMb);
    QByteArray entry = minimalPython;
    entry.chop(1);
    entry += ", \"limits\": " + limits + "}";
    QString error;
    const auto registry = LanguageRegistry::fromJson(registryWith(entry), &error);
    QVERIFY2(registry, qPrintable(error));
    QCOMPARE(registry->find(QStringLiteral("python"))->limits.writableMb, writableMb);
}

QTEST_GUILESS_MAIN(TestLanguages)
#include "tst_languages.moc"
