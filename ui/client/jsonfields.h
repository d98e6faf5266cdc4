#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>

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

inline QString isoUtc(const QDateTime &t)
{
    return t.toUTC().toString(Qt::ISODate); // 2026-12-01T10:00:00Z
}

} // namespace Api::JsonFields
