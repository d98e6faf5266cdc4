#include "timeutil.h"

#include <array>
#include <limits>

QString isoUtc(qint64 ms)
{
    struct Rendered
    {
        qint64 ms = std::numeric_limits<qint64>::min();
        QString text;
    };
    thread_local std::array<Rendered, 4> rendered;
    thread_local size_t next = 0;
    for (const Rendered &r : rendered) {
        // A deep copy: the string may leave this thread, and the kept one must not be
        // shared with it (this thread replaces it later).
        if (r.ms == ms)
            return QString(r.text.constData(), r.text.size());
    }
    Rendered &r = rendered[next];
    next = (next + 1) % rendered.size();
    r.ms = ms;
    r.text = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
    return QString(r.text.constData(), r.text.size());
}
