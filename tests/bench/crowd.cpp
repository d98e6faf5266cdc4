#include "crowd.h"

#include "runmetrics.h"

std::vector<qint64> shoppersWithToken(const Crowd &crowd, bool needTicket)
{
    std::vector<qint64> ready;
    for (qint64 i = 0; i < qint64(crowd.authorization.size()); ++i) {
        if (!crowd.authorization[size_t(i)].empty() && (!needTicket || crowd.tickets[size_t(i)] > 0))
            ready.push_back(i);
    }
    return ready;
}

int Crowd::ready() const
{
    int n = 0;
    for (const auto &a : authorization)
        n += a.empty() ? 0 : 1;
    return n;
}

RegisterWorkload::RegisterWorkload(RunMetrics &metrics, Crowd &crowd, int count, const std::string &prefix)
    : m_crowd(crowd)
    , m_prefix(prefix)
    , m_attempts(size_t(count), 0)
    , m_count(count)
    , m_registerEndpoint(metrics.endpoint(QStringLiteral("POST /users")))
    , m_loginEndpoint(metrics.endpoint(QStringLiteral("POST /token")))
{
    m_crowd.authorization.assign(size_t(count), std::string());
    m_crowd.tickets.assign(size_t(count), 0);
    for (qint64 i = 0; i < count; ++i)
        m_todo.emplace_back(i, Register);
}

std::string RegisterWorkload::email(qint64 i) const
{
    return m_prefix + "-" + std::to_string(i) + "@bench.test";
}

bool RegisterWorkload::next(qint64, Outgoing &out)
{
    if (m_todo.empty())
        return false;
    const auto [i, kind] = m_todo.front();
    m_todo.pop_front();
    const std::string password = "bench-password-" + std::to_string(i);
    out.tag = i;
    out.kind = kind;
    if (kind == Register) {
        out.endpoint = m_registerEndpoint;
        out.bytes = httpRequest("POST", "/users", {},
                                "{\"email\":\"" + email(i) + "\",\"password\":\"" + password + "\",\"name\":\"Shopper " + std::to_string(i) + "\"}");
    } else {
        out.endpoint = m_loginEndpoint;
        out.bytes = httpRequest("POST", "/token", {}, "{\"username\":\"" + email(i) + "\",\"password\":\"" + password + "\"}");
    }
    return true;
}

void RegisterWorkload::answered(const Outgoing &request, const Answer &answer, qint64)
{
    const qint64 i = request.tag;
    if (request.kind == Register && answer.status == 202) { // also when an earlier attempt registered it
        m_todo.emplace_back(i, Login);
        return;
    }
    if (request.kind == Login && answer.status == 200) {
        const std::string_view token = jsonString(answer.body, "accessToken");
        if (!token.empty()) {
            m_crowd.authorization[size_t(i)] = "Authorization: Bearer " + std::string(token) + "\r\n";
            ++m_finished;
            return;
        }
    }
    if (++m_attempts[size_t(i)] < 4)
        m_todo.emplace_back(i, request.kind);
    else
        ++m_finished; // given up: the shopper stays without a token
}

bool RegisterWorkload::done(qint64) const
{
    return m_finished >= m_count;
}

QString RegisterWorkload::progress() const
{
    return QStringLiteral("shoppers ready %1/%2").arg(m_finished).arg(m_count);
}

JoinWorkload::JoinWorkload(RunMetrics &metrics, Crowd &crowd, qint64 saleId)
    : m_crowd(crowd)
    , m_path("/sales/" + std::to_string(saleId) + "/queue")
    , m_attempts(crowd.authorization.size(), 0)
    , m_endpoint(metrics.endpoint(QStringLiteral("POST /sales/{id}/queue")))
{
    for (qint64 i = 0; i < qint64(crowd.authorization.size()); ++i) {
        if (!crowd.authorization[size_t(i)].empty())
            m_todo.push_back(i);
    }
    m_count = qint64(m_todo.size());
}

bool JoinWorkload::next(qint64, Outgoing &out)
{
    if (m_todo.empty())
        return false;
    const qint64 i = m_todo.front();
    m_todo.pop_front();
    out.tag = i;
    out.endpoint = m_endpoint;
    out.bytes = httpRequest("POST", m_path, m_crowd.authorization[size_t(i)]);
    return true;
}

void JoinWorkload::answered(const Outgoing &request, const Answer &answer, qint64)
{
    const qint64 i = request.tag;
    if (answer.status == 201 || answer.status == 200) {
        m_crowd.tickets[size_t(i)] = jsonInteger(answer.body, "ticket");
        ++m_joined;
        ++m_finished;
        return;
    }
    if (++m_attempts[size_t(i)] < 4 && answer.status != 409)
        m_todo.push_back(i);
    else
        ++m_finished;
}

bool JoinWorkload::done(qint64) const
{
    return m_finished >= m_count;
}

QString JoinWorkload::progress() const
{
    return QStringLiteral("joined %1/%2").arg(m_joined).arg(m_count);
}
