#include "salestock.h"

#include <algorithm>

SaleStock::SaleStock(qint64 quantity, int perUserLimit)
    : m_quantity(quantity)
    , m_perUserLimit(perUserLimit)
    , m_remaining(quantity)
{
}

QByteArray SaleStock::keyOf(qint64 userId, const QByteArray &key)
{
    return QByteArray::number(userId) + ':' + key;
}

int SaleStock::heldBy(qint64 userId) const
{
    const Stripe &s = stripe(userId);
    QMutexLocker lock(&s.mutex);
    return s.unitsByUser.value(userId);
}

SaleStock::Result SaleStock::tryReserve(qint64 userId, const QByteArray &idempotencyKey, int quantity,
                                        const QString &newOrderId, bool open, qint64 nowMs, qint64 rateLimitMs)
{
    Result r;
    Stripe &s = stripe(userId);
    const QByteArray key = keyOf(userId, idempotencyKey);
    QMutexLocker lock(&s.mutex);
    if (m_retired.load(std::memory_order_acquire)) {
        r.outcome = Outcome::Retired;
        return r;
    }
    const auto known = s.byKey.constFind(key);
    if (known != s.byKey.constEnd()) {
        r.outcome = Outcome::Replayed;
        r.orderId = known->orderId;
        r.quantity = known->quantity;
        return r;
    }
    if (!open) {
        r.outcome = Outcome::Closed;
        return r;
    }
    if (rateLimitMs > 0) {
        const auto last = s.lastAttemptMs.constFind(userId);
        if (last != s.lastAttemptMs.constEnd() && nowMs - *last < rateLimitMs) {
            r.outcome = Outcome::RateLimited;
            r.retryAfterMs = rateLimitMs - (nowMs - *last);
            return r;
        }
        r.previousAttemptMs = last != s.lastAttemptMs.constEnd() ? *last : -1;
        r.attemptMs = nowMs;
        s.lastAttemptMs.insert(userId, nowMs);
    }
    const int held = s.unitsByUser.value(userId);
    if (held + quantity > m_perUserLimit) {
        r.outcome = Outcome::LimitReached;
        r.heldByUser = held;
        return r;
    }
    // An empty stock is answered without marking units in flight: the mark of an attempt
    // that takes nothing would make a concurrent attempt on the same empty sale wait for
    // commits, and after a few waits answer 503 instead of sold out.
    qint64 left = m_remaining.load(std::memory_order_acquire);
    if (left < quantity) {
        r.outcome = left == 0 ? Outcome::SoldOut : Outcome::NotEnoughStock;
        return r;
    }
    // In flight before the units leave `remaining`: whoever then finds the stock empty
    // also sees that units may come back.
    m_inFlight.fetch_add(quantity, std::memory_order_acq_rel);
    left = m_remaining.load(std::memory_order_acquire);
    do {
        if (left < quantity) {
            m_inFlight.fetch_sub(quantity, std::memory_order_acq_rel);
            r.outcome = left == 0 ? Outcome::SoldOut : Outcome::NotEnoughStock;
            return r;
        }
    } while (!m_remaining.compare_exchange_weak(left, left - quantity, std::memory_order_acq_rel));
    s.unitsByUser.insert(userId, held + quantity);
    s.byKey.insert(key, Entry{newOrderId, quantity, true});
    r.outcome = Outcome::Reserved;
    r.orderId = newOrderId;
    r.quantity = quantity;
    return r;
}

bool SaleStock::knows(qint64 userId, const QByteArray &idempotencyKey) const
{
    const Stripe &s = stripe(userId);
    QMutexLocker lock(&s.mutex);
    return s.byKey.contains(keyOf(userId, idempotencyKey));
}

qint64 SaleStock::takeUnits(qint64 max)
{
    qint64 left = m_remaining.load(std::memory_order_acquire);
    qint64 taken = 0;
    do {
        taken = std::min(left, max);
        if (taken <= 0)
            return 0;
    } while (!m_remaining.compare_exchange_weak(left, left - taken, std::memory_order_acq_rel));
    return taken;
}

bool SaleStock::release(qint64 userId, const QByteArray &idempotencyKey, bool forgetKey, bool returnUnits)
{
    Stripe &s = stripe(userId);
    const QByteArray key = keyOf(userId, idempotencyKey);
    QMutexLocker lock(&s.mutex);
    auto it = s.byKey.find(key);
    if (it == s.byKey.end() || !it->holdsUnits)
        return false;
    it->holdsUnits = false;
    const int quantity = it->quantity;
    s.unitsByUser[userId] -= quantity;
    if (forgetKey)
        s.byKey.erase(it);
    if (returnUnits)
        m_remaining.fetch_add(quantity, std::memory_order_acq_rel);
    return true;
}

void SaleStock::undo(qint64 userId, const QByteArray &idempotencyKey, const Result &reserved)
{
    release(userId, idempotencyKey, true);
    giveBackAttempt(userId, reserved.attemptMs, reserved.previousAttemptMs);
}

void SaleStock::giveBackAttempt(qint64 userId, qint64 attemptMs, qint64 previousAttemptMs)
{
    if (attemptMs < 0)
        return;
    Stripe &s = stripe(userId);
    QMutexLocker lock(&s.mutex);
    const auto last = s.lastAttemptMs.find(userId);
    if (last == s.lastAttemptMs.end() || *last != attemptMs)
        return; // a later attempt holds the slot now
    if (previousAttemptMs < 0)
        s.lastAttemptMs.erase(last);
    else
        *last = previousAttemptMs;
}

void SaleStock::retire()
{
    m_retired.store(true, std::memory_order_release);
    for (Stripe &s : m_stripes) {
        QMutexLocker lock(&s.mutex);
        s.unitsByUser = {};
        s.lastAttemptMs = {};
        s.byKey = {};
    }
}

void SaleStock::restore(qint64 userId, const QByteArray &idempotencyKey, const QString &orderId, int quantity, bool holdsUnits)
{
    Stripe &s = stripe(userId);
    QMutexLocker lock(&s.mutex);
    s.byKey.insert(keyOf(userId, idempotencyKey), Entry{orderId, quantity, holdsUnits});
    if (holdsUnits) {
        s.unitsByUser[userId] += quantity;
        m_remaining.fetch_sub(quantity, std::memory_order_acq_rel);
    }
}
