#pragma once

#include "client/order.h"
#include "common/columntablemodel.h"

// The orders of a sale, one row each, matched by order id on every refresh.
class OrdersTableModel : public ColumnTableModel<Api::Order>
{
    Q_OBJECT

public:
    enum ColumnIndex { OrderIdColumn, StateColumn, ShopperColumn, QuantityColumn, TotalColumn, CreatedColumn, UpdatedColumn };

    explicit OrdersTableModel(QObject *parent = nullptr);
};
