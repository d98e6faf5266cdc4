#pragma once

#include <QAbstractTableModel>
#include <QList>
#include <QSet>

#include <type_traits>
#include <utility>

// A table model over items that carry an `id`, for lists the console polls: setItems()
// matches rows by id, so a refresh removes, inserts and updates rows in place (the
// view keeps its selection and scroll position) and signals only what changed.
// T needs an `id` (a number or a string) and operator==.
template<typename T>
class KeyedTableModel : public QAbstractTableModel
{
public:
    using Key = std::decay_t<decltype(std::declval<T>().id)>;
    using QAbstractTableModel::QAbstractTableModel;

    int rowCount(const QModelIndex &parent = {}) const override { return parent.isValid() ? 0 : int(m_items.size()); }

    const T &item(int row) const { return m_items.at(row); }

    int rowOf(const Key &id) const
    {
        for (int row = 0; row < m_items.size(); ++row) {
            if (m_items.at(row).id == id)
                return row;
        }
        return -1;
    }

    void setItems(const QList<T> &items)
    {
        QSet<Key> incoming;
        for (const T &item : items)
            incoming.insert(item.id);
        for (int row = int(m_items.size()) - 1; row >= 0; --row) {
            if (!incoming.contains(m_items.at(row).id)) {
                beginRemoveRows({}, row, row);
                m_items.removeAt(row);
                endRemoveRows();
            }
        }
        for (const T &item : items)
            upsert(item);
    }

    void upsert(const T &item)
    {
        const int row = rowOf(item.id);
        if (row < 0) {
            const int at = int(m_items.size());
            beginInsertRows({}, at, at);
            m_items.append(item);
            endInsertRows();
            return;
        }
        if (m_items.at(row) == item)
            return;
        m_items[row] = item;
        Q_EMIT this->dataChanged(this->index(row, 0), this->index(row, this->columnCount() - 1));
    }

private:
    QList<T> m_items;
};
