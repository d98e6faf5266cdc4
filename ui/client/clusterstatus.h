#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace Api {

// One node of a cluster as GET /admin/cluster describes it.
struct ClusterNode
{
    QString id; // "nodeId" on the wire
    QString advertiseUrl;
    QDateTime startedAt;
    QDateTime heartbeatAt;
    QDateTime stoppedAt; // invalid while the node runs
    bool alive = false;
    qint64 acceptedTotal = 0;
    double purchaseRate = 0; // units per second the node accepted recently

    static std::optional<ClusterNode> fromJson(const QJsonObject &object);
};
bool operator==(const ClusterNode &a, const ClusterNode &b);

// The stock one node holds of one sale: granted by its leases, reserved (sold) from them,
// and held (granted, not yet sold).
struct StockLease
{
    enum class State { Unknown, Active, Expired, Returned };

    QString id; // "<saleId>/<nodeId>": one lease row per sale and node
    qint64 saleId = 0;
    QString saleName;
    QString nodeId;
    qint64 granted = 0;
    qint64 reserved = 0;
    qint64 held = 0;
    State state = State::Unknown;
    QDateTime expiresAt;
    qint64 leasesTaken = 0;

    static std::optional<StockLease> fromJson(const QJsonObject &object, qint64 saleId, const QString &saleName);
    static State stateFromString(const QString &state);
};
bool operator==(const StockLease &a, const StockLease &b);

// A sale's stock over the whole cluster: remaining = unleased + what active leases hold.
struct ClusterSale
{
    qint64 id = 0; // "saleId" on the wire
    QString name;
    QString status; // as the server says it: Scheduled, Active, SoldOut, Ended
    qint64 allocation = 0;
    qint64 unleased = 0;
    qint64 reserved = 0;
    qint64 remaining = 0;
    QList<StockLease> leases;

    static std::optional<ClusterSale> fromJson(const QJsonObject &object);
};
bool operator==(const ClusterSale &a, const ClusterSale &b);

// GET /admin/cluster: any node answers for the whole cluster. A single node answers
// clustered = false, no nodes, and its sales with unleased = remaining.
struct ClusterStatus
{
    bool clustered = false;
    QString nodeId; // the node that answered
    QDateTime serverTime;
    QList<ClusterNode> nodes;
    QList<ClusterSale> sales;

    // Every lease of every sale, for one table.
    QList<StockLease> leases() const;

    static std::optional<ClusterStatus> fromJson(const QJsonObject &object);
};

} // namespace Api
