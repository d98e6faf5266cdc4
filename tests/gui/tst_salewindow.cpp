// One sale run from the console against a real server in this process: the sale is
// created through the dialog, opened in its own window (Ctrl+D), started, a burst of
// purchases goes through the real HTTP server, and the dashboard's counters and charts
// move. Each step saves a screenshot into testOutputDir().
#include "client/httpserverclient.h"
#include "dashboard/discrepancyalarm.h"
#include "dashboard/orderstatechart.h"
#include "dashboard/saledashboard.h"
#include "dashboard/timeserieschart.h"
#include "events/eventlogview.h"
#include "orders/orderstablemodel.h"
#include "operator/operatorpanel.h"
#include "orders/ordersview.h"
#include "mainwindow/mainwindow.h"
#include "sales/newsaledialog.h"
#include "sales/salestablemodel.h"
#include "sales/salesview.h"
#include "salewindow/salewindow.h"

#include "concurrentclient.h"
#include "guisteps.h"
#include "httpclient.h"
#include "salefixture.h"
#include "sanitizerslowdown.h"
#include "testserver.h"

#include <QBarSet>
#include <QChartView>
#include <QHeaderView>
#include <QTreeView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QTabWidget>
#include <QTreeWidget>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QLineSeries>
#include <QPointer>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QElapsedTimer>
#include <QThread>
#include <QTimer>
#include <QtTest>

namespace {

const QString saleName = QStringLiteral("Dashboard test sale");
constexpr int saleQuantity = 10;
constexpr int shoppers = 15;

double lastY(const QLineSeries *series)
{
    return series->count() ? series->at(series->count() - 1).y() : -1;
}

double maxY(const QLineSeries *series)
{
    double top = 0;
    for (const QPointF &p : series->points())
        top = std::max(top, p.y());
    return top;
}

} // namespace

