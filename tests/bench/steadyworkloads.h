#pragma once

#include "crowd.h"
#include "workload.h"

#include <QSet>
#include <QString>

// Workloads that repeat one request mix for as long as the phase lasts.

// GET /health/live: the framework's ceiling, the baseline every figure is divided by.
class HealthWorkload : public Workload
{
public:
    explicit HealthWorkload(RunMetrics &metrics);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &, const Answer &, qint64) override {}
    bool done(qint64) const override { return false; }

private:
    std::string m_request;
    int m_endpoint;
};

// One unit per attempt, shoppers in turn, a fresh idempotency key each time; keeps the
// order ids of every 202 for the audit.
class PurchaseWorkload : public Workload
{
public:
    PurchaseWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId, const std::string &keyPrefix);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &request, const Answer &answer, qint64 nowNs) override;
    bool done(qint64) const override { return false; }
    void eachSecond(qint64 second, RunMetrics &metrics) override;
    QString progress() const override;
    const QSet<QString> &acceptedOrders() const { return m_accepted; }
    qint64 accepted() const { return m_acceptedCount; }

private:
    const Crowd &m_crowd;
    std::vector<qint64> m_ready; // shoppers with a token
    std::string m_path;
    std::string m_keyPrefix;
    qint64 m_sequence = 0;
    QSet<QString> m_accepted;
    qint64 m_acceptedCount = 0;
    int m_endpoint;
};

// The crowd after the last unit went: joins and purchase attempts, all of which should be
// refused from memory (409) and none with a 5xx.
class SoldOutWorkload : public Workload
{
public:
    SoldOutWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &request, const Answer &answer, qint64 nowNs) override;
    bool done(qint64) const override { return false; }
    qint64 unexpected() const { return m_unexpected; } // a 2xx: something was sold

private:
    const Crowd &m_crowd;
    std::vector<qint64> m_ready;
    std::string m_path;
    qint64 m_sequence = 0;
    qint64 m_unexpected = 0;
    int m_joinEndpoint;
    int m_buyEndpoint;
};

// The warm-up reads: the sales list, one sale, its product, and shoppers' queue status.
class BrowseWorkload : public Workload
{
public:
    BrowseWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId, qint64 productId);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &, const Answer &, qint64) override {}
    bool done(qint64) const override { return false; }

private:
    const Crowd &m_crowd;
    std::vector<qint64> m_ticketed;
    std::string m_salePath;
    std::string m_fixed[3];
    int m_endpoints[4];
    qint64 m_sequence = 0;
};
