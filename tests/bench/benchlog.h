#pragma once

#include <QLocale>
#include <QString>

#include <cstdio>

// The bench's progress lines ("==> ...", on stderr) and its numbers (1,234.5).
inline void say(const QString &text)
{
    std::fprintf(stderr, "==> %s\n", text.toLocal8Bit().constData());
    std::fflush(stderr);
}

inline QString number(double v, int decimals = 0)
{
    return QLocale(QLocale::English).toString(v, 'f', decimals);
}