class TestSaleWindow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        GuiSteps::isolateSettings(m_settingsDir.path(), QStringLiteral("tst_salewindow"));
        SaleFixture::provideAdminFromEnvironment();
        // The crowds' connections open before their first request is written from this
        // (GUI) thread. Under ThreadSanitizer that thread went without running for seconds,
        // and the server closed the still-silent connections after its 10 s head timeout.
        m_server = std::make_unique<TestServer>([](ServerConfig &c) {
            c.limits.headerTimeoutMs = Sanitizer::scaledMs(c.limits.headerTimeoutMs);
            c.limits.idleTimeoutMs = Sanitizer::scaledMs(c.limits.idleTimeoutMs);
        });
        QVERIFY2(m_server->start(), qPrintable(m_server->error()));

        HttpClient http(m_server->baseUrl());
        http.setBearer(SaleFixture::adminToken(http));
        QVERIFY(SaleFixture::createProduct(http, 1000) > 0);

        m_client = std::make_unique<HttpServerClient>(m_server->baseUrl());
        bool signedIn = false;
        m_client->login(SaleFixture::adminEmail, SaleFixture::adminPassword, nullptr,
                        [&signedIn](const Api::Result<Api::Session> &r) { signedIn = r.ok(); });
        QTRY_VERIFY(signedIn);
        m_window = std::make_unique<MainWindow>(m_client.get());
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
    }

    void cleanupTestCase()
    {
        m_window.reset();
        m_client.reset();
        m_server.reset();
    }

    void createsTheSaleThroughTheDialog()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTest::keySequence(m_window.get(), QKeySequence::New);
        QPointer<NewSaleDialog> dialog;
        QTRY_VERIFY((dialog = m_window->findChild<NewSaleDialog *>()));
        auto *name = dialog->findChild<QLineEdit *>(QStringLiteral("name"));
        auto *quantity = dialog->findChild<QSpinBox *>(QStringLiteral("quantity"));
        auto *limit = dialog->findChild<QSpinBox *>(QStringLiteral("perUserLimit"));
        QPushButton *ok = dialog->findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok);
        QTRY_VERIFY(ok->isEnabled());
        GuiSteps::retype(name, saleName);
        GuiSteps::retype(quantity, QString::number(saleQuantity));
        GuiSteps::retype(limit, QStringLiteral("1"));
        QTRY_VERIFY(ok->isEnabled());
        QTest::mouseClick(ok, Qt::LeftButton);
        QTRY_VERIFY(dialog.isNull());
        SalesTableModel *model = m_window->salesView()->model();
        QTRY_COMPARE(model->rowCount(), 1);
        m_saleId = model->item(0).id;
        QCOMPARE(model->item(0).status, Api::Sale::Status::Scheduled);
    }

    void opensTheSaleWindowWithCtrlD()
    {
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        QTableView *table = m_window->salesView()->table();
        table->setFocus();
        table->selectRow(0);
        QTest::keySequence(m_window.get(), QKeySequence(QStringLiteral("Ctrl+D")));
        QTRY_VERIFY(m_window->findChild<SaleWindow *>());
        m_window->findChild<SaleWindow *>()->close();
        QTRY_VERIFY(!m_window->findChild<SaleWindow *>());
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        Q_EMIT table->activated(table->currentIndex()); // Enter or double-click opens it too
        QTRY_VERIFY((m_saleWindow = m_window->findChild<SaleWindow *>()));
        QCOMPARE(m_saleWindow->saleId(), m_saleId);
        QVERIFY(QTest::qWaitForWindowExposed(m_saleWindow));
        SaleDashboard *dashboard = m_saleWindow->dashboard();
        QTRY_VERIFY(dashboard->refreshes() >= 2);
        QTRY_COMPARE(lastY(dashboard->stockChart()->line(0)), double(saleQuantity));
        QVERIFY(!dashboard->alarm()->isAlarming());
    }

    void operatorStartsTheSaleNowAndTheAuditShowsIt()
    {
        OperatorPanel *panel = m_saleWindow->operatorPanel();
        m_saleWindow->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_saleWindow));
        QTest::keySequence(m_saleWindow, QKeySequence(QStringLiteral("Alt+4")));
        QCOMPARE(m_saleWindow->tabs()->currentWidget(), panel);
        QTRY_VERIFY(panel->queue().has_value());
        panel->setFocus();
        QTest::keySequence(m_saleWindow, QKeySequence(QStringLiteral("Ctrl+Shift+S")));
        confirm(panel, QStringLiteral("salewindow-operator-start-confirmation.png"));
        QTRY_COMPARE(panel->resultLabel()->text(), QStringLiteral("Sale started."));
        QTRY_COMPARE(panel->auditTrail()->topLevelItemCount(), 1);
        QTreeWidgetItem *entry = panel->auditTrail()->topLevelItem(0);
        QCOMPARE(entry->text(1), SaleFixture::adminEmail);
        QCOMPARE(entry->text(2), QStringLiteral("sale.startNow"));
        QTRY_COMPARE(m_saleWindow->dashboard()->sale()->status, Api::Sale::Status::Active);

        // Pause, resume and a new admission rate reach the waiting room.
        panel->pauseAction()->trigger();
        confirm(panel, QString());
        QTRY_VERIFY(panel->queue()->paused);
        QCOMPARE(panel->pauseAction()->text(), QStringLiteral("&Resume Admission…"));
        panel->pauseAction()->trigger();
        confirm(panel, QString());
        QTRY_VERIFY(!panel->queue()->paused);
        GuiSteps::retype(panel->rateField(), QStringLiteral("250"));
        panel->applyRateAction()->trigger();
        confirm(panel, QString());
        QTRY_COMPARE(panel->queue()->admissionRatePerSecond, 250.0);
        QVERIFY(GuiSteps::saveScreenshot(m_saleWindow, QStringLiteral("salewindow-operator-started.png")));
    }

    void dashboardMovesWithABurstOfPurchases()
    {
        SaleDashboard *dashboard = m_saleWindow->dashboard();
        m_saleWindow->showPage(dashboard);
        const int pointsBefore = dashboard->purchasesChart()->pointCount();
        ConcurrentClient setup(QHostAddress::LocalHost, m_server->baseUrl().port(), 8);
        m_tokens = SaleFixture::registerShoppers(setup, shoppers, QStringLiteral("dash"));
        QCOMPARE(m_tokens.size(), shoppers);
        QList<RawRequest> burst;
        for (int i = 0; i < shoppers; ++i)
            burst.append(SaleFixture::purchase(m_saleId, m_tokens.at(i), "dash-" + QByteArray::number(i), 1));
        for (int i = 0; i < 4; ++i) // too soon again: rate limited
            burst.append(SaleFixture::purchase(m_saleId, m_tokens.at(i), "dash-again-" + QByteArray::number(i), 1));
        ConcurrentClient crowd(QHostAddress::LocalHost, m_server->baseUrl().port(), shoppers);
        const QList<RawResponse> answers = crowd.run(burst);
        int accepted = 0;
        for (const RawResponse &a : answers)
            accepted += a.status == 201 || a.status == 202 || a.status == 200 ? 1 : 0;
        QCOMPARE(accepted, saleQuantity);

        QTRY_COMPARE_WITH_TIMEOUT(lastY(dashboard->stockChart()->line(0)), 0.0, 10000);
        QTRY_VERIFY(dashboard->purchasesChart()->pointCount() > pointsBefore);
        QTRY_VERIFY(maxY(dashboard->purchasesChart()->line(0)) > 0); // accepted
        QTRY_VERIFY(maxY(dashboard->purchasesChart()->line(1)) > 0); // sold out
        QTRY_VERIFY(maxY(dashboard->purchasesChart()->line(2)) > 0); // rate limited
        QTRY_VERIFY(dashboard->latencyChart()->line(2)->count() > 0); // p99 of the purchase route
        QTRY_VERIFY_WITH_TIMEOUT(dashboard->ordersChart()->bars()->at(0) >= saleQuantity, 15000); // confirmed
        QTRY_COMPARE(lastY(dashboard->paymentChart()->line(0)), 100.0);
        QVERIFY(dashboard->summary()->text().contains(QStringLiteral("sold %1").arg(saleQuantity)));
        QVERIFY(!dashboard->alarm()->isAlarming());
        QTest::qWait(1100); // one more refresh, for the screenshot
        QVERIFY(GuiSteps::saveScreenshot(m_saleWindow, QStringLiteral("salewindow-dashboard-after-burst.png")));

        const QStringList files = dashboard->exportCharts(testOutputDir());
        QCOMPARE(files.size(), 6);
        for (const QString &f : files)
            QVERIFY2(QImage(f).width() > 100, qPrintable(f));
    }

    void dashboardKeepsRefreshingWhileTheServerIsUnderLoad()
    {
        SaleDashboard *dashboard = m_saleWindow->dashboard();
        m_saleWindow->showPage(dashboard);
        // 5 s of load (sale reads and sold-out purchase attempts, rounds of 5,000 over 200
        // connections), sent from a thread of their own so that the GUI thread only runs
        // the console and the embedded server's main-thread work, as it would for a
        // merchant. The time ends it: the cap of 200 rounds (1,000,000 requests) is a
        // bound, not the plan (40 rounds took 4.8 s on a fast machine and cut it short).
        QList<RawRequest> load;
        for (int i = 0; i < 5000; ++i) {
            if (i % 2)
                load.append(RawRequest{"GET", "/sales/" + QByteArray::number(m_saleId), {}, {}});
            else
                load.append(SaleFixture::purchase(m_saleId, m_tokens.at(i % m_tokens.size()), "load-" + QByteArray::number(i), 1));
        }
        qint64 sent = 0;
        qint64 answered = 0; // below 500: nothing refused for want of the server
        int rounds = 0;
        std::unique_ptr<QThread> generator(QThread::create([&] {
            ConcurrentClient crowd(QHostAddress::LocalHost, m_server->baseUrl().port(), 200);
            QElapsedTimer busy;
            busy.start();
            while (busy.elapsed() < 5000 && rounds < 200) {
                for (const RawResponse &a : crowd.run(load))
                    answered += a.status > 0 && a.status < 500 ? 1 : 0;
                sent += load.size();
                ++rounds;
            }
        }));
        QElapsedTimer clock;
        qint64 lastBeat = 0;
        qint64 worstGapMs = 0;
        QTimer heartbeat; // how long the GUI thread ever went without running its timers
        heartbeat.setInterval(20);
        connect(&heartbeat, &QTimer::timeout, this, [&] {
            const qint64 now = clock.elapsed();
            worstGapMs = qMax(worstGapMs, now - lastBeat);
            lastBeat = now;
        });
        const int refreshesBefore = dashboard->refreshes();
        clock.start();
        heartbeat.start();
        generator->start();
        QTRY_VERIFY_WITH_TIMEOUT(generator->isFinished(), 180000);
        heartbeat.stop();
        const double seconds = double(clock.elapsed()) / 1000.0;
        const int refreshes = dashboard->refreshes() - refreshesBefore;
        qInfo() << "load:" << sent << "requests in" << seconds << "s;" << refreshes
                << "dashboard refreshes; worst GUI-thread gap" << worstGapMs << "ms";
        QCOMPARE(answered, qint64(load.size()) * rounds);
        QVERIFY(seconds >= 5.0);
#if defined(__SANITIZE_THREAD__)
        // Judged in the plain and ASan builds (under 500 ms). Under ThreadSanitizer the GUI
        // thread, sharing two cores with the load and an instrumented server, went 0.6 to
        // 3.7 s without running in four runs: that measures the sanitizer, not a blocking call.
        qInfo() << "ThreadSanitizer build: the GUI thread's worst gap is reported, not judged";
#else
        QVERIFY2(worstGapMs < 500, qPrintable(QStringLiteral("the GUI thread stalled for %1 ms").arg(worstGapMs)));
#endif
        // Once a second, allowing one tick dropped while an answer was still out.
        QVERIFY2(refreshes >= int(seconds) - 1, qPrintable(QStringLiteral("%1 refreshes in %2 s").arg(refreshes).arg(seconds)));
        QVERIFY(GuiSteps::saveScreenshot(m_saleWindow, QStringLiteral("salewindow-dashboard-under-load.png")));
    }

    void ordersViewFiltersAndRefundsAnOrder()
    {
        m_saleWindow->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_saleWindow));
        QTest::keySequence(m_saleWindow, QKeySequence(QStringLiteral("Alt+2")));
        OrdersView *orders = m_saleWindow->orders();
        QCOMPARE(m_saleWindow->tabs()->currentWidget(), orders);
        OrdersTableModel *model = orders->model();
        QTRY_COMPARE(model->rowCount(), saleQuantity);
        for (int row = 0; row < model->rowCount(); ++row)
            QTRY_COMPARE(model->item(row).status, QStringLiteral("Confirmed"));

        // By state, by shopper, by order id.
        orders->stateFilter()->setCurrentIndex(orders->stateFilter()->findData(QStringLiteral("Failed")));
        QTRY_COMPARE(model->rowCount(), 0);
        orders->stateFilter()->setCurrentIndex(orders->stateFilter()->findData(QStringLiteral("Confirmed")));
        QTRY_COMPARE(model->rowCount(), saleQuantity);
        const Api::Order target = model->item(0);
        GuiSteps::retype(orders->shopperFilter(), QString::number(target.userId));
        QTest::keyClick(orders->shopperFilter(), Qt::Key_Return);
        QTRY_COMPARE(model->rowCount(), 1);
        orders->shopperFilter()->clear();
        QTest::keyClick(orders->shopperFilter(), Qt::Key_Return);
        QTRY_COMPARE(model->rowCount(), saleQuantity);
        QTest::keyClicks(orders->orderSearch(), target.id.right(12));
        QTRY_COMPARE(orders->table()->model()->rowCount(), 1);

        // Right-click, Refund…, confirm.
        QVERIFY(orders->selectOrder(target.id));
        const QRect cell = orders->table()->visualRect(orders->table()->currentIndex());
        Q_EMIT orders->table()->customContextMenuRequested(cell.center());
        QMenu *menu = nullptr;
        QTRY_VERIFY((menu = orders->findChild<QMenu *>(QStringLiteral("orderMenu"))));
        QVERIFY(orders->refundAction()->isEnabled());
        QVERIFY(!orders->compensateAction()->isEnabled()); // only pending orders
        menu->close();
        orders->refundAction()->trigger();
        QTRY_VERIFY(orders->findChild<QMessageBox *>(QStringLiteral("confirmation")));
        QVERIFY(orders->findChild<QMessageBox *>(QStringLiteral("confirmation"))->text().contains(target.id));
        confirm(orders, QStringLiteral("salewindow-orders-refund-confirmation.png"));
        QTRY_VERIFY_WITH_TIMEOUT(model->item(model->rowOf(target.id)).refunded, 15000);
        QCOMPARE(model->data(model->index(model->rowOf(target.id), OrdersTableModel::StateColumn)).toString(), QStringLiteral("Refunded"));
        QVERIFY2(orders->resultLabel()->text().contains(QStringLiteral("refunded")), qPrintable(orders->resultLabel()->text()));
        orders->orderSearch()->clear();
        orders->stateFilter()->setCurrentIndex(orders->stateFilter()->findData(QStringLiteral("Refunded")));
        QTRY_COMPARE(model->rowCount(), 1);
        QVERIFY(GuiSteps::saveScreenshot(m_saleWindow, QStringLiteral("salewindow-orders-refunded.png")));
        m_refundedOrder = target.id;
    }

    void eventLogShowsTheSaleLive()
    {
        EventLogView *events = m_saleWindow->events();
        m_saleWindow->showPage(events);
        QVERIFY(events->isConnected());
        QTRY_VERIFY(events->eventCount() >= saleQuantity);
        QTRY_VERIFY_WITH_TIMEOUT(!events->log()->findItems(QStringLiteral("OrderRefunded"), Qt::MatchExactly, 1).isEmpty(), 10000);
        QVERIFY(!events->log()->findItems(QStringLiteral("OrderConfirmed"), Qt::MatchExactly, 1).isEmpty());
        QVERIFY(GuiSteps::saveScreenshot(m_saleWindow, QStringLiteral("salewindow-event-log.png")));
    }

    void operatorEndsTheSaleEarly()
    {
        OperatorPanel *panel = m_saleWindow->operatorPanel();
        m_saleWindow->showPage(panel);
        panel->endEarlyAction()->trigger();
        confirm(panel, QStringLiteral("salewindow-operator-end-confirmation.png"));
        QTRY_COMPARE(panel->resultLabel()->text(), QStringLiteral("Sale ended."));
        // Start now, pause, resume, the new rate and the early end: each left its entry.
        QTRY_COMPARE(panel->auditTrail()->topLevelItemCount(), 5);
        QStringList actions;
        for (int i = 0; i < 5; ++i)
            actions.append(panel->auditTrail()->topLevelItem(i)->text(2));
        QCOMPARE(actions.count(QStringLiteral("sale.endEarly")), 1);
        QCOMPARE(actions.count(QStringLiteral("sale.startNow")), 1);
        QVERIFY2(actions.count(QStringLiteral("queue.settings")) == 3, qPrintable(actions.join(QLatin1Char(','))));
        QTRY_COMPARE(m_saleWindow->dashboard()->sale()->status, Api::Sale::Status::Ended);
        QTest::qWait(1100); // one more refresh of the dashboard
        QVERIFY(GuiSteps::saveScreenshot(m_saleWindow, QStringLiteral("salewindow-operator-ended.png")));
    }

    void saleWindowLayoutIsRestored()
    {
        m_saleWindow->resize(1111, 777);
        m_saleWindow->showPage(m_saleWindow->orders());
        m_saleWindow->close(); // deletes itself
        QTRY_VERIFY(m_saleWindow.isNull());
        SaleWindow *again = m_window->openSaleWindow(m_saleId);
        QCOMPARE(again->size(), QSize(1111, 777));
        QCOMPARE(again->tabs()->currentWidget(), again->orders());
        again->close();
    }

    void everyControlOfTheSaleWindowHasAnAccessibleName()
    {
        SaleWindow *window = m_window->openSaleWindow(m_saleId);
        QVERIFY(QTest::qWaitForWindowExposed(window));
        QStringList unnamed;
        int checked = 0;
        for (int i = 0; i < window->tabs()->count(); ++i) {
            QWidget *page = window->tabs()->widget(i);
            window->tabs()->setCurrentIndex(i);
            unnamed += GuiSteps::unnamedControls(page, &checked);
        }
        QVERIFY2(unnamed.isEmpty(), qPrintable(unnamed.join(QStringLiteral(", "))));
        QVERIFY2(checked >= 17, qPrintable(QString::number(checked))); // 6 charts, 4 fields, 3 lists, 4 buttons
        window->close();
    }

    void alarmTurnsRedWhenUnitsAreUnaccounted()
    {
        DiscrepancyAlarm alarm;
        alarm.setDiscrepancy(3);
        QVERIFY(alarm.isAlarming());
        QVERIFY(alarm.text().contains(QStringLiteral("3")));
        alarm.resize(520, 40);
        QVERIFY(GuiSteps::saveScreenshot(&alarm, QStringLiteral("salewindow-discrepancy-alarm.png")));
    }

private:
    // Answers the confirmation `parent` shows with its confirm button, after a screenshot.
    void confirm(QWidget *parent, const QString &screenshot)
    {
        QPointer<QMessageBox> box;
        QTRY_VERIFY((box = parent->findChild<QMessageBox *>(QStringLiteral("confirmation"))));
        if (!screenshot.isEmpty())
            QVERIFY(GuiSteps::saveScreenshot(box, screenshot)); // its own top-level window
        QTest::mouseClick(box->findChild<QAbstractButton *>(QStringLiteral("confirm")), Qt::LeftButton);
        QTRY_VERIFY(box.isNull());
    }

    QTemporaryDir m_settingsDir;
    std::unique_ptr<TestServer> m_server;
    std::unique_ptr<HttpServerClient> m_client;
    std::unique_ptr<MainWindow> m_window;
    QPointer<SaleWindow> m_saleWindow;
    qint64 m_saleId = 0;
    QList<QByteArray> m_tokens;
    QString m_refundedOrder;
};

QTEST_MAIN(TestSaleWindow)
#include "tst_salewindow.moc"
