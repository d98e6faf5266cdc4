#pragma once

#include <QJsonObject>
#include <QString>

struct Product
{
    qint64 id = 0;
    QString name;
    QString description;
    qint64 regularPriceCents = 0;
    QString imageUrl;
    qint64 updatedAtMs = 0;

    // The public JSON; `stock` is the master stock at the time of the answer.
    QJsonObject toJson(qint64 stock) const;
};
