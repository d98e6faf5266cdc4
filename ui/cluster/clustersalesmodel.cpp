#include "clustersalesmodel.h"

#include <QLocale>

namespace {

qint64 nodesHoldingStock(const Api::ClusterSale &sale)
{
    qint64 n = 0;
    for (const Api::StockLease &lease : sale.leases)
        n += lease.state == Api::StockLease::State::Active && lease.held > 0 ? 1 : 0;
    return n;
}

} // namespace

ClusterSalesModel::ClusterSalesModel(QObject *parent)
    : ColumnTableModel<Api::ClusterSale>(parent)
{
    addColumn({tr("Sale"), [](const Api::ClusterSale &s) { return s.name; }, {}, false, {},
               [](const Api::ClusterSale &s) { return tr("Sale #%1").arg(s.id); }});
    addColumn({tr("Status"), [](const Api::ClusterSale &s) { return s.status; }});
    addColumn(countColumn(tr("Allocation"), &Api::ClusterSale::allocation));
    addColumn(countColumn(tr("Unleased"), &Api::ClusterSale::unleased));
    addColumn(countColumn(tr("Reserved"), &Api::ClusterSale::reserved));
    Column remaining = countColumn(tr("Remaining"), &Api::ClusterSale::remaining);
    remaining.toolTip = [](const Api::ClusterSale &s) {
        return tr("%1 unleased + %2 held by the nodes").arg(s.unleased).arg(s.remaining - s.unleased);
    };
    addColumn(remaining);
    addColumn({tr("Nodes holding stock"), [](const Api::ClusterSale &s) { return QLocale().toString(nodesHoldingStock(s)); },
               [](const Api::ClusterSale &s) { return nodesHoldingStock(s); }, true});
}
