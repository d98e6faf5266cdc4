#include "clusterview.h"

#include "client/poller.h"
#include "client/serverclient.h"
#include "clusternodesmodel.h"
#include "clustersalesmodel.h"
#include "common/readonlytable.h"
#include "dashboard/timeserieschart.h"
#include "stockleasesmodel.h"
#include "widgets/errorstyle.h"

#include <QGroupBox>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

#include <limits>

using namespace std::chrono_literals;

namespace {
const QString splitterKey = QStringLiteral("cluster/splitter");
const QString nodesHeaderKey = QStringLiteral("cluster/nodesHeader");
const QString salesHeaderKey = QStringLiteral("cluster/salesHeader");
const QString leasesHeaderKey = QStringLiteral("cluster/leasesHeader");

QGroupBox *groupOf(const QString &title, QWidget *content, QWidget *parent)
{
    auto *group = new QGroupBox(title, parent);
    auto *layout = new QVBoxLayout(group);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(content);
    return group;
}
} // namespace

ClusterView::ClusterView(ServerClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_poller(new Poller(1s, [this] { poll(); }, this))
    , m_nodesModel(new ClusterNodesModel(this))
    , m_salesModel(new ClusterSalesModel(this))
    , m_leasesModel(new StockLeasesModel(this))
    , m_summary(new QLabel(this))
    , m_problem(new QLabel(this))
    , m_notClustered(new QLabel(tr("Not clustered: this server sells the whole stock itself."), this))
    , m_splitter(new QSplitter(Qt::Vertical, this))
{
    m_summary->setAccessibleName(tr("Cluster summary"));
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    ErrorStyle::apply(m_problem);
    m_problem->setAccessibleName(tr("Cluster problem"));
    m_problem->hide();
    m_notClustered->setObjectName(QStringLiteral("notClustered"));
    m_notClustered->setAccessibleName(m_notClustered->text());
    m_notClustered->setWordWrap(true);
    m_notClustered->hide();

    auto *nodesAndRates = new QSplitter(Qt::Horizontal);
    m_nodesTable = addTable(m_nodesModel, ClusterNodesModel::SortRole, tr("Cluster nodes"), nodesAndRates);
    m_rateChart = new TimeSeriesChart(tr("Purchases per second by node"), {}, tr("units/s"), nodesAndRates);
    m_rateChart->setObjectName(QStringLiteral("nodeRateChart"));
    nodesAndRates->addWidget(m_nodesTable);
    nodesAndRates->addWidget(m_rateChart);
    nodesAndRates->setStretchFactor(0, 3);
    nodesAndRates->setStretchFactor(1, 2);
    m_nodesGroup = groupOf(tr("Nodes"), nodesAndRates, m_splitter);

    m_salesTable = addTable(m_salesModel, ClusterSalesModel::SortRole, tr("Sales over the cluster"), nullptr);
    m_leasesTable = addTable(m_leasesModel, StockLeasesModel::SortRole, tr("Stock leases"), nullptr);
    m_leasesTable->sortByColumn(StockLeasesModel::SaleColumn, Qt::AscendingOrder);
    m_leasesGroup = groupOf(tr("Stock leases by node"), m_leasesTable, m_splitter);

    m_splitter->addWidget(m_nodesGroup);
    m_splitter->addWidget(groupOf(tr("Sales over the cluster"), m_salesTable, m_splitter));
    m_splitter->addWidget(m_leasesGroup);
    m_splitter->setChildrenCollapsible(false);
    m_splitter->setStretchFactor(0, 3); // nodes and their rates
    m_splitter->setStretchFactor(1, 1); // a sale or two
    m_splitter->setStretchFactor(2, 3); // a lease per node and sale

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_problem);
    layout->addWidget(m_notClustered);
    layout->addWidget(m_splitter, 1);
    m_clock.start();
}

QTableView *ClusterView::addTable(QAbstractItemModel *model, int sortRole, const QString &accessibleName, QWidget *parent)
{
    auto *proxy = new QSortFilterProxyModel(this);
    proxy->setSourceModel(model);
    proxy->setSortRole(sortRole);
    proxy->setSortCaseSensitivity(Qt::CaseInsensitive);
    auto *table = new QTableView(parent);
    table->setModel(proxy);
    ReadOnlyTable::configure(table);
    table->sortByColumn(0, Qt::AscendingOrder);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    table->setAccessibleName(accessibleName);
    return table;
}

