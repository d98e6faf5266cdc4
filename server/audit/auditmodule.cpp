#include "auditmodule.h"

#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "http/databasejob.h"
#include "http/router.h"
#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "telemetry/logger.h"

#include <QJsonArray>
#include <QJsonDocument>

void AuditModule::readAudit(const HttpRequest &request, const Responder &reply) const
{
    bool ok = true;
    const QString saleText = request.query.queryItemValue(QStringLiteral("saleId"));
    const qint64 saleId = saleText.isEmpty() ? 0 : saleText.toLongLong(&ok);
    if (!ok || saleId < 0) {
        reply.send(Problem::badRequest(QStringLiteral("saleId must be a sale id.")));
        return;
    }
    postDatabaseJob(m_server.dbExecutor(), reply, QStringLiteral("audit.read"), QStringLiteral("The audit log could not be read."),
                    [saleId](const QSqlDatabase &db) {
                        const QString sql = QStringLiteral("SELECT audit_id, at, actor_user_id, actor_email, action, sale_id, target, details "
                                                           "FROM audit_log %1 ORDER BY audit_id DESC LIMIT 500")
                                                .arg(saleId ? QStringLiteral("WHERE sale_id = ?") : QString());
                        QSqlQuery q = execOrThrow(db, sql, saleId ? QVariantList{saleId} : QVariantList{});
                        QJsonArray entries;
                        while (q.next()) {
                            entries.append(QJsonObject{{QStringLiteral("auditId"), q.value(0).toLongLong()},
                                                       {QStringLiteral("at"), isoUtc(q.value(1).toLongLong())},
                                                       {QStringLiteral("actorUserId"), q.value(2).toLongLong()},
                                                       {QStringLiteral("actorEmail"), q.value(3).toString()},
                                                       {QStringLiteral("action"), q.value(4).toString()},
                                                       {QStringLiteral("saleId"), q.value(5).isNull() ? QJsonValue() : QJsonValue(q.value(5).toLongLong())},
                                                       {QStringLiteral("target"), q.value(6).toString()},
                                                       {QStringLiteral("details"), QJsonDocument::fromJson(q.value(7).toByteArray()).object()}});
                        }
                        return HttpResponse::json(entries).withHeader("Cache-Control", "no-store");
    });
}
