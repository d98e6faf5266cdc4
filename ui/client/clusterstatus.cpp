#include "clusterstatus.h"

#include "jsonfields.h"

namespace Api {

std::optional<ClusterNode> ClusterNode::fromJson(const QJsonObject &o)
{
    ClusterNode n;
    n.id = o.value(QStringLiteral("nodeId")).toString();
    if (n.id.isEmpty())
        return std::nullopt;
    n.advertiseUrl = o.value(QStringLiteral("advertiseUrl")).toString();
    n.startedAt = JsonFields::dateTime(o, QStringLiteral("startedAt"));
    n.heartbeatAt = JsonFields::dateTime(o, QStringLiteral("heartbeatAt"));
    n.stoppedAt = JsonFields::dateTime(o, QStringLiteral("stoppedAt"));
    n.alive = o.value(QStringLiteral("alive")).toBool();
    n.acceptedTotal = JsonFields::integer(o, QStringLiteral("acceptedTotal"));
    n.purchaseRate = o.value(QStringLiteral("purchaseRate")).toDouble();
    return n;
}

bool operator==(const ClusterNode &a, const ClusterNode &b)
{
    return a.id == b.id && a.advertiseUrl == b.advertiseUrl && a.startedAt == b.startedAt && a.heartbeatAt == b.heartbeatAt
        && a.stoppedAt == b.stoppedAt && a.alive == b.alive && a.acceptedTotal == b.acceptedTotal && a.purchaseRate == b.purchaseRate;
}

StockLease::State StockLease::stateFromString(const QString &state)
{
    if (state == QLatin1String("active"))
        return State::Active;
    if (state == QLatin1String("expired"))
        return State::Expired;
    if (state == QLatin1String("returned"))
        return State::Returned;
    return State::Unknown;
}

std::optional<StockLease> StockLease::fromJson(const QJsonObject &o, qint64 saleId, const QString &saleName)
{
    StockLease l;
    l.nodeId = o.value(QStringLiteral("nodeId")).toString();
    if (l.nodeId.isEmpty())
        return std::nullopt;
    l.saleId = saleId;
    l.saleName = saleName;
    l.id = QStringLiteral("%1/%2").arg(saleId).arg(l.nodeId);
    l.granted = JsonFields::integer(o, QStringLiteral("granted"));
    l.reserved = JsonFields::integer(o, QStringLiteral("reserved"));
    l.held = JsonFields::integer(o, QStringLiteral("held"));
    l.state = stateFromString(o.value(QStringLiteral("state")).toString());
    l.expiresAt = JsonFields::dateTime(o, QStringLiteral("expiresAt"));
    l.leasesTaken = JsonFields::integer(o, QStringLiteral("leasesTaken"));
    return l;
}

bool operator==(const StockLease &a, const StockLease &b)
{
    return a.id == b.id && a.saleName == b.saleName && a.granted == b.granted && a.reserved == b.reserved && a.held == b.held
        && a.state == b.state && a.expiresAt == b.expiresAt && a.leasesTaken == b.leasesTaken;
}

std::optional<ClusterSale> ClusterSale::fromJson(const QJsonObject &o)
{
    ClusterSale s;
    s.id = JsonFields::integer(o, QStringLiteral("saleId"), -1);
    if (s.id < 0)
        return std::nullopt;
    s.name = o.value(QStringLiteral("name")).toString();
    s.status = o.value(QStringLiteral("status")).toString();
    s.allocation = JsonFields::integer(o, QStringLiteral("allocation"));
    s.unleased = JsonFields::integer(o, QStringLiteral("unleased"));
    s.reserved = JsonFields::integer(o, QStringLiteral("reserved"));
    s.remaining = JsonFields::integer(o, QStringLiteral("remaining"));
    const QString name = s.name;
    const qint64 saleId = s.id;
    // A single node may leave the leases out: it holds the whole stock itself.
    if (o.contains(QStringLiteral("leases"))) {
        std::optional<QList<StockLease>> leases = JsonFields::list<StockLease>(o.value(QStringLiteral("leases")), [saleId, name](const QJsonObject &l) {
            return StockLease::fromJson(l, saleId, name);
        });
        if (!leases)
            return std::nullopt;
        s.leases = *leases;
    }
    return s;
}

bool operator==(const ClusterSale &a, const ClusterSale &b)
{
    return a.id == b.id && a.name == b.name && a.status == b.status && a.allocation == b.allocation && a.unleased == b.unleased
        && a.reserved == b.reserved && a.remaining == b.remaining && a.leases == b.leases;
}

QList<StockLease> ClusterStatus::leases() const
{
    QList<StockLease> all;
    for (const ClusterSale &sale : sales)
        all.append(sale.leases);
    return all;
}

std::optional<ClusterStatus> ClusterStatus::fromJson(const QJsonObject &o)
{
    const QJsonValue clustered = o.value(QStringLiteral("clustered"));
    if (!clustered.isBool())
        return std::nullopt;
    ClusterStatus c;
    c.clustered = clustered.toBool();
    c.nodeId = o.value(QStringLiteral("nodeId")).toString();
    c.serverTime = JsonFields::dateTime(o, QStringLiteral("serverTime"));
    std::optional<QList<ClusterNode>> nodes = JsonFields::list<ClusterNode>(o.value(QStringLiteral("nodes")), &ClusterNode::fromJson);
    std::optional<QList<ClusterSale>> sales = JsonFields::list<ClusterSale>(o.value(QStringLiteral("sales")), &ClusterSale::fromJson);
    if (!nodes || !sales)
        return std::nullopt;
    c.nodes = *nodes;
    c.sales = *sales;
    return c;
}

} // namespace Api
