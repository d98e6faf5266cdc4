#include "product.h"

#include "core/timeutil.h"

QJsonObject Product::toJson(qint64 stock) const
{
    return {{QStringLiteral("productId"), id},
            {QStringLiteral("name"), name},
            {QStringLiteral("description"), description},
            {QStringLiteral("regularPrice"), centsToAmount(regularPriceCents)},
            {QStringLiteral("imageUrl"), imageUrl},
            {QStringLiteral("stock"), stock},
            {QStringLiteral("updatedAt"), isoUtc(updatedAtMs)}};
}
