#include "stats.h"

#include <QTextStream>

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace coderoom::bench {

double Samples::quantileMs(double q) const
{
    if (m_ns.isEmpty())
        return 0.0;
    QList<qint64> sorted = m_ns;
    std::sort(sorted.begin(), sorted.end());
    // Nearest rank: the smallest sample with at least q of all samples at or below it.
    const auto n = static_cast<double>(sorted.size());
    qsizetype rank = static_cast<qsizetype>(std::ceil(q * n));
    rank = std::clamp<qsizetype>(rank, 1, sorted.size());
    return static_cast<double>(sorted.at(rank - 1)) / 1e6;
}

Table::Table(QString title, QStringList header)
    : m_title(std::move(title))
    , m_header(std::move(header))
{}

void Table::addRow(const QStringList &cells)
{
    m_rows.append(cells);
}

QString Table::toMarkdown() const
{
    QString out;
    if (!m_title.isEmpty())
        out += QStringLiteral("### ") + m_title + QStringLiteral("\n\n");
    out += QStringLiteral("| ") + m_header.join(QStringLiteral(" | ")) + QStringLiteral(" |\n|");
    for (qsizetype i = 0; i < m_header.size(); ++i)
        out += i == 0 ? QStringLiteral("---|") : QStringLiteral("--:|");
    out += QLatin1Char('\n');
    for (const QStringList &row : m_rows)
        out += QStringLiteral("| ") + row.join(QStringLiteral(" | ")) + QStringLiteral(" |\n");
    return out;
}

void Table::print() const
{
    std::fputs(qPrintable(toMarkdown() + QLatin1Char('\n')), stdout);
    std::fflush(stdout);
}

QString ms(double value)
{
    if (value < 10.0)
        return QString::number(value, 'f', 3);
    if (value < 100.0)
        return QString::number(value, 'f', 1);
    return QString::number(value, 'f', 0);
}

QString number(double value, int decimals)
{
    return QString::number(value, 'f', decimals);
}

QString ratio(double value, double floor)
{
    if (floor <= 0.0)
        return QStringLiteral("n/a");
    return QString::number(value / floor, 'f', 1) + QLatin1Char('x');
}

} // namespace coderoom::bench
