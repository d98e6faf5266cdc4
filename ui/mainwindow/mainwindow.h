#pragma once

#include "connection/connectdialog.h"

#include <QHash>
#include <QMainWindow>
#include <QPointer>

class CatalogView;
class ClusterView;
class ConnectionStatus;
class QAction;
class QTabWidget;
class SaleWindow;
class SalesView;
class ServerClient;
namespace Api {
struct Error;
}

// The merchant console's main window: the sales, the catalog and the cluster in three
// tabs, menus and shortcuts for what a merchant does, and the connection in the status bar. Everything
// it shows comes through the ServerClient it is given (which it does not own).
class MainWindow : public QMainWindow
{
    Q_OBJECT

public:
    explicit MainWindow(ServerClient *client, QWidget *parent = nullptr);
    ~MainWindow() override;

    SalesView *salesView() const { return m_sales; }
    CatalogView *catalogView() const { return m_catalog; }
    ClusterView *clusterView() const { return m_cluster; }
    ConnectionStatus *connectionStatus() const { return m_status; }
    QAction *newSaleAction() const { return m_newSale; }
    QAction *saleDashboardAction() const { return m_saleDashboard; }
    QAction *openStorefrontAction() const { return m_openStorefront; }
    // The window of the sale, opened (or raised) on its dashboard.
    SaleWindow *openSaleWindow(qint64 saleId);

    // Opens the sign-in (or connect) dialog, filled in if credentials are given; with
    // `submit` it signs in at once, as if the merchant had pressed the button.
    ConnectDialog *showSignIn(ConnectDialog::Mode mode, const QString &email = {}, const QString &password = {},
                              bool submit = false);

public Q_SLOTS:
    void newSale();

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void updateActions();
    void sessionExpired(const Api::Error &error);
    void restoreSettings();
    void saveSettings() const;
    void about();

    ServerClient *m_client;
    QTabWidget *m_tabs;
    SalesView *m_sales;
    CatalogView *m_catalog;
    ClusterView *m_cluster;
    ConnectionStatus *m_status;

    QAction *m_connect = nullptr;
    QAction *m_signIn = nullptr;
    QAction *m_signOut = nullptr;
    QAction *m_quit = nullptr;
    QAction *m_newSale = nullptr;
    QAction *m_newProduct = nullptr;
    QAction *m_editProduct = nullptr;
    QAction *m_refresh = nullptr;
    QAction *m_saleDashboard = nullptr;
    QAction *m_showSales = nullptr;
    QAction *m_showCatalog = nullptr;
    QAction *m_showCluster = nullptr;
    QAction *m_about = nullptr;
    QAction *m_openStorefront = nullptr;
    QHash<qint64, QPointer<SaleWindow>> m_saleWindows; // each deletes itself on close
};
