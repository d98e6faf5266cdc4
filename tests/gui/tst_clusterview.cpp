// The console's cluster view (Ctrl+3) against real servers: first one node in this
// process, which says it is not clustered and shows its sales' totals; then three
// headless nodes on one PostgreSQL (ClusterFixture's child processes), where the view shows every node,
// each node's lease and rate, and the sale's totals, then a node killed with SIGKILL
// turning red and its lease coming back, a node stopped cleanly turning grey, and both
// alive again once restarted.
// Screenshots go to testOutputDir().
#include "client/httpserverclient.h"
#include "cluster/clusternodesmodel.h"
#include "cluster/clustersalesmodel.h"
#include "cluster/clusterview.h"
#include "cluster/stockleasesmodel.h"
#include "dashboard/timeserieschart.h"
#include "mainwindow/mainwindow.h"
#include "widgets/statecolors.h"

#include "clusterfixture.h"
#include "concurrentclient.h"
#include "guisteps.h"
#include "httpclient.h"
#include "salefixture.h"
#include "testserver.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineSeries>
#include <QTabWidget>
#include <QTableView>
#include <QtTest>

#include <array>
#include <memory>

namespace {

constexpr int singleNodeQuantity = 40;
constexpr int clusterQuantity = 300;
constexpr int nodeCount = 3;
// Shoppers who buy one unit each on node-1, node-2 and node-3.
constexpr std::array<int, nodeCount> buyersPerNode = {12, 7, 5};

double maxY(const QLineSeries *series)
{
    double top = 0;
    for (const QPointF &p : series->points())
        top = std::max(top, p.y());
    return top;
}

QString cellText(const QAbstractItemModel *model, int row, int column)
{
    return model->index(row, column).data().toString();
}

// Purchases of one unit each by `tokens` on the server at `port`; the number accepted.
int buyOneEach(quint16 port, qint64 saleId, const QList<QByteArray> &tokens, const QByteArray &keyPrefix)
{
    QList<RawRequest> purchases;
    for (int i = 0; i < tokens.size(); ++i)
        purchases.append(SaleFixture::purchase(saleId, tokens.at(i), keyPrefix + QByteArray::number(i), 1));
    ConcurrentClient crowd(QHostAddress::LocalHost, port, int(tokens.size()));
    int accepted = 0;
    for (const RawResponse &r : crowd.run(purchases))
        accepted += r.status == 202 ? 1 : 0;
    return accepted;
}

} // namespace

