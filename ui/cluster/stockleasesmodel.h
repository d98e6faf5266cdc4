#pragma once

#include "client/clusterstatus.h"
#include "common/columntablemodel.h"

#include <QColor>

// The lease of each node on each sale: granted, reserved (sold from it), held (not yet
// sold), its state and when it expires unless renewed.
class StockLeasesModel : public ColumnTableModel<Api::StockLease>
{
    Q_OBJECT

public:
    enum ColumnIndex { SaleColumn, NodeColumn, StateColumn, GrantedColumn, ReservedColumn, HeldColumn, ExpiresColumn, LeasesTakenColumn };

    explicit StockLeasesModel(QObject *parent = nullptr);

    // The leases, with the server's clock when it answered (expiries are read on it).
    void setLeases(const QList<Api::StockLease> &leases, const QDateTime &serverTime);

    static QString stateText(Api::StockLease::State state);
    static QColor stateColor(Api::StockLease::State state);

private:
    QDateTime m_serverTime;
};
