#include "salesview.h"

#include "client/serverclient.h"
#include "salestablemodel.h"

#include <QHeaderView>
#include <QSortFilterProxyModel>
#include <QTableView>

using namespace std::chrono_literals;

SalesView::SalesView(ServerClient *client, QWidget *parent)
    : PolledTableView(1s, QStringLiteral("salesView/header"), parent)
    , m_client(client)
    , m_model(new SalesTableModel(this))
{
    setModel(m_model, SalesTableModel::SortRole, SalesTableModel::WindowColumn);
    setPlaceholderText(tr("No sales yet. Use Sales ▸ New sale… (Ctrl+N) to schedule one."));
    table()->setAccessibleName(tr("Sales"));
    QHeaderView *header = table()->horizontalHeader();
    header->setSectionResizeMode(SalesTableModel::NameColumn, QHeaderView::Stretch);
    header->setSectionResizeMode(SalesTableModel::StateColumn, QHeaderView::ResizeToContents);
    header->setSectionResizeMode(SalesTableModel::WindowColumn, QHeaderView::ResizeToContents);
}

void SalesView::poll()
{
    m_client->listSales(this, [this](const Api::Result<QList<Api::Sale>> &result) {
        if (!result.ok()) {
            pollFailed(tr("Cannot load the sales: %1").arg(result.error().message()));
            return;
        }
        m_model->setItems(result.value());
        pollSucceeded();
    });
}

void SalesView::addSale(const Api::Sale &sale)
{
    m_model->upsert(sale);
    updatePlaceholder();
    const QModelIndex index = proxy()->mapFromSource(m_model->index(m_model->rowOf(sale.id), 0));
    table()->setCurrentIndex(index);
    table()->scrollTo(index);
    refresh();
}

qint64 SalesView::selectedSaleId() const
{
    const QModelIndex index = proxy()->mapToSource(table()->currentIndex());
    return index.isValid() ? m_model->item(index.row()).id : 0;
}
