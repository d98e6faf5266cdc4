#pragma once

#include "common/polledtableview.h"

class OrdersTableModel;
class QAction;
class QComboBox;
class QLabel;
class QLineEdit;
class ServerClient;
namespace Api {
struct Order;
}

// The orders of one sale: filtered by state and shopper (server side), searched by
// order id (as typed), refunded (confirmed orders) or compensated (pending ones) from the right-click menu (or Ctrl+Shift+R
// / Ctrl+Shift+M) after a confirmation; the server's answer shows under the filters.
class OrdersView : public PolledTableView
{
    Q_OBJECT

public:
    OrdersView(ServerClient *client, qint64 saleId, QWidget *parent = nullptr);

    OrdersTableModel *model() const { return m_model; }
    QComboBox *stateFilter() const { return m_state; }
    QLineEdit *shopperFilter() const { return m_shopper; }
    QLineEdit *orderSearch() const { return m_search; }
    QLabel *resultLabel() const { return m_result; }
    QAction *refundAction() const { return m_refund; }
    QAction *compensateAction() const { return m_compensate; }

    // Makes the row of `orderId` current; false if it is not shown.
    bool selectOrder(const QString &orderId);
    void refundSelected();
    void compensateSelected();

Q_SIGNALS:
    // What happened, for the status bar.
    void message(const QString &text);

protected:
    void poll() override;

private:
    enum class Action { Refund, Compensate };
    void act(Action action);
    const Api::Order *selectedOrder() const;
    void showResult(const QString &text, bool failed);
    void updateActions();

    ServerClient *m_client;
    qint64 m_saleId;
    OrdersTableModel *m_model;
    QComboBox *m_state;
    QLineEdit *m_shopper;
    QLineEdit *m_search;
    QLabel *m_result;
    QAction *m_refund;
    QAction *m_compensate;
};
