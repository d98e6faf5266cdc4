#pragma once

#include "client/sale.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QHash>
#include <QString>

#include <optional>

// What the console knows when it checks a sale before sending it.
struct SaleLimits
{
    qint64 regularPriceCents = 0;     // 0: unknown
    std::optional<qint64> stock;      // the product's master stock, when known
    QDateTime now = QDateTime::currentDateTimeUtc();
};

// The console's own checks of a sale draft, before the server's.
class SaleValidation
{
    Q_DECLARE_TR_FUNCTIONS(SaleValidation)

public:
    // JSON field name -> what is wrong, in words for the merchant; empty when the
    // draft looks right.
    static QHash<QString, QString> check(const Api::SaleDraft &draft, const SaleLimits &limits);
};
