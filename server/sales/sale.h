#pragma once

#include "inventory/salestock.h"

#include <QJsonObject>
#include <QString>

#include <atomic>

enum class SaleStatus { Scheduled, Active, SoldOut, Ended };
QString toString(SaleStatus status);

// One flash sale in memory: what was scheduled (fixed), its window (the end may move
// when a merchant ends it early) and its live stock.
class Sale
{
public:
    struct Terms
    {
        qint64 id = 0;
        QString name;
        qint64 productId = 0;
        QString productName;
        qint64 salePriceCents = 0;
        qint64 regularPriceCents = 0;
        qint64 quantity = 0;
        int perUserLimit = 1;
        qint64 startMs = 0;
        qint64 endMs = 0;
        qint64 createdAtMs = 0;
    };

    explicit Sale(Terms terms);

    const Terms &terms() const { return m_terms; }
    qint64 id() const { return m_terms.id; }
    // The window as it stands: an operator may start a sale early or end it early, so
    // these can differ from terms().startMs / terms().endMs (the window as scheduled).
    qint64 startMs() const { return m_startMs.load(std::memory_order_acquire); }
    void setStartMs(qint64 startMs) { m_startMs.store(startMs, std::memory_order_release); }
    qint64 endMs() const { return m_endMs.load(std::memory_order_acquire); }
    void setEndMs(qint64 endMs) { m_endMs.store(endMs, std::memory_order_release); }
    SaleStatus statusAt(qint64 nowMs) const;
    bool isOpenAt(qint64 nowMs) const { return nowMs >= startMs() && nowMs < endMs(); }

    // Units left in the whole sale. On a single node that is the stock in memory; a
    // cluster node's memory holds only its lease, so it is told the sale-wide figure.
    qint64 remaining() const;
    void setSaleWideRemaining(qint64 units) { m_saleWideRemaining.store(units, std::memory_order_release); }
    // Nothing left, and no units in flight on this node that a failed commit could still
    // give back: only then is the sale sold out.
    bool isSoldOut() const { return remaining() == 0 && m_stock.inFlight() <= 0; }

    SaleStock &stock() { return m_stock; }
    const SaleStock &stock() const { return m_stock; }

    // What a reader is told of the sale at one moment, but for the clock: read once, so
    // the figures agree with each other, and comparable, so a rendering can be reused.
    struct Figures
    {
        qint64 remaining = 0;
        qint64 startMs = 0;
        qint64 endMs = 0;
        SaleStatus status = SaleStatus::Scheduled;
        bool operator==(const Figures &o) const
        {
            return remaining == o.remaining && startMs == o.startMs && endMs == o.endMs && status == o.status;
        }
    };
    Figures figuresAt(qint64 nowMs) const;
    // The sale as the API shows it, without serverTime.
    QJsonObject describe(const Figures &figures) const;
    // describe(figuresAt(nowMs)) with serverTime.
    QJsonObject toJson(qint64 nowMs) const;

private:
    Terms m_terms;
    std::atomic<qint64> m_startMs;
    std::atomic<qint64> m_endMs;
    std::atomic<qint64> m_saleWideRemaining{-1}; // -1: not clustered
    SaleStock m_stock;
};
