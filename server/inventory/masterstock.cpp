#include "masterstock.h"

std::optional<qint64> MasterStock::level(qint64 productId) const
{
    QReadLocker lock(&m_lock);
    const auto it = m_levels.constFind(productId);
    if (it == m_levels.constEnd())
        return std::nullopt;
    return *it;
}

void MasterStock::set(qint64 productId, qint64 level)
{
    QWriteLocker lock(&m_lock);
    m_levels.insert(productId, level);
}

void MasterStock::add(qint64 productId, qint64 delta)
{
    QWriteLocker lock(&m_lock);
    m_levels[productId] += delta;
}
