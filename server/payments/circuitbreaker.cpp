#include "circuitbreaker.h"

CircuitBreaker::State CircuitBreaker::stateLocked(qint64 nowMs) const
{
    if (m_openedAt < 0)
        return State::Closed;
    return nowMs - m_openedAt >= m_settings.openMs ? State::HalfOpen : State::Open;
}

CircuitBreaker::State CircuitBreaker::state(qint64 nowMs) const
{
    QMutexLocker lock(&m_mutex);
    return stateLocked(nowMs);
}

bool CircuitBreaker::allow(qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    switch (stateLocked(nowMs)) {
    case State::Closed:
        return true;
    case State::Open:
        return false;
    case State::HalfOpen:
        if (m_trialInFlight)
            return false;
        m_trialInFlight = true;
        return true;
    }
    return false;
}

void CircuitBreaker::recordSuccess(qint64 nowMs)
{
    Q_UNUSED(nowMs)
    QMutexLocker lock(&m_mutex);
    if (m_openedAt >= 0)
        ++m_timesClosed;
    m_openedAt = -1;
    m_trialInFlight = false;
    m_failures.clear();
}

void CircuitBreaker::recordFailure(qint64 nowMs)
{
    QMutexLocker lock(&m_mutex);
    if (m_openedAt >= 0) { // the half-open trial failed (or a late failure while open)
        if (m_trialInFlight || stateLocked(nowMs) == State::HalfOpen) {
            m_openedAt = nowMs;
            ++m_timesOpened;
        }
        m_trialInFlight = false;
        return;
    }
    m_failures.push_back(nowMs);
    while (!m_failures.empty() && nowMs - m_failures.front() > m_settings.windowMs)
        m_failures.pop_front();
    if (int(m_failures.size()) >= m_settings.failureThreshold) {
        m_openedAt = nowMs;
        ++m_timesOpened;
        m_failures.clear();
    }
}

quint64 CircuitBreaker::timesOpened() const
{
    QMutexLocker lock(&m_mutex);
    return m_timesOpened;
}

quint64 CircuitBreaker::timesClosed() const
{
    QMutexLocker lock(&m_mutex);
    return m_timesClosed;
}

QString CircuitBreaker::toString(State state)
{
    switch (state) {
    case State::Closed: return QStringLiteral("closed");
    case State::Open: return QStringLiteral("open");
    case State::HalfOpen: return QStringLiteral("half-open");
    }
    return {};
}
