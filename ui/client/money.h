#pragma once

#include <QLocale>
#include <QString>
#include <QtMath>

// Money travels as a JSON number in currency units (499.99); the console keeps whole
// cents so that sums and comparisons are exact.
namespace Api::Money {

inline qint64 toCents(double amount)
{
    return qRound64(amount * 100.0);
}

inline double toAmount(qint64 cents)
{
    return double(cents) / 100.0;
}

inline QString format(qint64 cents, const QLocale &locale = QLocale())
{
    return locale.toString(toAmount(cents), 'f', 2);
}

} // namespace Api::Money
