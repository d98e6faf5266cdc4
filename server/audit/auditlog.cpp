#include "auditlog.h"

#include "http/principal.h"
#include "storage/database.h"

#include <QJsonDocument>

namespace AuditLog {

void record(const QSqlDatabase &db, const Principal &actor, const QString &action, qint64 saleId,
            const QString &target, const QJsonObject &details, qint64 atMs)
{
    execOrThrow(db, QStringLiteral("INSERT INTO audit_log(at, actor_user_id, actor_email, action, sale_id, target, details) "
                                   "VALUES (?, ?, ?, ?, ?, ?, ?)"),
                {atMs, actor.userId, actor.email, action, saleId > 0 ? QVariant(saleId) : QVariant(QMetaType::fromType<qint64>()),
                 target, QString::fromUtf8(QJsonDocument(details).toJson(QJsonDocument::Compact))});
}

} // namespace AuditLog
