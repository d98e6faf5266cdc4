#include "productvalidation.h"

#include <QUrl>

namespace {
// The server's limits (catalog module).
constexpr int maxNameLength = 200;
constexpr int maxDescriptionLength = 5000;
constexpr int maxImageUrlLength = 2000;
} // namespace

QHash<QString, QString> ProductValidation::check(const Api::ProductDraft &draft)
{
    QHash<QString, QString> errors;
    const QString name = draft.name.trimmed();
    if (name.isEmpty())
        errors.insert(QStringLiteral("name"), tr("Enter the product's name."));
    else if (name.size() > maxNameLength)
        errors.insert(QStringLiteral("name"), tr("The name is too long (at most %1 characters).").arg(maxNameLength));

    if (draft.description.size() > maxDescriptionLength)
        errors.insert(QStringLiteral("description"),
                      tr("The description is too long (at most %1 characters).").arg(maxDescriptionLength));

    if (draft.regularPriceCents <= 0)
        errors.insert(QStringLiteral("regularPrice"), tr("The regular price must be more than zero."));

    if (draft.stock < 0)
        errors.insert(QStringLiteral("stock"), tr("The stock cannot be negative."));

    if (!draft.imageUrl.isEmpty()) {
        const QUrl url(draft.imageUrl, QUrl::StrictMode);
        const bool web = url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https");
        if (!url.isValid() || !web || url.host().isEmpty())
            errors.insert(QStringLiteral("imageUrl"), tr("Enter a web address (https://…), or leave it empty."));
        else if (draft.imageUrl.size() > maxImageUrlLength)
            errors.insert(QStringLiteral("imageUrl"), tr("The address is too long (at most %1 characters).").arg(maxImageUrlLength));
    }
    return errors;
}
