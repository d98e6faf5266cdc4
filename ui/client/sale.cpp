#include "sale.h"

#include "jsonfields.h"
#include "money.h"

namespace Api {

std::optional<Sale> Sale::fromJson(const QJsonObject &o)
{
    Sale s;
    s.id = JsonFields::integer(o, QStringLiteral("saleId"), -1);
    s.startTime = JsonFields::dateTime(o, QStringLiteral("startTime"));
    s.endTime = JsonFields::dateTime(o, QStringLiteral("endTime"));
    if (s.id < 0 || !s.startTime.isValid() || !s.endTime.isValid())
        return std::nullopt;
    s.name = o.value(QStringLiteral("name")).toString();
    s.productId = JsonFields::integer(o, QStringLiteral("productId"));
    s.productName = o.value(QStringLiteral("productName")).toString();
    s.salePriceCents = Money::toCents(o.value(QStringLiteral("salePrice")).toDouble());
    s.regularPriceCents = Money::toCents(o.value(QStringLiteral("regularPrice")).toDouble());
    s.quantity = JsonFields::integer(o, QStringLiteral("quantity"));
    s.remainingStock = JsonFields::integer(o, QStringLiteral("remainingStock"));
    s.sold = JsonFields::integer(o, QStringLiteral("sold"), s.quantity - s.remainingStock);
    s.perUserLimit = int(JsonFields::integer(o, QStringLiteral("perUserLimit")));
    s.serverTime = JsonFields::dateTime(o, QStringLiteral("serverTime"));
    s.status = statusFromString(o.value(QStringLiteral("status")).toString());
    return s;
}

bool operator==(const Sale &a, const Sale &b)
{
    return a.id == b.id && a.name == b.name && a.productId == b.productId && a.productName == b.productName
        && a.salePriceCents == b.salePriceCents && a.regularPriceCents == b.regularPriceCents && a.quantity == b.quantity
        && a.remainingStock == b.remainingStock && a.sold == b.sold && a.perUserLimit == b.perUserLimit
        && a.startTime == b.startTime && a.endTime == b.endTime && a.serverTime == b.serverTime && a.status == b.status;
}

Sale::Status Sale::statusFromString(const QString &status)
{
    if (status == QLatin1String("Scheduled"))
        return Status::Scheduled;
    if (status == QLatin1String("Active"))
        return Status::Active;
    if (status == QLatin1String("SoldOut"))
        return Status::SoldOut;
    if (status == QLatin1String("Ended"))
        return Status::Ended;
    return Status::Unknown;
}

QJsonObject SaleDraft::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("productId"), productId},
            {QStringLiteral("salePrice"), Money::toAmount(salePriceCents)},
            {QStringLiteral("quantity"), quantity},
            {QStringLiteral("perUserLimit"), perUserLimit},
            {QStringLiteral("startTime"), JsonFields::isoUtc(startTime)},
            {QStringLiteral("endTime"), JsonFields::isoUtc(endTime)}};
}

} // namespace Api
