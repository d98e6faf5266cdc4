#pragma once

#include "client/order.h"
#include "common/keyedtablemodel.h"

// The orders of a sale, one row each, matched by order id on every refresh.
class OrdersTableModel : public KeyedTableModel<Api::Order>
{
    Q_OBJECT

public:
    enum Column { OrderIdColumn, StateColumn, ShopperColumn, QuantityColumn, TotalColumn, CreatedColumn, UpdatedColumn, ColumnCount };
    enum Role { SortRole = Qt::UserRole };

    explicit OrdersTableModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    QVariant display(const Api::Order &order, int column) const;
};
