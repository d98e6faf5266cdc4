#pragma once

#include <QJsonObject>
#include <QSqlDatabase>
#include <QString>

struct Principal;

// The operators' audit trail: one row per action, written in the same transaction as
// the change it records, so an action without its audit row cannot happen.
namespace AuditLog {

// Throws DatabaseError. `saleId` 0 means the action is not about one sale.
void record(const QSqlDatabase &db, const Principal &actor, const QString &action, qint64 saleId,
            const QString &target, const QJsonObject &details, qint64 atMs);

} // namespace AuditLog
