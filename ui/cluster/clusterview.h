#pragma once

#include "client/clusterstatus.h"

#include <QElapsedTimer>
#include <QHash>
#include <QWidget>

#include <optional>

class ClusterNodesModel;
class ClusterSalesModel;
class Poller;
class QAbstractItemModel;
class QGroupBox;
class QLabel;
class QSettings;
class QSplitter;
class QTableView;
class ServerClient;
class StockLeasesModel;
class TimeSeriesChart;
namespace Api {
struct Error;
}

// The cluster as an administrator watches it (GET /admin/cluster, every second while
// the view is shown): every node, alive or dead, with its heartbeat, what it accepted
// and its rate on a chart; each node's lease of each sale; and each sale's totals over
// the cluster. A single node says so instead of showing empty tables. Requests never
// overlap and never block the GUI thread.
class ClusterView : public QWidget
{
    Q_OBJECT

public:
    explicit ClusterView(ServerClient *client, QWidget *parent = nullptr);

    // Refreshes now (or right after the refresh on its way).
    void refresh();
    int refreshes() const { return m_refreshes; }
    const std::optional<Api::ClusterStatus> &status() const { return m_status; }

    ClusterNodesModel *nodesModel() const { return m_nodesModel; }
    ClusterSalesModel *salesModel() const { return m_salesModel; }
    StockLeasesModel *leasesModel() const { return m_leasesModel; }
    QTableView *nodesTable() const { return m_nodesTable; }
    QTableView *salesTable() const { return m_salesTable; }
    QTableView *leasesTable() const { return m_leasesTable; }
    TimeSeriesChart *rateChart() const { return m_rateChart; }
    QLabel *summary() const { return m_summary; }
    QLabel *problem() const { return m_problem; }
    QLabel *notClusteredNote() const { return m_notClustered; }

    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

Q_SIGNALS:
    // After every answer, good or bad.
    void refreshed();

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;

private:
    void poll();
    void showStatus(const Api::ClusterStatus &status);
    void showProblem(const Api::Error &error);
    void drawRates(const QList<Api::ClusterNode> &nodes);
    QTableView *addTable(QAbstractItemModel *model, int sortRole, const QString &accessibleName, QWidget *parent);

    ServerClient *m_client;
    Poller *m_poller;
    QElapsedTimer m_clock;
    int m_refreshes = 0;
    std::optional<Api::ClusterStatus> m_status;
    QHash<QString, int> m_rateLines; // node id -> its line on the rate chart

    ClusterNodesModel *m_nodesModel;
    ClusterSalesModel *m_salesModel;
    StockLeasesModel *m_leasesModel;
    QLabel *m_summary;
    QLabel *m_problem;
    QLabel *m_notClustered;
    QSplitter *m_splitter;
    QGroupBox *m_nodesGroup;
    QGroupBox *m_leasesGroup;
    QTableView *m_nodesTable;
    QTableView *m_salesTable;
    QTableView *m_leasesTable;
    TimeSeriesChart *m_rateChart;
};
