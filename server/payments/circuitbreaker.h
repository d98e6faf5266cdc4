#pragma once

#include <QMutex>
#include <QString>

#include <deque>

// Opens after `failureThreshold` failures within `windowMs`; while open, calls are
// refused without trying. After `openMs` one trial call is let through (half-open):
// its success closes the circuit, its failure opens it again. Thread-safe. Times are
// steady-clock milliseconds passed in by the caller, so tests can drive the clock.
class CircuitBreaker
{
public:
    enum class State { Closed, Open, HalfOpen };
    struct Settings
    {
        int failureThreshold = 5;
        qint64 windowMs = 30000;
        qint64 openMs = 30000;
    };
    explicit CircuitBreaker(Settings settings) : m_settings(settings) {}

    // True if a call may be made now. In half-open state only one caller gets true
    // until it reports back.
    bool allow(qint64 nowMs);
    void recordSuccess(qint64 nowMs);
    void recordFailure(qint64 nowMs);
    State state(qint64 nowMs) const;
    quint64 timesOpened() const;
    quint64 timesClosed() const; // a success while open or half-open (the trial, or a late answer)

    static QString toString(State state);

private:
    State stateLocked(qint64 nowMs) const;
    const Settings m_settings;
    mutable QMutex m_mutex;
    std::deque<qint64> m_failures;
    qint64 m_openedAt = -1; // >= 0 while open or half-open
    bool m_trialInFlight = false;
    quint64 m_timesOpened = 0;
    quint64 m_timesClosed = 0;
};
