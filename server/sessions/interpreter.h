#pragma once

#include "sandboxprocess.h"

#include <QElapsedTimer>
#include <QObject>
#include <QStringList>

#include <optional>

// One live REPL driver in its sandbox, spoken to over the control channel (docs/drivers.md).
// Knows the driver protocol, nothing of sessions, history or clients.
//
// States: Starting --(driver says "ready")--> Ready --eval()--> Busy --(last result)--> Ready
//         any state --(process ended)--> Dead: died() once. stop() also ends in Dead.
// Output the driver writes while Busy belongs to the running eval; the driver writes a cell's
// output before its result line, and the sandbox drains the output pipes before it hands over
// a control line, so output() for a cell always comes before its evalFinished().
namespace coderoom::sessions {

struct DriverResult
{
    qint64 seq = 0;
    QString status; // "ok", "error", "incomplete"
    std::optional<QString> value;
    QString message;
};

class Interpreter final : public QObject
{
    Q_OBJECT
public:
    enum class State
    {
        Starting,
        Ready,
        Busy,
        Dead
    };

    Interpreter(const QString &language, QObject *parent = nullptr);
    ~Interpreter() override;

    void start(const sandbox::Spec &spec);
    State state() const { return m_state; }
    QString language() const { return m_language; }
    qint64 startedMs() const { return m_sinceStart.elapsed(); }
    qint64 msSinceActivity() const { return m_activity.elapsed(); }

    // seq is the caller's number, echoed in the result. `inputs` only with silent (replay).
    void eval(qint64 seq, const QString &code, bool silent = false, const QStringList &inputs = {});
    // False when the last eval's line never got into the driver's pipe (the driver was already
    // gone): that cell did not run, whatever happened to the process.
    bool lastEvalReachedDriver() const;
    void complete(qint64 seq, const QString &code, qint64 cursor);
    void ping(qint64 seq);
    void interrupt(); // the control message and SIGINT: both, as docs/drivers.md advises
    void writeStdin(const QByteArray &data);
    void closeStdin();
    void stop();

signals:
    void ready();
    void output(coderoom::sandbox::Stream stream, const QByteArray &data);
    void inputWait(qint64 seq);
    void inputConsumed(qint64 seq, const QString &data);
    void evalFinished(const coderoom::sessions::DriverResult &result);
    void completions(qint64 seq, const QStringList &items, qint64 start);
    void pong(qint64 seq);
    void died(const coderoom::sandbox::Result &result);

private:
    void onControlLine(const QByteArray &line);
    qint64 send(const QJsonObject &message); // where the line ends in the control stream, or -1

    QString m_language;
    sandbox::SandboxProcess *m_process = nullptr;
    State m_state = State::Starting;
    int m_outstanding = 0; // evals sent and not answered (replay sends several at once)
    qint64 m_lastEvalEnd = -1;
    QElapsedTimer m_sinceStart;
    QElapsedTimer m_activity;
};

} // namespace coderoom::sessions
