#include "orderstablemodel.h"

#include "client/money.h"

#include <QLocale>

OrdersTableModel::OrdersTableModel(QObject *parent)
    : KeyedTableModel<Api::Order>(parent)
{
}

int OrdersTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant OrdersTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case OrderIdColumn: return tr("Order");
    case StateColumn: return tr("State");
    case ShopperColumn: return tr("Shopper (user id)");
    case QuantityColumn: return tr("Quantity");
    case TotalColumn: return tr("Total");
    case CreatedColumn: return tr("Created");
    case UpdatedColumn: return tr("Updated");
    default: return {};
    }
}

QVariant OrdersTableModel::display(const Api::Order &o, int column) const
{
    switch (column) {
    case OrderIdColumn: return o.id;
    case StateColumn: return o.failureReason.isEmpty() ? o.state() : tr("%1 (%2)").arg(o.state(), o.failureReason);
    case ShopperColumn: return QString::number(o.userId);
    case QuantityColumn: return QLocale().toString(o.quantity);
    case TotalColumn: return Api::Money::format(o.totalCents);
    case CreatedColumn: return QLocale().toString(o.createdAt.toLocalTime(), QLocale::ShortFormat);
    case UpdatedColumn: return QLocale().toString(o.updatedAt.toLocalTime(), QLocale::ShortFormat);
    default: return {};
    }
}

QVariant OrdersTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Api::Order &o = item(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        return display(o, index.column());
    case SortRole:
        switch (index.column()) {
        case ShopperColumn: return o.userId;
        case QuantityColumn: return o.quantity;
        case TotalColumn: return o.totalCents;
        case CreatedColumn: return o.createdAt;
        case UpdatedColumn: return o.updatedAt;
        default: return display(o, index.column());
        }
    default:
        return {};
    }
}
