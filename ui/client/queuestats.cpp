#include "queuestats.h"

#include "jsonfields.h"

namespace Api {

std::optional<QueueStats> QueueStats::fromJson(const QJsonObject &o)
{
    QueueStats s;
    s.saleId = JsonFields::integer(o, QStringLiteral("saleId"), -1);
    if (s.saleId < 0)
        return std::nullopt;
    s.length = JsonFields::integer(o, QStringLiteral("length"));
    s.waiting = JsonFields::integer(o, QStringLiteral("waiting"));
    s.admitted = JsonFields::integer(o, QStringLiteral("admitted"));
    s.admissionRatePerSecond = o.value(QStringLiteral("admissionRatePerSecond")).toDouble();
    s.paused = o.value(QStringLiteral("paused")).toBool();
    s.required = o.value(QStringLiteral("required")).toBool();
    return s;
}

QJsonObject QueueSettingsChange::toJson() const
{
    QJsonObject o;
    if (admissionRatePerSecond)
        o.insert(QStringLiteral("admissionRatePerSecond"), *admissionRatePerSecond);
    if (paused)
        o.insert(QStringLiteral("paused"), *paused);
    return o;
}

} // namespace Api
