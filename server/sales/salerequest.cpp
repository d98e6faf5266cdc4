#include "salerequest.h"

#include "http/jsonbody.h"

#include <limits>

namespace SaleRequest {

std::optional<Sale::Terms> read(const HttpRequest &request, qint64 nowMs,
                                const std::function<bool(qint64 productId)> &productExists, HttpResponse *problem)
{
    auto body = JsonBody::parse(request, problem);
    if (!body)
        return std::nullopt;
    Sale::Terms t;
    t.name = body->requiredString(QStringLiteral("name"), 200);
    t.productId = body->requiredInteger(QStringLiteral("productId"), 1, std::numeric_limits<qint64>::max());
    t.salePriceCents = body->requiredMoneyCents(QStringLiteral("salePrice"));
    t.quantity = body->requiredInteger(QStringLiteral("quantity"), 1, 10000000);
    t.perUserLimit = int(body->optionalInteger(QStringLiteral("perUserLimit"), 1, 1, 1000));
    const QDateTime start = body->requiredTime(QStringLiteral("startTime"));
    const QDateTime end = body->requiredTime(QStringLiteral("endTime"));
    if (start.isValid() && end.isValid()) {
        t.startMs = start.toMSecsSinceEpoch();
        t.endMs = end.toMSecsSinceEpoch();
        if (t.endMs <= t.startMs)
            body->addError(QStringLiteral("endTime"), QStringLiteral("must be after startTime"));
        else if (t.endMs <= nowMs)
            body->addError(QStringLiteral("endTime"), QStringLiteral("must be in the future"));
    }
    if (!body->object().value(QStringLiteral("productId")).isUndefined() && !productExists(t.productId))
        body->addError(QStringLiteral("productId"), QStringLiteral("no such product"));
    if (body->hasErrors()) {
        *problem = body->problem();
        return std::nullopt;
    }
    return t;
}

} // namespace SaleRequest
