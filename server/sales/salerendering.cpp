#include "salerendering.h"

#include "core/timeutil.h"

#include <QHash>
#include <QJsonDocument>

namespace {

struct Rendered
{
    const Sale *sale = nullptr;
    Sale::Figures figures;
    QByteArray open; // the object without serverTime and without its closing brace
};

constexpr qsizetype maxRendered = 4096; // per thread; past it, the renderings start over

// This thread's rendering of `sale` as it stands at `nowMs`; its figures are the ones read now.
const Rendered &renderingOf(const Sale &sale, qint64 nowMs)
{
    thread_local QHash<qint64, Rendered> rendered;
    const Sale::Figures figures = sale.figuresAt(nowMs);
    auto it = rendered.find(sale.id());
    if (it != rendered.end() && it->sale == &sale && it->figures == figures)
        return *it;
    if (it == rendered.end()) {
        if (rendered.size() >= maxRendered)
            rendered.clear();
        it = rendered.insert(sale.id(), {});
    }
    it->sale = &sale;
    it->figures = figures;
    it->open = QJsonDocument(sale.describe(figures)).toJson(QJsonDocument::Compact);
    it->open.chop(1); // the '}'
    return *it;
}

// ,"serverTime":"…"} for this millisecond; a thread answers many in the same one.
const QByteArray &clockClose(qint64 nowMs)
{
    thread_local qint64 at = -1;
    thread_local QByteArray close;
    if (at != nowMs) {
        at = nowMs;
        close = ",\"serverTime\":\"" + isoUtc(nowMs).toLatin1() + "\"}";
    }
    return close;
}

} // namespace

namespace SaleRendering {

QByteArray one(const Sale &sale, qint64 nowMs)
{
    return renderingOf(sale, nowMs).open + clockClose(nowMs);
}

QByteArray list(const QList<std::shared_ptr<Sale>> &sales, bool withEnded, qint64 nowMs)
{
    const QByteArray &close = clockClose(nowMs);
    QByteArray body;
    body.reserve(sales.size() * 400 + 2);
    body += '[';
    for (const auto &sale : sales) {
        const Rendered &r = renderingOf(*sale, nowMs);
        if (!withEnded && r.figures.status == SaleStatus::Ended)
            continue;
        if (body.size() > 1)
            body += ',';
        body += r.open;
        body += close;
    }
    body += ']';
    return body;
}

} // namespace SaleRendering
