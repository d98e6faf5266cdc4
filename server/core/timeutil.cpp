#include "timeutil.h"

#include <array>
#include <limits>

namespace {

struct Rendered
{
    qint64 ms = std::numeric_limits<qint64>::min();
    QString text;
    QByteArray latin1;
};

// This thread's rendering of `ms`, kept among its last four.
const Rendered &renderedAt(qint64 ms)
{
    thread_local std::array<Rendered, 4> rendered;
    thread_local size_t next = 0;
    for (const Rendered &r : rendered) {
        if (r.ms == ms)
            return r;
    }
    Rendered &r = rendered[next];
    next = (next + 1) % rendered.size();
    r.ms = ms;
    r.text = QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs);
    r.latin1 = r.text.toLatin1();
    return r;
}

} // namespace

QString isoUtc(qint64 ms)
{
    // A deep copy: the string may leave this thread, and the kept one must not be shared
    // with it (this thread replaces it later).
    const QString &text = renderedAt(ms).text;
    return QString(text.constData(), text.size());
}

void appendIsoUtc(QByteArray &out, qint64 ms)
{
    out.append(renderedAt(ms).latin1); // the bytes are copied into `out`, never shared
}