class TestClusterView : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        GuiSteps::isolateSettings(m_settingsDir.path(), QStringLiteral("tst_clusterview"));
        SaleFixture::provideAdminFromEnvironment();
    }

    void readsTheDocumentedAnswer()
    {
        // The example of the contract, with ' for " to keep it readable.
        QByteArray body = "{'clustered': true, 'nodeId': 'node-1', 'serverTime': '2026-12-01T10:00:10.000Z', 'nodes': "
                          "[{'nodeId': 'node-1', 'advertiseUrl': 'http://127.0.0.1:8081', 'startedAt': '2026-12-01T09:00:00Z', "
                          "'heartbeatAt': '2026-12-01T10:00:09.800Z', 'alive': true, 'stoppedAt': null, 'acceptedTotal': 123, "
                          "'purchaseRate': 45.5}, {'nodeId': 'node-2', 'advertiseUrl': '', 'startedAt': '2026-12-01T09:00:00Z', "
                          "'heartbeatAt': '2026-12-01T09:59:00Z', 'alive': false, 'stoppedAt': '2026-12-01T09:59:00Z', "
                          "'acceptedTotal': 7, 'purchaseRate': 0}], 'sales': [{'saleId': 1, 'name': 'Phones', 'status': "
                          "'Active', 'allocation': 300, 'unleased': 40, 'reserved': 250, 'remaining': 50, 'leases': [{'nodeId': "
                          "'node-1', 'granted': 120, 'reserved': 110, 'held': 10, 'state': 'active', 'expiresAt': "
                          "'2026-12-01T10:00:19Z', 'leasesTaken': 7}, {'nodeId': 'node-2', 'granted': 140, 'reserved': 140, "
                          "'held': 0, 'state': 'returned', 'expiresAt': '2026-12-01T09:59:00Z', 'leasesTaken': 3}]}]}";
        body.replace('\'', '"');
        const std::optional<Api::ClusterStatus> status = Api::ClusterStatus::fromJson(QJsonDocument::fromJson(body).object());
        QVERIFY(status.has_value());
        QVERIFY(status->clustered);
        QCOMPARE(status->nodes.size(), 2);
        QVERIFY(!status->nodes.at(0).stoppedAt.isValid());
        QVERIFY(status->nodes.at(1).stoppedAt.isValid());
        QCOMPARE(status->nodes.at(0).purchaseRate, 45.5);
        QCOMPARE(status->leases().size(), 2);
        QCOMPARE(status->leases().at(1).id, QStringLiteral("1/node-2"));
        QCOMPARE(status->leases().at(1).state, Api::StockLease::State::Returned);

        ClusterNodesModel nodes;
        nodes.setNodes(status->nodes, status->serverTime);
        QCOMPARE(cellText(&nodes, 0, ClusterNodesModel::HeartbeatColumn), QStringLiteral("%1 s ago").arg(QLocale().toString(0.2, 'f', 1)));
        QCOMPARE(cellText(&nodes, 1, ClusterNodesModel::StateColumn), QStringLiteral("Stopped"));
        StockLeasesModel leases;
        leases.setLeases(status->leases(), status->serverTime);
        QCOMPARE(cellText(&leases, 0, StockLeasesModel::ExpiresColumn), QStringLiteral("in %1 s").arg(QLocale().toString(9.0, 'f', 1)));
        QCOMPARE(cellText(&leases, 0, StockLeasesModel::HeldColumn), QStringLiteral("10"));

        // Anything but the contract is refused as a whole.
        QVERIFY(!Api::ClusterStatus::fromJson(QJsonObject{{QStringLiteral("nodes"), QJsonArray()}}).has_value());
        QVERIFY(!Api::ClusterStatus::fromJson(QJsonObject{{QStringLiteral("clustered"), true}, {QStringLiteral("nodes"), QJsonArray{1}},
                                                          {QStringLiteral("sales"), QJsonArray()}})
                     .has_value());
    }

    void singleNodeSaysItIsNotClustered()
    {
        TestServer server;
        QVERIFY2(server.start(), qPrintable(server.error()));
        HttpClient http(server.baseUrl());
        http.setBearer(SaleFixture::adminToken(http));
        const qint64 productId = SaleFixture::createProduct(http, 1000);
        const qint64 saleId = SaleFixture::scheduleSale(http, productId, singleNodeQuantity, 2).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(saleId > 0);
        ConcurrentClient setup(QHostAddress::LocalHost, server.baseUrl().port(), 4);
        const QList<QByteArray> shoppers = SaleFixture::registerShoppers(setup, 3, QStringLiteral("single"));
        QCOMPARE(buyOneEach(server.baseUrl().port(), saleId, shoppers, "single-"), 3);

        HttpServerClient client(server.baseUrl());
        MainWindow window(&client);
        window.show();
        QVERIFY(QTest::qWaitForWindowActive(&window));
        QTest::keySequence(&window, QKeySequence(QStringLiteral("Ctrl+3")));
        ClusterView *view = window.clusterView();
        QCOMPARE(window.findChild<QTabWidget *>()->currentWidget(), view);

        // Not signed in: the view says what it needs rather than showing empty tables.
        QTRY_VERIFY(view->problem()->isVisible());
        QVERIFY2(view->problem()->text().contains(QStringLiteral("Sign in as an administrator")), qPrintable(view->problem()->text()));

        signIn(client);
        view->refresh();
        QTRY_VERIFY(view->status().has_value());
        QVERIFY(!view->status()->clustered);
        QVERIFY(!view->problem()->isVisible());
        QVERIFY(view->notClusteredNote()->isVisible());
        QCOMPARE(view->notClusteredNote()->text(), QStringLiteral("Not clustered: this server sells the whole stock itself."));
        QVERIFY(!view->nodesTable()->isVisible());
        QVERIFY(!view->leasesTable()->isVisible());
        QVERIFY(!view->rateChart()->isVisible());

        // The sale's totals: on a single node nothing is leased, so unleased = remaining.
        ClusterSalesModel *sales = view->salesModel();
        QCOMPARE(sales->rowCount(), 1);
        const Api::ClusterSale &sale = sales->item(0);
        QCOMPARE(sale.id, saleId);
        QCOMPARE(sale.allocation, qint64(singleNodeQuantity));
        QCOMPARE(sale.reserved, qint64(3));
        QCOMPARE(sale.remaining, qint64(singleNodeQuantity - 3));
        QCOMPARE(sale.unleased, sale.remaining);
        QCOMPARE(cellText(sales, 0, ClusterSalesModel::RemainingColumn), QLocale().toString(singleNodeQuantity - 3));
        QVERIFY(view->summary()->text().startsWith(QStringLiteral("Single node")));

        int checked = 0;
        const QStringList unnamed = GuiSteps::unnamedControls(view, &checked);
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
        QVERIFY2(checked >= 1, qPrintable(QString::number(checked))); // the sales table
        QVERIFY(GuiSteps::saveScreenshot(&window, QStringLiteral("cluster-single-node.png")));
    }

    void clusterShowsEveryNodeItsLeaseAndItsRate()
    {
        m_cluster = std::make_unique<ClusterFixture>(nodeCount, ClusterFixture::defaultIni());
        QString error;
        QVERIFY2(m_cluster->start(&error), qPrintable(error));

        HttpClient http(nodeUrl(0));
        http.setBearer(SaleFixture::adminToken(http));
        const qint64 productId = SaleFixture::createProduct(http, 1000);
        m_saleId = SaleFixture::scheduleSale(http, productId, clusterQuantity, 2).value(QStringLiteral("saleId")).toInteger();
        QVERIFY(m_saleId > 0);
        // Shoppers on every node (the other nodes learn the sale at their next heartbeat);
        // those of node-2 and node-3 buy now, node-1's while the console watches.
        std::array<QList<QByteArray>, nodeCount> shoppers;
        int buyers = 0;
        for (int i = 0; i < nodeCount; ++i) {
            HttpClient node(nodeUrl(i));
            QTRY_COMPARE(node.get(QStringLiteral("/sales/%1").arg(m_saleId)).status, 200);
            ConcurrentClient setup(QHostAddress::LocalHost, m_cluster->nodePort(i), 4);
            shoppers[size_t(i)] = SaleFixture::registerShoppers(setup, buyersPerNode[size_t(i)], QStringLiteral("node%1").arg(i + 1));
            if (i > 0)
                QCOMPARE(buyOneEach(m_cluster->nodePort(i), m_saleId, shoppers[size_t(i)], "node" + QByteArray::number(i + 1) + "-"),
                         buyersPerNode[size_t(i)]);
            buyers += buyersPerNode[size_t(i)];
        }

        m_client = std::make_unique<HttpServerClient>(nodeUrl(0));
        signIn(*m_client);
        m_window = std::make_unique<MainWindow>(m_client.get());
        m_window->resize(1280, 860);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keySequence(m_window.get(), QKeySequence(QStringLiteral("Ctrl+3")));
        ClusterView *view = m_window->clusterView();
        QTRY_VERIFY(view->status().has_value());
        QVERIFY(view->status()->clustered);
        QCOMPARE(view->status()->nodeId, QStringLiteral("node-1"));
        QCOMPARE(buyOneEach(m_cluster->nodePort(0), m_saleId, shoppers[0], "node1-"), buyersPerNode[0]);
        QVERIFY(!view->notClusteredNote()->isVisible());
        QVERIFY(view->nodesTable()->isVisible());
        QVERIFY(view->leasesTable()->isVisible());

        // Every node, alive, with its URL.
        ClusterNodesModel *nodes = view->nodesModel();
        QTRY_COMPARE(nodes->rowCount(), nodeCount);
        for (int i = 0; i < nodeCount; ++i) {
            const int row = nodes->rowOf(nodeId(i));
            QVERIFY2(row >= 0, qPrintable(nodeId(i)));
            QTRY_VERIFY(nodes->item(row).alive);
            QCOMPARE(nodes->item(row).advertiseUrl, nodeUrl(i).toString());
            QCOMPARE(cellText(nodes, row, ClusterNodesModel::StateColumn), QStringLiteral("Alive"));
            QCOMPARE(nodes->index(row, ClusterNodesModel::StateColumn).data(Qt::ForegroundRole).value<QColor>(), StateColors::running());
            QVERIFY(cellText(nodes, row, ClusterNodesModel::HeartbeatColumn).endsWith(QStringLiteral("s ago")));
        }

        // Each node's lease: what it sold from it is what it accepted; it holds the rest.
        StockLeasesModel *leases = view->leasesModel();
        for (int i = 0; i < nodeCount; ++i) {
            const QString id = QStringLiteral("%1/%2").arg(m_saleId).arg(nodeId(i));
            QTRY_VERIFY2(leases->rowOf(id) >= 0, qPrintable(id));
            QTRY_COMPARE(leases->item(leases->rowOf(id)).reserved, qint64(buyersPerNode[size_t(i)]));
            const Api::StockLease lease = leases->item(leases->rowOf(id));
            QCOMPARE(lease.state, Api::StockLease::State::Active);
            QCOMPARE(lease.held, lease.granted - lease.reserved);
            QVERIFY(lease.leasesTaken >= 1);
            QVERIFY(lease.expiresAt > view->status()->serverTime);
        }

        // What each node accepted, as the server counts it, in the locale's digits.
        for (int i = 0; i < nodeCount; ++i) {
            const int row = nodes->rowOf(nodeId(i));
            QCOMPARE(cellText(nodes, row, ClusterNodesModel::AcceptedColumn), QLocale().toString(nodes->item(row).acceptedTotal));
        }

        // The sale's totals add up: nothing lost, nothing sold twice.
        ClusterSalesModel *sales = view->salesModel();
        QTRY_COMPARE(sales->rowCount(), 1);
        QTRY_VERIFY(totalsAddUp(sales->item(0)));
        QCOMPARE(sales->item(0).allocation, qint64(clusterQuantity));
        QCOMPARE(sales->item(0).reserved, qint64(buyers));
        QCOMPARE(sales->item(0).remaining, qint64(clusterQuantity - buyers));

        // One line per node on the rate chart; node-1's shows the purchases made while the
        // console watched (a node's rate fades within seconds after its last sale).
        QTRY_COMPARE(view->rateChart()->lineCount(), nodeCount);
        QTRY_VERIFY(view->rateChart()->pointCount() >= 2 * nodeCount);
        QCOMPARE(view->rateChart()->line(0)->name(), nodeId(0));
        QTRY_VERIFY_WITH_TIMEOUT(maxY(view->rateChart()->line(0)) > 0, 10000);

        int checked = 0;
        const QStringList unnamed = GuiSteps::unnamedControls(view, &checked);
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
        QVERIFY2(checked >= 4, qPrintable(QString::number(checked))); // three tables and the chart
        QVERIFY(GuiSteps::saveScreenshot(m_window.get(), QStringLiteral("cluster-three-nodes.png")));
    }

    void aKilledNodeTurnsRedAndItsLeaseComesBack()
    {
        QVERIFY(m_window);
        ClusterView *view = m_window->clusterView();
        m_cluster->node(2).kill(); // SIGKILL: no goodbye, the heartbeat just stops
        ClusterNodesModel *nodes = view->nodesModel();
        const int row = nodes->rowOf(nodeId(2));
        QTRY_VERIFY_WITH_TIMEOUT(!nodes->item(row).alive, 15000);
        QCOMPARE(cellText(nodes, row, ClusterNodesModel::StateColumn), QStringLiteral("Dead"));
        QCOMPARE(nodes->index(row, ClusterNodesModel::StateColumn).data(Qt::ForegroundRole).value<QColor>(), StateColors::failing());
        QVERIFY(!nodes->item(row).stoppedAt.isValid());

        // Its lease expires and what it held goes back to the pool; what it sold stays sold.
        StockLeasesModel *leases = view->leasesModel();
        const QString id = QStringLiteral("%1/%2").arg(m_saleId).arg(nodeId(2));
        QTRY_VERIFY_WITH_TIMEOUT(leases->item(leases->rowOf(id)).state == Api::StockLease::State::Expired, 15000);
        QCOMPARE(leases->item(leases->rowOf(id)).held, qint64(0));
        QCOMPARE(leases->item(leases->rowOf(id)).reserved, qint64(buyersPerNode[2]));
        QTRY_VERIFY(totalsAddUp(view->salesModel()->item(0)));
        QCOMPARE(view->salesModel()->item(0).remaining, qint64(clusterQuantity - buyersPerNode[0] - buyersPerNode[1] - buyersPerNode[2]));
        QTest::qWait(1100); // one more refresh, for the screenshot
        QVERIFY(GuiSteps::saveScreenshot(m_window.get(), QStringLiteral("cluster-node-killed.png")));
    }

    void aStoppedNodeTurnsGreyAndHandsItsLeaseBack()
    {
        QVERIFY(m_window);
        ClusterView *view = m_window->clusterView();
        m_cluster->node(1).terminate(); // SIGTERM: a clean stop
        ClusterNodesModel *nodes = view->nodesModel();
        const int row = nodes->rowOf(nodeId(1));
        QTRY_VERIFY_WITH_TIMEOUT(nodes->item(row).stoppedAt.isValid(), 15000);
        QCOMPARE(cellText(nodes, row, ClusterNodesModel::StateColumn), QStringLiteral("Stopped"));
        QCOMPARE(nodes->index(row, ClusterNodesModel::StateColumn).data(Qt::ForegroundRole).value<QColor>(), StateColors::finished());
        StockLeasesModel *leases = view->leasesModel();
        const QString id = QStringLiteral("%1/%2").arg(m_saleId).arg(nodeId(1));
        QTRY_VERIFY(leases->item(leases->rowOf(id)).state == Api::StockLease::State::Returned);
        QCOMPARE(leases->item(leases->rowOf(id)).held, qint64(0));
        QTRY_VERIFY(totalsAddUp(view->salesModel()->item(0)));
        QTRY_VERIFY2(view->summary()->text().contains(QStringLiteral("1 of 3 nodes alive")), qPrintable(view->summary()->text()));
    }

    void restartedNodesAreAliveAgain()
    {
        QVERIFY(m_window);
        ClusterView *view = m_window->clusterView();
        QString error;
        for (int i : {1, 2})
            QVERIFY2(restartNode(i, &error), qPrintable(error));
        ClusterNodesModel *nodes = view->nodesModel();
        for (int i = 0; i < nodeCount; ++i)
            QTRY_VERIFY_WITH_TIMEOUT(nodes->item(nodes->rowOf(nodeId(i))).alive, 10000);
        QTRY_VERIFY2(view->summary()->text().contains(QStringLiteral("3 of 3 nodes alive")), qPrintable(view->summary()->text()));
        QTRY_VERIFY(totalsAddUp(view->salesModel()->item(0)));
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_client.reset();
        m_cluster.reset();
    }

