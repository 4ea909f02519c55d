#pragma once

#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>
#include <QUrl>

#include <QElapsedTimer>

#include <memory>

// The coderoomd under test: a private child on 127.0.0.1 port 0 with a temporary data dir, or
// an outside server given by URL and token (then pid() is 0 and server figures read "n/a").
namespace coderoom::bench {

class ServerHandle
{
public:
    ServerHandle() = default;
    ~ServerHandle();
    ServerHandle(const ServerHandle &) = delete;
    ServerHandle &operator=(const ServerHandle &) = delete;

    // Starts program with extra flags; waits for the "listening on" line.
    bool start(const QString &program, const QStringList &extraArgs, QString *error);
    void attach(const QUrl &url, const QString &token);
    // SIGTERM, wait, start again on the same data dir (sessions survive, hibernated).
    bool restart(QString *error);
    void stop();

    QUrl url() const { return m_url; }
    QString token() const { return m_token; }
    qint64 pid() const;
    bool isLocal() const { return m_process != nullptr; }

private:
    QString m_program;
    QStringList m_args;
    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<QProcess> m_process;
    QUrl m_url;
    QString m_token;
};

// CPU and memory of the server over a measured window (from construction or restart()).
// With no pid (outside server) every figure is 0 and text() reads "n/a".
class UsageWindow
{
public:
    explicit UsageWindow(qint64 pid);
    void restart();
    double wallSeconds() const;
    double serverCpuSeconds() const;   // coderoomd itself
    double childrenCpuSeconds() const; // sandboxes it reaped in the window
    double serverCpuPercent() const;   // of one core
    qint64 rssKb() const;

private:
    qint64 m_pid;
    QElapsedTimer m_timer;
    double m_self0 = 0.0;
    double m_children0 = 0.0;
};

// "coderoomd 12.3% CPU (of one core), RSS 45.6 MB, sandboxes 1.2 s CPU" or "n/a".
QString usageText(const UsageWindow &usage);

} // namespace coderoom::bench
