#pragma once

#include <QList>
#include <QString>
#include <QStringList>

// Latency samples and the Markdown tables every benchmark prints.
namespace coderoom::bench {

class Samples
{
public:
    void add(qint64 nanoseconds) { m_ns.append(nanoseconds); }
    qsizetype count() const { return m_ns.size(); }
    bool isEmpty() const { return m_ns.isEmpty(); }
    // Quantiles by nearest rank on a sorted copy; 0 when empty. Values in milliseconds.
    double quantileMs(double q) const;
    double medianMs() const { return quantileMs(0.5); }
    double p99Ms() const { return quantileMs(0.99); }
    double maxMs() const { return quantileMs(1.0); }

private:
    QList<qint64> m_ns;
};

// A Markdown table built row by row; printed as it would appear in docs/benchmarks.md.
class Table
{
public:
    explicit Table(QString title, QStringList header);
    void addRow(const QStringList &cells);
    QString toMarkdown() const;
    void print() const; // to stdout, flushed

private:
    QString m_title;
    QStringList m_header;
    QList<QStringList> m_rows;
};

QString ms(double value); // "0.412" / "12.3" / "1234": precision that reads well
QString number(double value, int decimals = 1);
QString ratio(double value, double floor); // "3.2x"; "n/a" when the floor is 0

} // namespace coderoom::bench
