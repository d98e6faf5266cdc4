#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace Api {

// A catalog product with its master stock (GET /products, GET /products/{id}).
struct Product
{
    qint64 id = 0;
    QString name;
    QString description;
    qint64 regularPriceCents = 0;
    QString imageUrl;
    qint64 stock = 0;

    // Empty when the object has no productId.
    static std::optional<Product> fromJson(const QJsonObject &object);
};
bool operator==(const Product &a, const Product &b);
inline bool operator!=(const Product &a, const Product &b) { return !(a == b); }

// What the merchant enters to add or edit a product (POST /products, PUT /products/{id}).
struct ProductDraft
{
    QString name;
    QString description;
    qint64 regularPriceCents = 0;
    qint64 stock = 0;
    QString imageUrl; // empty: no picture (and clears it on edit)

    QJsonObject toJson() const;
};

// A product's master stock (GET /stock/{id}).
struct StockLevel
{
    qint64 productId = 0;
    qint64 level = 0;
};

} // namespace Api
