#pragma once

#include <QColor>
#include <QLabel>
#include <QPalette>

// How the console shows what went wrong: red text that still reads on light and dark
// palettes.
namespace ErrorStyle {

inline QColor color()
{
    return QColor(0xc0, 0x1c, 0x28);
}

inline void apply(QLabel *label)
{
    QPalette p = label->palette();
    p.setColor(QPalette::WindowText, color());
    label->setPalette(p);
    label->setWordWrap(true);
    label->setTextFormat(Qt::PlainText);
}

} // namespace ErrorStyle
