#pragma once

#include <QLocale>
#include <QString>

// The bench's numbers in its reports and progress lines (1,234.5); say() is in
// scenariorunner.h.
inline QString number(double v, int decimals = 0)
{
    return QLocale(QLocale::English).toString(v, 'f', decimals);
}
