#pragma once

#include "crowd.h"
#include "workload.h"

#include <QSet>
#include <QString>

#include <deque>
#include <functional>
#include <vector>

// The herd at sale start: every shopper holds a ticket; each polls its status until
// admitted (again after `pollIntervalMs` while waiting), then buys one unit with its
// admission token and an idempotency key, and is done on 202, on 409, or once its
// status says sold out. Admitted shoppers go before pollers. Counts units sold and the
// moment the last unit went.
class HerdWorkload : public Workload
{
public:
    HerdWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId, qint64 units, int pollIntervalMs, qint64 startNs);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &request, const Answer &answer, qint64 nowNs) override;
    bool done(qint64 nowNs) const override;
    void eachSecond(qint64 second, RunMetrics &metrics) override;
    QString progress() const override;

    // Sampled once a second for the stock-and-orders chart (may be empty).
    std::function<qint64()> finalOrdersProbe;

    qint64 unitsSold() const { return m_sold; }
    double soldOutSeconds() const { return m_soldOutNs > 0 ? double(m_soldOutNs - m_startNs) / 1e9 : -1; }
    qint64 soldOutNs() const { return m_soldOutNs; }
    const QSet<QString> &acceptedOrders() const { return m_accepted; }
    qint64 admittedSeen() const { return m_admitted; }
    qint64 shoppersDone() const { return m_finished; }
    qint64 giveUps() const { return m_gaveUp; }

private:
    enum Kind { Poll = 1, Buy = 2 };
    struct Shopper
    {
        std::string admissionToken;
        quint8 attempts = 0;
        bool finished = false;
    };
    void finish(qint64 i);
    void retry(qint64 i, int kind, qint64 nowNs);

    const Crowd &m_crowd;
    std::string m_salePath;
    qint64 m_units;
    qint64 m_pollNs;
    qint64 m_startNs;
    std::vector<Shopper> m_shoppers;
    std::deque<qint64> m_buyers;                   // admitted, ready to buy
    std::deque<std::pair<qint64, qint64>> m_polls; // (due time, shopper): due times never decrease
    std::deque<std::pair<qint64, qint64>> m_retries; // purchases to retry (due time, shopper)
    QSet<QString> m_accepted;
    qint64 m_sold = 0;
    qint64 m_soldOutNs = 0;
    qint64 m_admitted = 0;
    qint64 m_finished = 0;
    qint64 m_count = 0;
    qint64 m_gaveUp = 0;
    int m_pollEndpoint;
    int m_buyEndpoint;
};
