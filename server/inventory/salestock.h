#pragma once

#include <QByteArray>
#include <QHash>
#include <QMutex>
#include <QString>

#include <array>
#include <atomic>

// The hot state of one sale's stock, shared by every HTTP thread: the units left, what
// each shopper holds, and the answers already given per idempotency key.
//
// One reservation is one atomic step: the shopper's stripe is locked (so the same
// shopper cannot race himself), the idempotency key and the per-user limit are checked,
// then the units are taken from `remaining` with a compare-and-swap (so shoppers on
// other stripes never wait for each other). `remaining` never goes below zero, and a
// shopper's units never exceed the limit: overselling is impossible by construction.
class SaleStock
{
public:
    // Retired: the sale has ended and its keys left memory (retire()); whether this key
    // bought is in the journal.
    enum class Outcome { Reserved, Replayed, Closed, SoldOut, NotEnoughStock, LimitReached, RateLimited, Retired };
    struct Result
    {
        Outcome outcome = Outcome::SoldOut;
        QString orderId;        // Reserved or Replayed
        int quantity = 0;       // of the replayed reservation
        qint64 retryAfterMs = 0; // RateLimited
        int heldByUser = 0;     // LimitReached
        // Reserved with the rate limit on: when this attempt took the shopper's slot, and
        // the slot's time before it (-1: none). undo() gives the slot back.
        qint64 attemptMs = -1;
        qint64 previousAttemptMs = -1;
    };

    SaleStock(qint64 quantity, int perUserLimit);

    // `newOrderId` is used when units are reserved. A known key replays its first answer
    // even when the sale is no longer `open`. rateLimitMs 0 disables the limit.
    Result tryReserve(qint64 userId, const QByteArray &idempotencyKey, int quantity, const QString &newOrderId,
                      bool open, qint64 nowMs, qint64 rateLimitMs);
    // True while the key holds a reservation (committed or about to be).
    bool knows(qint64 userId, const QByteArray &idempotencyKey) const;
    // Undo a reservation that could not be made durable, or return units of a failed or
    // expired one. Returns false if that order is unknown or already released.
    // `returnUnits` false: the shopper no longer holds them, but they went elsewhere (in
    // a cluster, back to the sale's pool in the database) rather than into `remaining`.
    bool release(qint64 userId, const QByteArray &idempotencyKey, bool forgetKey, bool returnUnits = true);
    // Undo a reservation that could not be made durable (the shopper is answered 503): the
    // units go back, the key is forgotten and, if no later attempt took it since, the
    // shopper's rate-limit slot is given back, so the retry the 503 asks for goes through.
    void undo(qint64 userId, const QByteArray &idempotencyKey, const Result &reserved);
    // Gives back the rate-limit slot an attempt took (Result::attemptMs, previousAttemptMs)
    // unless a later attempt holds it: for an attempt answered 503 without a reservation.
    void giveBackAttempt(qint64 userId, qint64 attemptMs, qint64 previousAttemptMs);
    // Once the sale has ended and nothing is in flight: forgets every idempotency key,
    // shopper count and rate-limit slot, so an ended sale costs no memory per purchase.
    // For good: a sale's end never moves later. tryReserve then answers Retired (the
    // journal knows the keys), release() finds nothing and units that come back are
    // counted with addUnits().
    void retire();
    bool isRetired() const { return m_retired.load(std::memory_order_acquire); }
    // Rebuilds state from the journal at start.
    void restore(qint64 userId, const QByteArray &idempotencyKey, const QString &orderId, int quantity, bool holdsUnits);

    qint64 remaining() const { return m_remaining.load(std::memory_order_acquire); }
    // Units reserved in memory whose commit has not ended yet: they may still come back
    // (a commit that fails returns them), so while any are in flight an empty stock is not
    // "sold out" yet. tryReserve adds a reservation's units; settle() takes them off once
    // its commit ended, after undo() if it failed.
    qint64 inFlight() const { return m_inFlight.load(std::memory_order_acquire); }
    void settle(int quantity) { m_inFlight.fetch_sub(quantity, std::memory_order_acq_rel); }

    // A cluster node sells only what it leased: units come in with a lease and go out
    // when it hands them back. takeUnits takes at most `max` (never below zero) and
    // returns how many it took; drain takes everything.
    void addUnits(qint64 units) { m_remaining.fetch_add(units, std::memory_order_acq_rel); }
    qint64 takeUnits(qint64 max);
    qint64 drain() { return m_remaining.exchange(0, std::memory_order_acq_rel); }
    qint64 quantity() const { return m_quantity; }
    int perUserLimit() const { return m_perUserLimit; }
    int heldBy(qint64 userId) const;

private:
    struct Entry
    {
        QString orderId;
        int quantity = 0;
        bool holdsUnits = true;
    };
    struct Stripe
    {
        mutable QMutex mutex;
        QHash<qint64, int> unitsByUser;
        QHash<qint64, qint64> lastAttemptMs;
        QHash<QByteArray, Entry> byKey; // "userId:key"
    };
    static constexpr size_t stripeCount = 64;
    Stripe &stripe(qint64 userId) { return m_stripes[size_t(quint64(userId) % stripeCount)]; }
    const Stripe &stripe(qint64 userId) const { return m_stripes[size_t(quint64(userId) % stripeCount)]; }
    static QByteArray keyOf(qint64 userId, const QByteArray &key);

    const qint64 m_quantity;
    const int m_perUserLimit;
    std::atomic<qint64> m_remaining;
    std::atomic<qint64> m_inFlight{0};
    std::atomic_bool m_retired{false};
    std::array<Stripe, stripeCount> m_stripes;
};
