#pragma once

#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QList>
#include <QString>

#include <optional>

// Reading and writing the wire formats of the contract: ISO 8601 UTC times with a Z,
// integer ids and counts that JSON carries as numbers.
namespace Api::JsonFields {

inline qint64 integer(const QJsonObject &o, const QString &key, qint64 fallback = 0)
{
    const QJsonValue v = o.value(key);
    return v.isDouble() ? qint64(v.toDouble()) : fallback;
}

inline QDateTime dateTime(const QJsonObject &o, const QString &key)
{
    QDateTime t = QDateTime::fromString(o.value(key).toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toUTC() : QDateTime();
}

// Each element of an array read by `fromJson` (an object in, an optional T out); empty
// when `value` is not an array or any element is not what it should be.
template<typename T, typename Read>
std::optional<QList<T>> list(const QJsonValue &value, Read fromJson)
{
    if (!value.isArray())
        return std::nullopt;
    QList<T> items;
    for (const QJsonValue &v : value.toArray()) {
        std::optional<T> item = fromJson(v.toObject());
        if (!item)
            return std::nullopt;
        items.append(std::move(*item));
    }
    return items;
}

inline QString isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate); // 2026-12-01T10:00:00Z
}

} // namespace Api::JsonFields
