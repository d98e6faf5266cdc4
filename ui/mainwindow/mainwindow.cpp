#include "mainwindow.h"

#include "catalog/catalogview.h"
#include "cluster/clusterview.h"
#include "client/serverclient.h"
#include "connectionstatus.h"
#include "sales/newsaledialog.h"
#include "sales/salesview.h"
#include "salewindow/salewindow.h"

#include <QAction>
#include <QApplication>
#include <QCloseEvent>
#include <QDesktopServices>
#include <QMenuBar>
#include <QMessageBox>
#include <QSettings>
#include <QStatusBar>
#include <QStyle>
#include <QTabWidget>
#include <QTableView>
#include <QToolBar>

namespace {
const QString geometryKey = QStringLiteral("mainWindow/geometry");
const QString stateKey = QStringLiteral("mainWindow/state");
const QString tabKey = QStringLiteral("mainWindow/tab");
} // namespace

MainWindow::MainWindow(ServerClient *client, QWidget *parent)
    : QMainWindow(parent)
    , m_client(client)
    , m_tabs(new QTabWidget(this))
    , m_sales(new SalesView(client, m_tabs))
    , m_catalog(new CatalogView(client, m_tabs))
    , m_cluster(new ClusterView(client, m_tabs))
    , m_status(new ConnectionStatus(client, this))
{
    setWindowTitle(tr("FlashSale Console"));
    m_tabs->addTab(m_sales, tr("&Sales"));
    m_tabs->addTab(m_catalog, tr("&Catalog"));
    m_tabs->addTab(m_cluster, tr("C&luster"));
    m_tabs->setAccessibleName(tr("Console sections"));
    m_tabs->setDocumentMode(true);
    setCentralWidget(m_tabs);
    statusBar()->addPermanentWidget(m_status, 1);

    createActions();
    createMenus();

    connect(m_client, &ServerClient::sessionChanged, this, &MainWindow::updateActions);
    connect(m_client, &ServerClient::sessionExpired, this, &MainWindow::sessionExpired);
    connect(m_client, &ServerClient::baseUrlChanged, this, [this] {
        m_sales->refresh();
        m_catalog->refresh();
        m_cluster->refresh();
    });
    connect(m_catalog, &CatalogView::selectionChanged, this, &MainWindow::updateActions);
    connect(m_sales->table(), &QAbstractItemView::activated, m_saleDashboard, &QAction::trigger); // Enter or double-click
    connect(m_tabs, &QTabWidget::currentChanged, this, &MainWindow::updateActions);

    restoreSettings();
    updateActions();
}

MainWindow::~MainWindow() = default;

void MainWindow::createActions()
{
    m_connect = new QAction(tr("&Connect to Server…"), this);
    m_connect->setShortcut(QKeySequence(tr("Ctrl+K")));
    m_connect->setStatusTip(tr("Work with a remote headless server"));
    connect(m_connect, &QAction::triggered, this, [this] { showSignIn(ConnectDialog::Mode::Connect); });

    m_signIn = new QAction(tr("Sign &In…"), this);
    m_signIn->setShortcut(QKeySequence(tr("Ctrl+L")));
    connect(m_signIn, &QAction::triggered, this, [this] { showSignIn(ConnectDialog::Mode::SignIn); });

    m_signOut = new QAction(tr("Sign &Out"), this);
    connect(m_signOut, &QAction::triggered, m_client, &ServerClient::logout);

    m_quit = new QAction(tr("&Quit"), this);
    m_quit->setShortcut(QKeySequence::Quit);
    m_quit->setMenuRole(QAction::QuitRole);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);

    m_newSale = new QAction(style()->standardIcon(QStyle::SP_FileIcon), tr("&New Sale…"), this);
    m_newSale->setShortcut(QKeySequence::New);
    m_newSale->setStatusTip(tr("Schedule a flash sale of a product"));
    connect(m_newSale, &QAction::triggered, this, &MainWindow::newSale);

    m_newProduct = new QAction(tr("New &Product…"), this);
    m_newProduct->setShortcut(QKeySequence(tr("Ctrl+Shift+N")));
    connect(m_newProduct, &QAction::triggered, this, [this] {
        m_tabs->setCurrentWidget(m_catalog);
        m_catalog->newProduct();
    });

    m_editProduct = new QAction(tr("&Edit Product…"), this);
    m_editProduct->setShortcut(QKeySequence(tr("Ctrl+E")));
    connect(m_editProduct, &QAction::triggered, m_catalog, &CatalogView::editSelectedProduct);

    m_refresh = new QAction(style()->standardIcon(QStyle::SP_BrowserReload), tr("&Refresh"), this);
    m_refresh->setShortcut(QKeySequence::Refresh);
    connect(m_refresh, &QAction::triggered, this, [this] {
        m_sales->refresh();
        m_catalog->refresh();
        m_cluster->refresh();
    });

    m_saleDashboard = new QAction(tr("Sale &Dashboard…"), this);
    m_saleDashboard->setShortcut(QKeySequence(tr("Ctrl+D")));
    m_saleDashboard->setStatusTip(tr("Watch the selected sale live, its orders and its controls"));
    connect(m_saleDashboard, &QAction::triggered, this, [this] {
        if (const qint64 id = m_sales->selectedSaleId())
            openSaleWindow(id);
        else
            statusBar()->showMessage(tr("Select a sale first."), 3000);
    });

    m_showSales = new QAction(tr("&Sales"), this);
    m_showSales->setShortcut(QKeySequence(tr("Ctrl+1")));
    connect(m_showSales, &QAction::triggered, this, [this] { m_tabs->setCurrentWidget(m_sales); });
    m_showCatalog = new QAction(tr("&Catalog"), this);
    m_showCatalog->setShortcut(QKeySequence(tr("Ctrl+2")));
    connect(m_showCatalog, &QAction::triggered, this, [this] { m_tabs->setCurrentWidget(m_catalog); });
    m_showCluster = new QAction(tr("C&luster"), this);
    m_showCluster->setShortcut(QKeySequence(tr("Ctrl+3")));
    m_showCluster->setStatusTip(tr("Every node of the cluster, its stock leases and its rate"));
    connect(m_showCluster, &QAction::triggered, this, [this] { m_tabs->setCurrentWidget(m_cluster); });

    // The shoppers' page, served by the server this console is connected to (at its root).
    m_openStorefront = new QAction(tr("Open the &Storefront"), this);
    m_openStorefront->setStatusTip(tr("The shoppers' page in the browser"));
    connect(m_openStorefront, &QAction::triggered, this, [this] {
        QDesktopServices::openUrl(m_client->baseUrl().resolved(QUrl(QStringLiteral("/"))));
    });

    m_about = new QAction(tr("&About FlashSale"), this);
    m_about->setMenuRole(QAction::AboutRole);
    connect(m_about, &QAction::triggered, this, &MainWindow::about);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_connect);
    file->addAction(m_signIn);
    file->addAction(m_signOut);
    file->addSeparator();
    file->addAction(m_quit);

    QMenu *sales = menuBar()->addMenu(tr("&Sales"));
    sales->addAction(m_newSale);
    sales->addAction(m_saleDashboard);
    sales->addAction(m_refresh);

    QMenu *catalog = menuBar()->addMenu(tr("&Catalog"));
    catalog->addAction(m_newProduct);
    catalog->addAction(m_editProduct);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_showSales);
    view->addAction(m_showCatalog);
    view->addAction(m_showCluster);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(m_openStorefront);
    help->addSeparator();
    help->addAction(m_about);
    // Says where the shoppers' page is whenever the menu opens (the console may reconnect).
    connect(help, &QMenu::aboutToShow, this, [this] {
        const QString url = m_client->baseUrl().resolved(QUrl(QStringLiteral("/"))).toString();
        m_openStorefront->setText(tr("Open the &Storefront (%1)").arg(url));
        m_openStorefront->setToolTip(url);
    });

    QToolBar *toolBar = addToolBar(tr("Main"));
    toolBar->setObjectName(QStringLiteral("mainToolBar"));
    toolBar->setAccessibleName(tr("Main toolbar"));
    toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolBar->addAction(m_newSale);
    toolBar->addAction(m_saleDashboard);
    toolBar->addAction(m_refresh);
}

