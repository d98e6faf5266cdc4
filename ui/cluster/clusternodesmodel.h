#pragma once

#include "client/clusterstatus.h"
#include "common/columntablemodel.h"

#include <QColor>

// The nodes of the cluster, one row each: id, URL, alive or dead (coloured), how long
// ago it last renewed its leases, what it has accepted and its recent rate.
class ClusterNodesModel : public ColumnTableModel<Api::ClusterNode>
{
    Q_OBJECT

public:
    enum ColumnIndex { NodeColumn, UrlColumn, StateColumn, HeartbeatColumn, AcceptedColumn, RateColumn };

    explicit ClusterNodesModel(QObject *parent = nullptr);

    // The nodes, with the server's clock when it answered (heartbeat ages are read on it).
    void setNodes(const QList<Api::ClusterNode> &nodes, const QDateTime &serverTime);

    static QString stateText(const Api::ClusterNode &node);
    static QColor stateColor(const Api::ClusterNode &node);

private:
    QDateTime m_serverTime;
};
