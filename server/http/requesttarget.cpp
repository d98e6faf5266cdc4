#include "requesttarget.h"

#include <QUrl>

RequestTarget RequestTarget::parse(const QByteArray &target)
{
    RequestTarget t;
    const qsizetype question = target.indexOf('?');
    const QByteArray rawPath = question < 0 ? target : target.left(question);
    // Most paths hold no escape, and then need no decoding (issue 16: the hot path).
    t.path = rawPath.contains('%') ? QUrl::fromPercentEncoding(rawPath) : QString::fromLatin1(rawPath);
    t.segments = QString::fromLatin1(rawPath).split(QLatin1Char('/'));
    if (!t.segments.isEmpty() && t.segments.constFirst().isEmpty())
        t.segments.removeFirst();
    if (!t.segments.isEmpty() && t.segments.constLast().isEmpty())
        t.segments.removeLast();
    if (question >= 0)
        t.query.setQuery(QString::fromUtf8(target.mid(question + 1)));
    return t;
}
