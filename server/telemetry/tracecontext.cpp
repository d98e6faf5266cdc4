#include "tracecontext.h"

#include <QList>
#include <QRandomGenerator>

namespace {

// Trace and span ids name a request in logs and traces; they guard nothing, so each
// thread draws them from its own generator (seeded from the system's) instead of the
// global one, whose lock every HTTP thread would take twice per request.
QByteArray randomHex(int bytes)
{
    thread_local QRandomGenerator generator(QRandomGenerator::system()->generate());
    QByteArray raw(bytes, Qt::Uninitialized);
    generator.fillRange(reinterpret_cast<quint32 *>(raw.data()), bytes / 4);
    return raw.toHex();
}

bool isLowerHex(const QByteArray &s, int length)
{
    if (s.size() != length)
        return false;
    bool nonZero = false;
    for (char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
        nonZero = nonZero || c != '0';
    }
    return nonZero;
}

} // namespace

TraceContext TraceContext::fromHeader(const QByteArray &traceparent)
{
    TraceContext t;
    const QList<QByteArray> parts = traceparent.trimmed().split('-');
    if (parts.size() == 4 && parts[0] == "00" && isLowerHex(parts[1], 32) && isLowerHex(parts[2], 16)
        && parts[3].size() == 2) {
        t.traceId = parts[1];
        t.flags = parts[3];
    } else {
        t.traceId = randomHex(16);
    }
    t.spanId = randomHex(8);
    return t;
}

QByteArray TraceContext::traceparent() const
{
    return "00-" + traceId + '-' + spanId + '-' + flags;
}
