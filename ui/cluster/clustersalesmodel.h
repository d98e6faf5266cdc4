#pragma once

#include "client/clusterstatus.h"
#include "common/columntablemodel.h"

// Each sale's stock over the whole cluster: its allocation, what no node holds yet
// (unleased), what has been sold (reserved) and what is left to sell (remaining).
class ClusterSalesModel : public ColumnTableModel<Api::ClusterSale>
{
    Q_OBJECT

public:
    enum ColumnIndex { SaleColumn, StatusColumn, AllocationColumn, UnleasedColumn, ReservedColumn, RemainingColumn, NodesColumn };

    explicit ClusterSalesModel(QObject *parent = nullptr);
};
