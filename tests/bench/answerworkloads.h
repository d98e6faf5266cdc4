#pragma once

#include "crowd.h"
#include "workload.h"

#include <QString>

#include <functional>
#include <map>

// Workloads of the `answers` scenario (issue 16) and the same-headers baseline.

// GET /health/live sent with everything a purchase sends: a real shopper's Authorization,
// Content-Type, Content-Length with the purchase's body, and an Idempotency-Key padded so
// that the request has the purchase's byte count. The trivial route's cost with the
// headers every purchase carries: the baseline the targets are ratios to.
class SameHeadersHealthWorkload : public Workload
{
public:
    SameHeadersHealthWorkload(RunMetrics &metrics, const Crowd &crowd, qint64 saleId);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &, const Answer &, qint64) override {}
    bool done(qint64) const override { return false; }
    static QString endpointName() { return QStringLiteral("GET /health/live (purchase headers)"); }

private:
    const Crowd &m_crowd;
    std::vector<qint64> m_ready;
    std::string m_purchasePath;
    qint64 m_sequence = 0;
    int m_endpoint;
};

// One request kind repeated by the crowd in turn (shopper n % crowd), each answer
// expected to have one status; anything else is counted as unexpected. With `limit` > 0
// the workload is done after that many answers (one pass over the crowd, say).
class RepeatedAnswerWorkload : public Workload
{
public:
    // Builds request number n for shopper i (an index into the crowd).
    using Build = std::function<std::string(qint64 shopper, qint64 n)>;
    RepeatedAnswerWorkload(RunMetrics &metrics, const Crowd &crowd, const QString &endpointName, int expectedStatus, Build build,
                           qint64 limit = 0, bool needTicket = false);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &request, const Answer &answer, qint64 nowNs) override;
    bool done(qint64) const override { return m_limit > 0 && m_answered >= m_limit; }
    QString progress() const override;

    int expectedStatus() const { return m_expected; }
    qint64 expected() const { return m_answered - unexpected(); }
    qint64 unexpected() const;
    const std::map<int, qint64> &unexpectedByStatus() const { return m_unexpected; }

private:
    std::vector<qint64> m_ready;
    Build m_build;
    qint64 m_limit;
    qint64 m_sequence = 0;
    qint64 m_answered = 0;
    int m_expected;
    int m_endpoint;
    std::map<int, qint64> m_unexpected;
};
