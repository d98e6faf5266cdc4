#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>

#include <array>

// At most `limit` events per key in each fixed window (per shopper, per client address).
// Thread-safe; keys are spread over stripes so HTTP threads rarely meet. Memory stays
// bounded: a stripe drops the keys of past windows when it grows large.
class JoinLimiter
{
public:
    JoinLimiter(int limit, qint64 windowMs) : m_limit(limit), m_windowMs(qMax<qint64>(1, windowMs)) {}

    // Counts one event; returns 0 if it is allowed, else milliseconds until the next window.
    qint64 hit(const QByteArray &key, qint64 nowMs);
    bool enabled() const { return m_limit > 0; }

private:
    struct Window
    {
        qint64 start = 0;
        int count = 0;
    };
    struct Stripe
    {
        QMutex mutex;
        QHash<QByteArray, Window> windows;
    };
    static constexpr size_t stripeCount = 16;

    const int m_limit;
    const qint64 m_windowMs;
    std::array<Stripe, stripeCount> m_stripes;
};
