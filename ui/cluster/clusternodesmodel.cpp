#include "clusternodesmodel.h"

#include "clocktext.h"
#include "widgets/statecolors.h"

#include <QLocale>

ClusterNodesModel::ClusterNodesModel(QObject *parent)
    : ColumnTableModel<Api::ClusterNode>(parent)
{
    addColumn({tr("Node"), [](const Api::ClusterNode &n) { return n.id; }});
    addColumn({tr("URL"), [](const Api::ClusterNode &n) { return n.advertiseUrl; }});
    addColumn({tr("State"), &ClusterNodesModel::stateText, {}, false,
               [](const Api::ClusterNode &n) { return stateColor(n); },
               [](const Api::ClusterNode &n) {
                   return n.stoppedAt.isValid() ? tr("Stopped at %1").arg(QLocale().toString(n.stoppedAt.toLocalTime()))
                                                : tr("Started at %1").arg(QLocale().toString(n.startedAt.toLocalTime()));
               }});
    addColumn({tr("Heartbeat"), [this](const Api::ClusterNode &n) { return ClockText::ago(n.heartbeatAt, m_serverTime); },
               [this](const Api::ClusterNode &n) { return n.heartbeatAt.isValid() ? n.heartbeatAt.msecsTo(m_serverTime) : -1; }, true,
               [](const Api::ClusterNode &n) { return n.alive ? QVariant() : QVariant(stateColor(n)); }});
    addColumn({tr("Accepted"), [](const Api::ClusterNode &n) { return QLocale().toString(n.acceptedTotal); },
               [](const Api::ClusterNode &n) { return n.acceptedTotal; }, true});
    addColumn({tr("Rate (units/s)"), [](const Api::ClusterNode &n) { return QLocale().toString(n.purchaseRate, 'f', 1); },
               [](const Api::ClusterNode &n) { return n.purchaseRate; }, true});
}

void ClusterNodesModel::setNodes(const QList<Api::ClusterNode> &nodes, const QDateTime &serverTime)
{
    m_serverTime = serverTime;
    setItems(nodes);
    columnChanged(HeartbeatColumn); // a dead node's heartbeat does not change, its age does
}

QString ClusterNodesModel::stateText(const Api::ClusterNode &node)
{
    if (node.alive)
        return tr("Alive");
    return node.stoppedAt.isValid() ? tr("Stopped") : tr("Dead");
}

QColor ClusterNodesModel::stateColor(const Api::ClusterNode &node)
{
    if (node.alive)
        return StateColors::running();
    return node.stoppedAt.isValid() ? StateColors::finished() : StateColors::failing();
}
