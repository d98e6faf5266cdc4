#pragma once

#include <QHash>
#include <QReadWriteLock>

#include <optional>

// The master stock of every product, mirrored in memory from the `inventory` table so
// GET /stock/{id} and the catalog never query the database. Writers change the table
// first, in their own transaction, then set the value here.
class MasterStock
{
public:
    std::optional<qint64> level(qint64 productId) const;
    void set(qint64 productId, qint64 level);
    void add(qint64 productId, qint64 delta);

private:
    mutable QReadWriteLock m_lock;
    QHash<qint64, qint64> m_levels;
};
