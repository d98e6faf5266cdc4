#pragma once

#include "client/product.h"
#include "common/keyedtablemodel.h"

// The catalog: one row per product, with its master stock.
class ProductTableModel : public KeyedTableModel<Api::Product>
{
    Q_OBJECT

public:
    enum Column { NameColumn, PriceColumn, StockColumn, DescriptionColumn, ColumnCount };
    enum Role { ProductIdRole = Qt::UserRole, SortRole };

    explicit ProductTableModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;
};
