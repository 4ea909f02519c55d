#include "libraryprobe.h"

#include <QDir>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace coderoom::languages;

// LibraryProbe runs the shipped probe program the way a student's run goes (the real sandbox,
// the language's flags and environment) and reports each library as importable or not, with
// the reason.
class TestLibraryProbe : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase()
    {
        const QString resources = QStringLiteral(CODEROOM_TEST_RESOURCES_DIR);
        QString error;
        auto registry =
            LanguageRegistry::load(QDir(resources).filePath(QStringLiteral("languages.json")),
                                   &error);
        QVERIFY2(registry, qPrintable(error));
        const Language *python = registry->find(QStringLiteral("python"));
        QVERIFY(python && python->available);
        m_python = *python;
        QVERIFY2(m_python.libraries.contains(QStringLiteral("numpy")),
                 "the shipped registry names the course libraries");
    }

    void reportsEachLibrary_data()
    {
        QTest::addColumn<QStringList>("names");
        QTest::addColumn<QList<bool>>("importable");
        QTest::addColumn<QString>("problemPart");
        QTest::addRow("Debian's numpy imports and says its version")
            << QStringList{"numpy"} << QList<bool>{true} << QString();
        QTest::addRow("a library that is not installed names the import error")
            << QStringList{"coderoom_no_such_library"} << QList<bool>{false}
            << QStringLiteral("No module named 'coderoom_no_such_library'");
        QTest::addRow("each library is checked on its own")
            << QStringList{"coderoom_no_such_library", "json"} << QList<bool>{false, true}
            << QStringLiteral("No module named");
    }
    void reportsEachLibrary()
    {
        QFETCH(QStringList, names);
        QFETCH(QList<bool>, importable);
        QFETCH(QString, problemPart);
        Language language = m_python;
        language.libraries = names;
        LibraryProbe probe(language, QStringLiteral(CODEROOM_TEST_RESOURCES_DIR));
        QSignalSpy done(&probe, &LibraryProbe::done);
        probe.start();
        QCOMPARE(done.count(), 0); // never from inside start()
        QVERIFY(done.wait(120000));
        const QList<LibraryStatus> results = probe.results();
        QCOMPARE(results.size(), names.size());
        for (qsizetype i = 0; i < names.size(); ++i) {
            QCOMPARE(results.at(i).name, names.at(i));
            QCOMPARE(results.at(i).ok, importable.at(i));
            if (results.at(i).ok) {
                QVERIFY(!results.at(i).version.isEmpty());
            } else {
                QVERIFY2(results.at(i).problem.contains(problemPart),
                         qPrintable(results.at(i).problem));
            }
        }
    }

    void aMissingProbeProgramIsNamed()
    {
        QTemporaryDir empty;
        Language language = m_python;
        language.libraries = {QStringLiteral("numpy")};
        LibraryProbe probe(language, empty.path());
        QSignalSpy done(&probe, &LibraryProbe::done);
        probe.start();
        QVERIFY(done.wait(10000));
        QCOMPARE(probe.results().size(), 1);
        QVERIFY(!probe.results().first().ok);
        QVERIFY2(probe.results().first().problem.contains(QLatin1String("not found")),
                 qPrintable(probe.results().first().problem));
    }

private:
    Language m_python;
};

QTEST_GUILESS_MAIN(TestLibraryProbe)
#include "tst_libraryprobe.moc"
