#pragma once

#include "client/sale.h"
#include "common/columntablemodel.h"

// The sales the server knows, one row each, kept up to date by setItems() (rows matched
// by sale id) and upsert() (a sale just created).
class SalesTableModel : public ColumnTableModel<Api::Sale>
{
    Q_OBJECT

public:
    enum ColumnIndex { NameColumn, StateColumn, WindowColumn, PriceColumn, SoldColumn, RemainingColumn, PerUserLimitColumn };

    explicit SalesTableModel(QObject *parent = nullptr);

    // "Active (ends in 1:59:30)": the state, and how long until it next changes.
    static QString stateText(const Api::Sale &sale);
    // The sale window in local time: "25/11/2025 14:00 – 16:00".
    static QString windowText(const Api::Sale &sale);
};
