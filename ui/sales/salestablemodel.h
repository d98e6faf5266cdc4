#pragma once

#include "client/sale.h"
#include "common/keyedtablemodel.h"

// The sales the server knows, one row each, kept up to date by setItems() (rows matched
// by sale id) and upsert() (a sale just created).
class SalesTableModel : public KeyedTableModel<Api::Sale>
{
    Q_OBJECT

public:
    enum Column { NameColumn, StateColumn, WindowColumn, PriceColumn, SoldColumn, RemainingColumn, PerUserLimitColumn, ColumnCount };
    enum Role { SaleIdRole = Qt::UserRole, SortRole };

    explicit SalesTableModel(QObject *parent = nullptr);

    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // "Active (ends in 1:59:30)": the state, and how long until it next changes.
    static QString stateText(const Api::Sale &sale);
    // The sale window in local time: "25/11/2025 14:00 – 16:00".
    static QString windowText(const Api::Sale &sale);

private:
    QVariant display(const Api::Sale &sale, int column) const;
    QVariant sortKey(const Api::Sale &sale, int column) const;
};
