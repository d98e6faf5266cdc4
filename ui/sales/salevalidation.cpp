#include "salevalidation.h"

#include "client/money.h"

namespace {
constexpr int maxNameLength = 200; // the server keeps names to 200 characters
}

QHash<QString, QString> SaleValidation::check(const Api::SaleDraft &draft, const SaleLimits &limits)
{
    QHash<QString, QString> errors;
    if (draft.productId <= 0)
        errors.insert(QStringLiteral("productId"), tr("Choose a product."));

    const QString name = draft.name.trimmed();
    if (name.isEmpty())
        errors.insert(QStringLiteral("name"), tr("Enter a name for the sale."));
    else if (name.size() > maxNameLength)
        errors.insert(QStringLiteral("name"), tr("The name is too long (at most %1 characters).").arg(maxNameLength));

    if (draft.salePriceCents <= 0)
        errors.insert(QStringLiteral("salePrice"), tr("The sale price must be more than zero."));
    else if (limits.regularPriceCents > 0 && draft.salePriceCents > limits.regularPriceCents)
        errors.insert(QStringLiteral("salePrice"), tr("The sale price must not be above the regular price (%1).")
                                                       .arg(Api::Money::format(limits.regularPriceCents)));

    if (draft.quantity < 1)
        errors.insert(QStringLiteral("quantity"), tr("The quantity must be at least 1."));
    else if (limits.stock && draft.quantity > *limits.stock)
        errors.insert(QStringLiteral("quantity"), tr("Only %1 in stock.").arg(*limits.stock));

    if (draft.perUserLimit < 1)
        errors.insert(QStringLiteral("perUserLimit"), tr("The per-user limit must be at least 1."));
    else if (draft.quantity >= 1 && draft.perUserLimit > draft.quantity)
        errors.insert(QStringLiteral("perUserLimit"), tr("The per-user limit cannot exceed the quantity."));

    if (!draft.startTime.isValid())
        errors.insert(QStringLiteral("startTime"), tr("Enter when the sale starts."));
    if (!draft.endTime.isValid())
        errors.insert(QStringLiteral("endTime"), tr("Enter when the sale ends."));
    else if (draft.startTime.isValid() && draft.endTime <= draft.startTime)
        errors.insert(QStringLiteral("endTime"), tr("The end must be after the start."));
    else if (draft.endTime <= limits.now)
        errors.insert(QStringLiteral("endTime"), tr("The end must be in the future."));
    return errors;
}
