#include "auditentry.h"

#include "jsonfields.h"

namespace Api {

std::optional<AuditEntry> AuditEntry::fromJson(const QJsonObject &o)
{
    AuditEntry e;
    e.id = JsonFields::integer(o, QStringLiteral("auditId"), -1);
    if (e.id < 0)
        return std::nullopt;
    e.at = JsonFields::dateTime(o, QStringLiteral("at"));
    e.actorEmail = o.value(QStringLiteral("actorEmail")).toString();
    e.action = o.value(QStringLiteral("action")).toString();
    e.saleId = JsonFields::integer(o, QStringLiteral("saleId"));
    e.target = o.value(QStringLiteral("target")).toString();
    e.details = o.value(QStringLiteral("details")).toObject();
    return e;
}

} // namespace Api
