#pragma once

#include "common/polledtableview.h"

class SalesTableModel;
class ServerClient;
namespace Api {
struct Sale;
}

// The sales tab: every sale on the server, refreshed every second while shown.
class SalesView : public PolledTableView
{
    Q_OBJECT

public:
    explicit SalesView(ServerClient *client, QWidget *parent = nullptr);

    SalesTableModel *model() const { return m_model; }
    // Shows a sale the server just created, before the next refresh brings it.
    void addSale(const Api::Sale &sale);
    // The sale of the current row; 0 when none.
    qint64 selectedSaleId() const;

protected:
    void poll() override;

private:
    ServerClient *m_client;
    SalesTableModel *m_model;
};
