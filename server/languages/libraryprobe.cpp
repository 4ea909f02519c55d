#include "libraryprobe.h"

#include "languageslog.h"
#include "programrun.h"

#include <QDir>
#include <QFile>
#include <QTimer>

namespace coderoom::languages {

namespace {

QString lastLine(const QByteArray &text)
{
    const QList<QByteArray> lines = text.trimmed().split('\n');
    return lines.isEmpty() ? QString() : QString::fromUtf8(lines.last().trimmed());
}

} // namespace

LibraryProbe::LibraryProbe(const Language &language, const QString &resourcesDir,
                           QObject *parent)
    : QObject(parent)
    , m_language(language)
{
    QFile probe(QDir(resourcesDir).filePath(QStringLiteral("drivers/") + language.libraryProbe));
    if (language.libraryProbe.isEmpty() || !probe.open(QIODevice::ReadOnly))
        m_problem = QStringLiteral("the library check %1 was not found").arg(probe.fileName());
    else
        m_probe = probe.readAll();
}

LibraryProbe::~LibraryProbe()
{
    delete m_run.data(); // stops a check still running
}

void LibraryProbe::start()
{
    if (m_started)
        return;
    m_started = true;
    // Never synchronously: done() may come from start() otherwise.
    QTimer::singleShot(0, this, [this] { next(); });
}

void LibraryProbe::next()
{
    if (m_results.size() == m_language.libraries.size()) {
        finish();
        return;
    }
    const QString name = m_language.libraries.at(m_results.size());
    if (!m_language.available || !m_problem.isEmpty()) {
        m_results.append({name, false, {},
                          m_language.available ? m_problem : m_language.problem});
        next();
        return;
    }
    ProgramRequest request;
    const QString file = m_language.extensions.isEmpty()
                             ? QStringLiteral("check")
                             : QStringLiteral("check.") + m_language.extensions.first();
    request.files = {ProgramFile{file, m_probe}};
    request.main = file;
    request.args = {name};
    // The language's own run limits, nothing more: a library that cannot be imported within
    // what a student's run gets is not importable for the student either.
    request.stdinData = QByteArray();
    m_stdout.clear();
    m_stderr.clear();
    m_run = new ProgramRun(m_language, request, {}, this);
    connect(m_run, &ProgramRun::output, this, [this](ProgramStream stream, const QByteArray &d) {
        (stream == ProgramStream::Stdout ? m_stdout : m_stderr) += d.left(64 * 1024);
    });
    connect(m_run, &ProgramRun::done, this, [this, name](const ProgramResult &result) {
        LibraryStatus status{name, false, {}, {}};
        const bool exited = result.run.outcome == sandbox::Outcome::Exited;
        if (exited && result.run.exitCode == 0) {
            status.ok = true;
            status.version = lastLine(m_stdout);
        } else {
            status.problem = exited ? lastLine(m_stderr) : result.message;
            if (status.problem.isEmpty())
                status.problem = sandbox::toString(result.run.outcome);
        }
        qCInfo(lcLanguages).noquote()
            << m_language.id << "library" << name
            << (status.ok ? QStringLiteral("importable, ") + status.version
                          : QStringLiteral("not importable: ") + status.problem);
        m_results.append(status);
        m_run->deleteLater();
        next();
    });
    m_run->start();
}

void LibraryProbe::finish()
{
    if (m_done)
        return;
    m_done = true;
    emit done();
}

} // namespace coderoom::languages
