#pragma once

#include "keyedtablemodel.h"

#include <QList>
#include <QLocale>
#include <QVariant>

#include <functional>

// A KeyedTableModel whose columns are described once each: a title, the text of a
// cell, and optionally what it sorts by, whether it is a number (right-aligned), its
// colour and its tool tip. Views sort by SortRole.
template<typename T>
class ColumnTableModel : public KeyedTableModel<T>
{
public:
    enum Role { SortRole = Qt::UserRole + 1 };
    using Cell = std::function<QVariant(const T &)>;
    struct Column
    {
        QString title;
        Cell text;
        Cell sortKey = {};    // empty: the text
        bool number = false;  // right-aligned
        Cell foreground = {}; // a QColor or QBrush; empty: the palette's
        Cell toolTip = {};
    };

    using KeyedTableModel<T>::KeyedTableModel;

    // A count in the locale's digits, right-aligned, sorted as a number.
    static Column countColumn(const QString &title, qint64 T::*field)
    {
        return {title, [field](const T &item) { return QLocale().toString(item.*field); }, [field](const T &item) { return item.*field; },
                true};
    }

    int columnCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_columns.size()); }

    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override
    {
        if (orientation == Qt::Horizontal && role == Qt::DisplayRole && section >= 0 && section < m_columns.size())
            return m_columns.at(section).title;
        return KeyedTableModel<T>::headerData(section, orientation, role);
    }

    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override
    {
        if (!this->checkIndex(index, QAbstractItemModel::CheckIndexOption::IndexIsValid | QAbstractItemModel::CheckIndexOption::ParentIsInvalid))
            return {};
        const T &item = this->item(index.row());
        const Column &column = m_columns.at(index.column());
        switch (role) {
        case Qt::DisplayRole:
        case Qt::AccessibleTextRole:
            return column.text(item);
        case SortRole:
            return column.sortKey ? column.sortKey(item) : column.text(item);
        case Qt::TextAlignmentRole:
            return column.number ? QVariant(Qt::AlignRight | Qt::AlignVCenter) : QVariant();
        case Qt::ForegroundRole:
            return column.foreground ? column.foreground(item) : QVariant();
        case Qt::ToolTipRole:
            return column.toolTip ? column.toolTip(item) : QVariant();
        default:
            return {};
        }
    }

    // Says that one column of every row may read differently now (text that depends on
    // the clock, such as "2.1 s ago").
    void columnChanged(int column)
    {
        if (this->rowCount() > 0)
            Q_EMIT this->dataChanged(this->index(0, column), this->index(this->rowCount() - 1, column));
    }

protected:
    void addColumn(Column column) { m_columns.append(std::move(column)); }

private:
    QList<Column> m_columns;
};
