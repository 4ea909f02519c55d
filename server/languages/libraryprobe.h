#pragma once

#include "languageregistry.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QString>

// Which of a language's course libraries (Language::libraries) a student's program can import,
// found the only way that is sure: the probe program runs for each library exactly like a
// student's run (same sandbox, flags, environment and limits, lowest priority), one after
// another so a start-up never competes with itself. For /ready.
//
// State: NotStarted --start()--> Checking --(every library run)--> Done; done() fires once.
namespace coderoom::languages {

class ProgramRun;

struct LibraryStatus
{
    QString name;
    bool ok = false;
    QString version; // what the library says (__version__), when ok
    QString problem; // the import error's last line (or why the check failed), when not ok
    bool operator==(const LibraryStatus &) const = default;
};

class LibraryProbe final : public QObject
{
    Q_OBJECT
public:
    // `language` is copied; `resourcesDir` holds drivers/<language.libraryProbe>.
    LibraryProbe(const Language &language, const QString &resourcesDir,
                 QObject *parent = nullptr);
    ~LibraryProbe() override;

    void start();
    bool isDone() const { return m_done; }
    QString languageId() const { return m_language.id; }
    QList<LibraryStatus> results() const { return m_results; } // complete once done

signals:
    void done();

private:
    void next();
    void finish();

    Language m_language;
    QByteArray m_probe;
    QString m_problem; // the probe could not be read: every library says so
    QList<LibraryStatus> m_results;
    QPointer<ProgramRun> m_run;
    QByteArray m_stdout;
    QByteArray m_stderr;
    bool m_started = false;
    bool m_done = false;
};

} // namespace coderoom::languages
