#pragma once

#include "client/product.h"
#include "common/columntablemodel.h"

// The catalog: one row per product, with its master stock.
class ProductTableModel : public ColumnTableModel<Api::Product>
{
    Q_OBJECT

public:
    enum ColumnIndex { NameColumn, PriceColumn, StockColumn, DescriptionColumn };

    explicit ProductTableModel(QObject *parent = nullptr);
};