private:
    QString nodeId(int index) const { return m_cluster->nodeId(index); }
    QUrl nodeUrl(int index) const { return QUrl(QStringLiteral("http://127.0.0.1:%1").arg(m_cluster->nodePort(index))); }

    // remaining = unleased + what the active leases hold; reserved = what the leases sold.
    static bool totalsAddUp(const Api::ClusterSale &sale)
    {
        qint64 held = 0;
        qint64 reserved = 0;
        for (const Api::StockLease &lease : sale.leases) {
            held += lease.state == Api::StockLease::State::Active ? lease.held : 0;
            reserved += lease.reserved;
        }
        return sale.remaining == sale.unleased + held && sale.reserved == reserved && sale.remaining + sale.reserved == sale.allocation;
    }

    // Starts node `index` again as ClusterFixture started it: same port, id, data folder
    // (and so the same keys) and settings.
    bool restartNode(int index, QString *error)
    {
        const QString ini = m_configDir.filePath(QStringLiteral("node-%1.ini").arg(index + 1));
        QFile file(ini);
        if (!file.open(QIODevice::WriteOnly)) {
            *error = file.errorString();
            return false;
        }
        file.write(ClusterFixture::defaultIni()
                   + QStringLiteral("\n[cluster]\nadvertiseUrl=%1\nheartbeatMs=200\nleaseTtlSeconds=3\n").arg(nodeUrl(index).toString()).toUtf8());
        file.close();
        return m_cluster->node(index).start({QStringLiteral("--config"), ini, QStringLiteral("--no-demo"), QStringLiteral("--threads"),
                                             QStringLiteral("2"), QStringLiteral("--port"), QString::number(m_cluster->nodePort(index)),
                                             QStringLiteral("--node-id"), nodeId(index), QStringLiteral("--database"),
                                             m_cluster->databaseUrl()},
                                            error);
    }

    static void signIn(HttpServerClient &client)
    {
        bool signedIn = false;
        client.login(SaleFixture::adminEmail, SaleFixture::adminPassword, nullptr,
                     [&signedIn](const Api::Result<Api::Session> &r) { signedIn = r.ok(); });
        QTRY_VERIFY(signedIn);
    }

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_configDir;
    std::unique_ptr<ClusterFixture> m_cluster;
    std::unique_ptr<HttpServerClient> m_client;
    std::unique_ptr<MainWindow> m_window;
    qint64 m_saleId = 0;
};

QTEST_MAIN(TestClusterView)
#include "tst_clusterview.moc"
