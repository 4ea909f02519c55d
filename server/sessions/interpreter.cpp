#include "interpreter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcSessions, "coderoom.server.sessions")

namespace coderoom::sessions {

Interpreter::Interpreter(const QString &language, QObject *parent)
    : QObject(parent)
    , m_language(language)
    , m_process(new sandbox::SandboxProcess(this))
{
    m_sinceStart.start();
    m_activity.start();
    connect(m_process, &sandbox::SandboxProcess::output, this, [this](auto stream, auto data) {
        m_activity.restart();
        emit output(stream, data);
    });
    connect(m_process, &sandbox::SandboxProcess::controlLine, this, &Interpreter::onControlLine);
    connect(m_process, &sandbox::SandboxProcess::done, this, [this](const sandbox::Result &result) {
        m_state = State::Dead;
        emit died(result);
    });
}

Interpreter::~Interpreter()
{
    m_process->disconnect(this);
}

void Interpreter::start(const sandbox::Spec &spec)
{
    m_sinceStart.restart();
    m_process->start(spec);
}

qint64 Interpreter::send(const QJsonObject &message)
{
    if (m_state == State::Dead)
        return -1;
    return m_process->writeControl(QJsonDocument(message).toJson(QJsonDocument::Compact));
}

void Interpreter::eval(qint64 seq, const QString &code, bool silent, const QStringList &inputs)
{
    QJsonObject message{{QStringLiteral("op"), QStringLiteral("eval")},
                        {QStringLiteral("seq"), seq},
                        {QStringLiteral("code"), code}};
    if (silent) {
        message.insert(QStringLiteral("silent"), true);
        message.insert(QStringLiteral("inputs"), QJsonArray::fromStringList(inputs));
    }
    if (m_state == State::Ready)
        m_state = State::Busy;
    ++m_outstanding;
    m_activity.restart();
    m_lastEvalEnd = send(message);
}

bool Interpreter::lastEvalReachedDriver() const
{
    return m_lastEvalEnd >= 0 && m_process->controlBytesDelivered() >= m_lastEvalEnd;
}

void Interpreter::complete(qint64 seq, const QString &code, qint64 cursor)
{
    send({{QStringLiteral("op"), QStringLiteral("complete")},
          {QStringLiteral("seq"), seq},
          {QStringLiteral("code"), code},
          {QStringLiteral("cursor"), cursor}});
}

void Interpreter::ping(qint64 seq)
{
    send({{QStringLiteral("op"), QStringLiteral("ping")}, {QStringLiteral("seq"), seq}});
}

void Interpreter::interrupt()
{
    send({{QStringLiteral("op"), QStringLiteral("interrupt")}});
    m_process->interrupt();
}

void Interpreter::writeStdin(const QByteArray &data)
{
    m_process->writeStdin(data);
}

void Interpreter::closeStdin()
{
    m_process->closeStdin();
}

void Interpreter::stop()
{
    m_process->stop();
}

void Interpreter::onControlLine(const QByteArray &line)
{
    m_activity.restart();
    const QJsonObject o = QJsonDocument::fromJson(line).object();
    const QString op = o.value(QStringLiteral("op")).toString();
    const qint64 seq = o.value(QStringLiteral("seq")).toInteger();
    if (op == QLatin1String("ready")) {
        if (m_state == State::Starting) {
            m_state = State::Ready;
            emit ready();
        }
    } else if (op == QLatin1String("result")) {
        DriverResult r;
        r.seq = seq;
        r.status = o.value(QStringLiteral("status")).toString();
        if (o.contains(QStringLiteral("value")))
            r.value = o.value(QStringLiteral("value")).toString();
        r.message = o.value(QStringLiteral("message")).toString();
        m_outstanding = std::max(0, m_outstanding - 1);
        if (m_state == State::Busy && m_outstanding == 0)
            m_state = State::Ready;
        emit evalFinished(r);
    } else if (op == QLatin1String("input_wait")) {
        emit inputWait(seq);
    } else if (op == QLatin1String("input")) {
        emit inputConsumed(seq, o.value(QStringLiteral("data")).toString());
    } else if (op == QLatin1String("completions")) {
        QStringList items;
        for (const QJsonValue &v : o.value(QStringLiteral("items")).toArray())
            items.append(v.toString());
        emit completions(seq, items, o.value(QStringLiteral("start")).toInteger());
    } else if (op == QLatin1String("pong")) {
        emit pong(seq);
    } else {
        qCWarning(lcSessions).noquote()
            << m_language
            << "driver said something unexpected:" << QString::fromUtf8(line.left(200));
    }
}

} // namespace coderoom::sessions