SaleWindow *MainWindow::openSaleWindow(qint64 saleId)
{
    QPointer<SaleWindow> &window = m_saleWindows[saleId];
    if (!window)
        window = new SaleWindow(m_client, saleId, this);
    window->show();
    window->raise();
    window->activateWindow();
    return window;
}

void MainWindow::updateActions()
{
    const bool signedIn = m_client->isLoggedIn();
    m_signOut->setEnabled(signedIn);
    m_newSale->setEnabled(signedIn);
    m_newProduct->setEnabled(signedIn);
    m_editProduct->setEnabled(signedIn && m_catalog->selectedProduct().has_value());
}

ConnectDialog *MainWindow::showSignIn(ConnectDialog::Mode mode, const QString &email, const QString &password, bool submit)
{
    auto *dialog = new ConnectDialog(m_client, mode, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    if (!email.isEmpty())
        dialog->setCredentials(email, password);
    dialog->open();
    if (submit)
        dialog->accept();
    return dialog;
}

void MainWindow::sessionExpired(const Api::Error &error)
{
    ConnectDialog *dialog = showSignIn(ConnectDialog::Mode::SignIn);
    dialog->setReason(tr("Your session has ended (%1). Sign in again.").arg(error.message()));
}

void MainWindow::newSale()
{
    if (!m_client->isLoggedIn())
        return;
    m_tabs->setCurrentWidget(m_sales);
    auto *dialog = new NewSaleDialog(m_client, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &NewSaleDialog::saleCreated, this, [this](const Api::Sale &sale) {
        m_sales->addSale(sale);
        m_catalog->refresh(); // the sale took units from the master stock
    });
    dialog->open();
}

void MainWindow::about()
{
    QMessageBox::about(this, tr("About FlashSale"),
                       tr("<p><b>FlashSale Console</b> %1</p><p>Schedule flash sales and watch them live.</p>")
                           .arg(QApplication::applicationVersion()));
}

void MainWindow::restoreSettings()
{
    QSettings settings;
    if (!restoreGeometry(settings.value(geometryKey).toByteArray()))
        resize(1000, 640);
    restoreState(settings.value(stateKey).toByteArray());
    m_tabs->setCurrentIndex(settings.value(tabKey, 0).toInt());
    m_sales->restoreState(settings);
    m_catalog->restoreState(settings);
    m_cluster->restoreState(settings);
}

void MainWindow::saveSettings() const
{
    QSettings settings;
    settings.setValue(geometryKey, saveGeometry());
    settings.setValue(stateKey, saveState());
    settings.setValue(tabKey, m_tabs->currentIndex());
    m_sales->saveState(settings);
    m_catalog->saveState(settings);
    m_cluster->saveState(settings);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveSettings();
    event->accept();
}
