#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace Api {

// One line of the audit log (GET /admin/audit): who did what, when, to which sale.
struct AuditEntry
{
    qint64 id = 0;
    QDateTime at;
    QString actorEmail;
    QString action; // sale.startNow, sale.endEarly, ...
    qint64 saleId = 0;
    QString target;
    QJsonObject details;

    static std::optional<AuditEntry> fromJson(const QJsonObject &object);
};

} // namespace Api
