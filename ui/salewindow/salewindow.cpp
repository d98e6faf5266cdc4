#include "salewindow.h"

#include "dashboard/saledashboard.h"
#include "events/eventlogview.h"
#include "operator/operatorpanel.h"
#include "orders/ordersview.h"

#include <QAction>
#include <QCloseEvent>
#include <QFileDialog>
#include <QMenuBar>
#include <QSettings>
#include <QStatusBar>
#include <QTabWidget>
#include <QToolBar>

namespace {
const QString geometryKey = QStringLiteral("saleWindow/geometry");
const QString stateKey = QStringLiteral("saleWindow/state");
const QString tabKey = QStringLiteral("saleWindow/tab");
} // namespace

SaleWindow::SaleWindow(ServerClient *client, qint64 saleId, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_saleId(saleId)
    , m_tabs(new QTabWidget(this))
    , m_dashboard(new SaleDashboard(client, saleId, m_tabs))
    , m_orders(new OrdersView(client, saleId, m_tabs))
    , m_events(new EventLogView(client, saleId, m_tabs))
    , m_operator(new OperatorPanel(client, saleId, m_tabs))
    , m_exportCharts(new QAction(tr("&Export Charts…"), this))
{
    setWindowFlag(Qt::Window);
    setAttribute(Qt::WA_DeleteOnClose);
    setWindowTitle(tr("Sale %1 — FlashSale Console").arg(saleId));
    setAccessibleName(windowTitle());
    m_tabs->setAccessibleName(tr("Sale sections"));
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_dashboard, tr("Dashboard"));
    m_tabs->addTab(m_orders, tr("Orders"));
    m_tabs->addTab(m_events, tr("Events"));
    m_tabs->addTab(m_operator, tr("Operator"));
    setCentralWidget(m_tabs);

    m_exportCharts->setShortcut(QKeySequence(tr("Ctrl+Shift+E")));
    m_exportCharts->setStatusTip(tr("Save every chart of the dashboard as a PNG file"));
    connect(m_exportCharts, &QAction::triggered, this, &SaleWindow::exportCharts);
    auto *close = new QAction(tr("&Close"), this);
    close->setShortcut(QKeySequence::Close);
    connect(close, &QAction::triggered, this, &QWidget::close);

    const QList<QWidget *> pages{m_dashboard, m_orders, m_events, m_operator};
    QMenu *view = new QMenu(tr("&View"), this);
    for (int i = 0; i < pages.size(); ++i) {
        QWidget *page = pages.at(i);
        auto *show = view->addAction(m_tabs->tabText(i));
        m_tabs->setTabToolTip(i, tr("%1 (Alt+%2)").arg(m_tabs->tabText(i)).arg(i + 1));
        show->setShortcut(QKeySequence(QStringLiteral("Alt+%1").arg(i + 1)));
        connect(show, &QAction::triggered, this, [this, page] { showPage(page); });
    }
    connect(m_orders, &OrdersView::message, this, [this](const QString &text) { statusBar()->showMessage(text, 8000); });
    connect(m_operator, &OperatorPanel::message, this, [this](const QString &text) { statusBar()->showMessage(text, 8000); });

    QMenu *file = menuBar()->addMenu(tr("&Sale"));
    file->addAction(m_exportCharts);
    file->addSeparator();
    file->addAction(close);
    menuBar()->addMenu(view);
    QMenu *orders = menuBar()->addMenu(tr("&Orders"));
    orders->addAction(m_orders->refundAction());
    orders->addAction(m_orders->compensateAction());
    QMenu *operatorMenu = menuBar()->addMenu(tr("O&perator"));
    for (QAction *a : {m_operator->startNowAction(), m_operator->pauseAction(), m_operator->applyRateAction(), m_operator->endEarlyAction()})
        operatorMenu->addAction(a);
    QToolBar *toolBar = addToolBar(tr("Sale"));
    toolBar->setObjectName(QStringLiteral("saleToolBar"));
    toolBar->setAccessibleName(tr("Sale toolbar"));
    toolBar->addAction(m_exportCharts);

    connect(m_dashboard, &SaleDashboard::problem, this, [this](const QString &message) { statusBar()->showMessage(message, 3000); });
    restoreSettings();
}

void SaleWindow::showPage(QWidget *page)
{
    m_tabs->setCurrentWidget(page);
}

void SaleWindow::exportCharts()
{
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Export Charts to Folder"));
    if (folder.isEmpty())
        return;
    const QStringList written = m_dashboard->exportCharts(folder);
    statusBar()->showMessage(tr("%n chart(s) saved in %1", nullptr, int(written.size())).arg(folder), 5000);
}

void SaleWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray()))
        resize(1200, 760);
    restoreState(settings.value(stateKey).toByteArray());
    m_tabs->setCurrentIndex(settings.value(tabKey, 0).toInt());
    m_orders->restoreState(settings);
}

void SaleWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(stateKey, saveState());
    settings.setValue(tabKey, m_tabs->currentIndex());
    m_orders->saveState(settings);
}

void SaleWindow::showEvent(QShowEvent *event)
{
    QMainWindow::showEvent(event);
    m_dashboard->start(); // whichever tab is shown, the charts keep recording
}

void SaleWindow::hideEvent(QHideEvent *event)
{
    m_dashboard->stop();
    QMainWindow::hideEvent(event);
}

void SaleWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}
