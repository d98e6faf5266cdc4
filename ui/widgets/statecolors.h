#pragma once

#include "errorstyle.h"

#include <QColor>

// The colours the console gives states in its tables, readable on light and dark
// palettes: running or healthy, failing, and over or stopped.
namespace StateColors {

inline QColor running()
{
    return QColor(0x1a, 0x7f, 0x37);
}

inline QColor failing()
{
    return ErrorStyle::color();
}

inline QColor finished()
{
    return QColor(0x6e, 0x6e, 0x6e);
}

} // namespace StateColors
