#include "product.h"

#include "jsonfields.h"
#include "money.h"

namespace Api {

std::optional<Product> Product::fromJson(const QJsonObject &o)
{
    Product p;
    p.id = JsonFields::integer(o, QStringLiteral("productId"), -1);
    if (p.id < 0)
        return std::nullopt;
    p.name = o.value(QStringLiteral("name")).toString();
    p.description = o.value(QStringLiteral("description")).toString();
    p.regularPriceCents = Money::toCents(o.value(QStringLiteral("regularPrice")).toDouble());
    p.imageUrl = o.value(QStringLiteral("imageUrl")).toString();
    p.stock = JsonFields::integer(o, QStringLiteral("stock"));
    return p;
}

bool operator==(const Product &a, const Product &b)
{
    return a.id == b.id && a.name == b.name && a.description == b.description
        && a.regularPriceCents == b.regularPriceCents && a.imageUrl == b.imageUrl && a.stock == b.stock;
}

QJsonObject ProductDraft::toJson() const
{
    return {{QStringLiteral("name"), name},
            {QStringLiteral("description"), description},
            {QStringLiteral("regularPrice"), Money::toAmount(regularPriceCents)},
            {QStringLiteral("stock"), stock},
            {QStringLiteral("imageUrl"), imageUrl}};
}

} // namespace Api
