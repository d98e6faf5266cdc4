#include "sale.h"

#include "core/timeutil.h"

QString toString(SaleStatus status)
{
    switch (status) {
    case SaleStatus::Scheduled: return QStringLiteral("Scheduled");
    case SaleStatus::Active: return QStringLiteral("Active");
    case SaleStatus::SoldOut: return QStringLiteral("SoldOut");
    case SaleStatus::Ended: return QStringLiteral("Ended");
    }
    return {};
}

Sale::Sale(Terms terms)
    : m_terms(std::move(terms))
    , m_startMs(m_terms.startMs)
    , m_endMs(m_terms.endMs)
    , m_stock(m_terms.quantity, m_terms.perUserLimit)
{
}

qint64 Sale::remaining() const
{
    const qint64 saleWide = m_saleWideRemaining.load(std::memory_order_acquire);
    return saleWide >= 0 ? saleWide : m_stock.remaining();
}

SaleStatus Sale::statusAt(qint64 nowMs) const
{
    if (nowMs < startMs())
        return SaleStatus::Scheduled;
    if (nowMs >= endMs())
        return SaleStatus::Ended;
    if (isSoldOut())
        return SaleStatus::SoldOut;
    return SaleStatus::Active;
}

QJsonObject Sale::toJson(qint64 nowMs) const
{
    const qint64 left = remaining();
    return {{QStringLiteral("saleId"), m_terms.id},
            {QStringLiteral("name"), m_terms.name},
            {QStringLiteral("productId"), m_terms.productId},
            {QStringLiteral("productName"), m_terms.productName},
            {QStringLiteral("salePrice"), centsToAmount(m_terms.salePriceCents)},
            {QStringLiteral("regularPrice"), centsToAmount(m_terms.regularPriceCents)},
            {QStringLiteral("quantity"), m_terms.quantity},
            {QStringLiteral("remainingStock"), left},
            {QStringLiteral("sold"), m_terms.quantity - left},
            {QStringLiteral("perUserLimit"), m_terms.perUserLimit},
            {QStringLiteral("startTime"), isoUtc(startMs())},
            {QStringLiteral("endTime"), isoUtc(endMs())},
            {QStringLiteral("status"), toString(statusAt(nowMs))},
            {QStringLiteral("serverTime"), isoUtc(nowMs)}};
}
