#pragma once

#include "workload.h"

#include <deque>
#include <string>
#include <vector>

class RunMetrics;

// The shoppers of a run, registered over HTTP before the clock starts: the header line
// each one sends ("Authorization: Bearer ...\r\n"), empty for one that failed.
struct Crowd
{
    std::vector<std::string> authorization;
    std::vector<qint64> tickets; // waiting-room ticket per shopper, 0: none
    int ready() const;
};

// The indexes of the shoppers holding a token (and a ticket, when `needTicket`).
std::vector<qint64> shoppersWithToken(const Crowd &crowd, bool needTicket);

// POST /users then POST /token for each shopper, retried up to three times each.
class RegisterWorkload : public Workload
{
public:
    RegisterWorkload(RunMetrics &metrics, Crowd &crowd, int count, const std::string &prefix);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &request, const Answer &answer, qint64 nowNs) override;
    bool done(qint64 nowNs) const override;
    QString progress() const override;

private:
    enum Kind { Register = 1, Login = 2 };
    std::string email(qint64 i) const;
    Crowd &m_crowd;
    std::string m_prefix;
    std::deque<std::pair<qint64, int>> m_todo; // shopper, kind
    std::vector<quint8> m_attempts;
    qint64 m_finished = 0;
    qint64 m_count;
    int m_registerEndpoint;
    int m_loginEndpoint;
};

// POST /sales/{id}/queue once per shopper (retried up to three times); keeps the tickets.
class JoinWorkload : public Workload
{
public:
    JoinWorkload(RunMetrics &metrics, Crowd &crowd, qint64 saleId);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &request, const Answer &answer, qint64 nowNs) override;
    bool done(qint64 nowNs) const override;
    QString progress() const override;
    qint64 joined() const { return m_joined; }

private:
    Crowd &m_crowd;
    std::string m_path;
    std::deque<qint64> m_todo;
    std::vector<quint8> m_attempts;
    qint64 m_finished = 0;
    qint64 m_joined = 0;
    qint64 m_count = 0;
    int m_endpoint;
};
