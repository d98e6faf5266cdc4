#include "purchaserequest.h"

#include "http/httprequest.h"
#include "http/jsonbody.h"

bool isValidIdempotencyKey(const QByteArray &key)
{
    if (key.isEmpty() || key.size() > 128)
        return false;
    for (char c : key) {
        if (c < 0x21 || c > 0x7e)
            return false;
    }
    return true;
}

std::optional<PurchaseRequest> PurchaseRequest::read(const HttpRequest &request, int perUserLimit, HttpResponse *problem)
{
    PurchaseRequest p;
    p.idempotencyKey = request.header("idempotency-key");
    if (!isValidIdempotencyKey(p.idempotencyKey)) {
        *problem = HttpResponse::problem(400, QStringLiteral("idempotency-key"), QStringLiteral("Idempotency-Key required"),
                                         QStringLiteral("Send an Idempotency-Key header of 1 to 128 visible ASCII characters; "
                                                        "retries with the same key get the same answer."));
        return std::nullopt;
    }
    auto body = JsonBody::parse(request, problem);
    if (!body)
        return std::nullopt;
    p.quantity = int(body->requiredInteger(QStringLiteral("quantity"), 1, perUserLimit));
    if (body->hasErrors()) {
        *problem = HttpResponse::problem(400, QStringLiteral("bad-quantity"), QStringLiteral("Bad quantity"),
                                         QStringLiteral("quantity must be a whole number from 1 to %1.").arg(perUserLimit),
                                         {{QStringLiteral("errors"), body->errors()}});
        return std::nullopt;
    }
    return p;
}