void ClusterView::refresh()
{
    m_poller->pollNow();
}

void ClusterView::poll()
{
    m_client->getClusterStatus(this, [this](const Api::Result<Api::ClusterStatus> &result) {
        m_poller->finished();
        ++m_refreshes;
        if (result.ok())
            showStatus(result.value());
        else
            showProblem(result.error());
        Q_EMIT refreshed();
    });
}

void ClusterView::showStatus(const Api::ClusterStatus &status)
{
    m_status = status;
    m_problem->hide();
    m_notClustered->setVisible(!status.clustered);
    m_nodesGroup->setVisible(status.clustered);
    m_leasesGroup->setVisible(status.clustered);

    m_nodesModel->setNodes(status.nodes, status.serverTime);
    m_salesModel->setItems(status.sales);
    m_leasesModel->setLeases(status.leases(), status.serverTime);
    if (status.clustered)
        drawRates(status.nodes);

    const QString time = QLocale().toString(status.serverTime.toLocalTime().time(), QLocale::LongFormat);
    const QString sales = tr("%n sale(s)", nullptr, int(status.sales.size()));
    if (!status.clustered) {
        m_summary->setText(tr("Single node · %1 · server time %2").arg(sales, time));
        return;
    }
    int alive = 0;
    for (const Api::ClusterNode &node : status.nodes)
        alive += node.alive ? 1 : 0;
    m_summary->setText(tr("Answered by %1 · %2 of %3 nodes alive · %4 · server time %5")
                           .arg(status.nodeId)
                           .arg(alive)
                           .arg(status.nodes.size())
                           .arg(sales, time));
}

void ClusterView::showProblem(const Api::Error &error)
{
    QString text;
    if (error.status == 401 || error.status == 403)
        text = tr("Sign in as an administrator to see the cluster.");
    else if (error.status == 404)
        text = tr("This server does not report on a cluster (it has no GET /admin/cluster).");
    else
        text = tr("The cluster could not be read: %1").arg(error.message());
    if (m_status)
        text += QLatin1Char(' ') + tr("The tables show the last answer.");
    m_problem->setText(text);
    m_problem->show();
}

void ClusterView::drawRates(const QList<Api::ClusterNode> &nodes)
{
    QList<double> rates(m_rateChart->lineCount(), std::numeric_limits<double>::quiet_NaN());
    for (const Api::ClusterNode &node : nodes) {
        auto line = m_rateLines.constFind(node.id);
        if (line == m_rateLines.constEnd()) {
            line = m_rateLines.insert(node.id, m_rateChart->addLine(node.id));
            rates.append(std::numeric_limits<double>::quiet_NaN());
        }
        rates[*line] = node.purchaseRate;
    }
    m_rateChart->append(double(m_clock.elapsed()) / 1000.0, rates);
}

void ClusterView::saveState(QSettings &settings) const
{
    settings.setValue(splitterKey, m_splitter->saveState());
    settings.setValue(nodesHeaderKey, m_nodesTable->horizontalHeader()->saveState());
    settings.setValue(salesHeaderKey, m_salesTable->horizontalHeader()->saveState());
    settings.setValue(leasesHeaderKey, m_leasesTable->horizontalHeader()->saveState());
}

void ClusterView::restoreState(const QSettings &settings)
{
    m_splitter->restoreState(settings.value(splitterKey).toByteArray());
    m_nodesTable->horizontalHeader()->restoreState(settings.value(nodesHeaderKey).toByteArray());
    m_salesTable->horizontalHeader()->restoreState(settings.value(salesHeaderKey).toByteArray());
    m_leasesTable->horizontalHeader()->restoreState(settings.value(leasesHeaderKey).toByteArray());
}

void ClusterView::showEvent(QShowEvent *event)
{
    QWidget::showEvent(event);
    m_poller->start();
}

void ClusterView::hideEvent(QHideEvent *event)
{
    QWidget::hideEvent(event);
    m_poller->stop();
}
