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

Sale::Figures Sale::figuresAt(qint64 nowMs) const
{
    return {remaining(), startMs(), endMs(), statusAt(nowMs)};
}

QJsonObject Sale::describe(const Figures &f) const
{
    return {{QStringLiteral("saleId"), m_terms.id},
            {QStringLiteral("name"), m_terms.name},
            {QStringLiteral("productId"), m_terms.productId},
            {QStringLiteral("productName"), m_terms.productName},
            {QStringLiteral("salePrice"), centsToAmount(m_terms.salePriceCents)},
            {QStringLiteral("regularPrice"), centsToAmount(m_terms.regularPriceCents)},
            {QStringLiteral("quantity"), m_terms.quantity},
            {QStringLiteral("remainingStock"), f.remaining},
            {QStringLiteral("sold"), m_terms.quantity - f.remaining},
            {QStringLiteral("perUserLimit"), m_terms.perUserLimit},
            {QStringLiteral("startTime"), isoUtc(f.startMs)},
            {QStringLiteral("endTime"), isoUtc(f.endMs)},
            {QStringLiteral("status"), toString(f.status)}};
}

QJsonObject Sale::toJson(qint64 nowMs) const
{
    QJsonObject o = describe(figuresAt(nowMs));
    o.insert(QStringLiteral("serverTime"), isoUtc(nowMs));
    return o;
}
