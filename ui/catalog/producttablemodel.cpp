#include "producttablemodel.h"

#include "client/money.h"

#include <QLocale>

ProductTableModel::ProductTableModel(QObject *parent)
    : KeyedTableModel<Api::Product>(parent)
{
}

int ProductTableModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant ProductTableModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case NameColumn: return tr("Product");
    case PriceColumn: return tr("Regular price");
    case StockColumn: return tr("Master stock");
    case DescriptionColumn: return tr("Description");
    default: return {};
    }
}

QVariant ProductTableModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Api::Product &p = item(index.row());
    switch (role) {
    case Qt::DisplayRole:
    case Qt::AccessibleTextRole:
        switch (index.column()) {
        case NameColumn: return p.name;
        case PriceColumn: return Api::Money::format(p.regularPriceCents);
        case StockColumn: return QLocale().toString(p.stock);
        case DescriptionColumn: return p.description.section(QLatin1Char('\n'), 0, 0);
        default: return {};
        }
    case SortRole:
        switch (index.column()) {
        case PriceColumn: return p.regularPriceCents;
        case StockColumn: return p.stock;
        default: return data(index, Qt::DisplayRole);
        }
    case ProductIdRole:
        return p.id;
    case Qt::ToolTipRole:
        return index.column() == DescriptionColumn ? QVariant(p.description) : QVariant();
    case Qt::TextAlignmentRole:
        if (index.column() == PriceColumn || index.column() == StockColumn)
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return {};
    default:
        return {};
    }
}
