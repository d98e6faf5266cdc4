#pragma once

#include <QMainWindow>

class EventLogView;
class OperatorPanel;
class OrdersView;
class QAction;
class QTabWidget;
class SaleDashboard;
class ServerClient;

// Everything about one sale in its own window: the live dashboard, its orders, its
// event log and the operator's controls with the audit trail, one tab each (Alt+1..4). Opened from the sales view
// (Ctrl+D); its geometry and tab are restored from the console's settings.
class SaleWindow : public QMainWindow
{
    Q_OBJECT

public:
    SaleWindow(ServerClient *client, qint64 saleId, QWidget *parent = nullptr);

    qint64 saleId() const { return m_saleId; }
    QTabWidget *tabs() const { return m_tabs; }
    SaleDashboard *dashboard() const { return m_dashboard; }
    OrdersView *orders() const { return m_orders; }
    EventLogView *events() const { return m_events; }
    OperatorPanel *operatorPanel() const { return m_operator; }
    QAction *exportChartsAction() const { return m_exportCharts; }

    // The tab that shows `page`, made current.
    void showPage(QWidget *page);

protected:
    void showEvent(QShowEvent *event) override;
    void hideEvent(QHideEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void exportCharts();
    void restoreSettings();
    void saveSettings() const;

    ServerClient *m_client;
    qint64 m_saleId;
    QTabWidget *m_tabs;
    SaleDashboard *m_dashboard;
    OrdersView *m_orders;
    EventLogView *m_events;
    OperatorPanel *m_operator;
    QAction *m_exportCharts;
};
