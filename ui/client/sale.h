#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Api {

// A flash sale as the server describes it (GET /sales, GET /sales/{id}).
struct Sale
{
    enum class Status { Unknown, Scheduled, Active, SoldOut, Ended };

    qint64 id = 0;
    QString name;
    qint64 productId = 0;
    QString productName;
    qint64 salePriceCents = 0;
    qint64 regularPriceCents = 0;
    qint64 quantity = 0;
    qint64 remainingStock = 0;
    qint64 sold = 0;
    int perUserLimit = 0;
    QDateTime startTime; // UTC
    QDateTime endTime;   // UTC
    QDateTime serverTime; // the server's clock when it answered
    Status status = Status::Unknown;

    // Empty when the object lacks what every sale has (saleId, times).
    static std::optional<Sale> fromJson(const QJsonObject &object);
    static Status statusFromString(const QString &status);
};
bool operator==(const Sale &a, const Sale &b);
inline bool operator!=(const Sale &a, const Sale &b) { return !(a == b); }

// What the merchant asks for when scheduling a sale (POST /sales).
struct SaleDraft
{
    QString name;
    qint64 productId = 0;
    qint64 salePriceCents = 0;
    qint64 quantity = 0;
    int perUserLimit = 1;
    QDateTime startTime;
    QDateTime endTime;

    QJsonObject toJson() const;
};

} // namespace Api
