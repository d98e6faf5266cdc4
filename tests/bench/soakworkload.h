#pragma once

#include "crowd.h"
#include "workload.h"

#include <QRandomGenerator>
#include <QSet>
#include <QString>

#include <deque>
#include <functional>
#include <queue>
#include <vector>

// The soak's mixed load, for as long as the phase lasts. Every shopper goes round the
// storefront's loop: a pause to think, GET /sales, GET /sales/{id} of the newest open
// sale it has not been to, a join of its waiting room, status polls until admitted,
// one purchase (quantity 1 or up to the limit) with the admission token, then a look
// at the order. The admin (the console's requests) refunds every `refundEvery`-th
// accepted order once it is Confirmed, and creates a product and a sale whenever fewer
// than two sales can still sell (sold out, or ending), so the load never runs dry. A
// shopper who has been to every sale that can still sell browses until a new one opens.
class SoakWorkload : public Workload
{
public:
    struct Settings
    {
        qint64 unitsPerSale = 1000;
        int perUserLimit = 2;
        qint64 saleSeconds = 600;
        int thinkMs = 2000;       // mean pause between rounds (uniform 0.5x..1.5x)
        int pollMs = 1000;
        int refundEvery = 10;     // every n-th accepted order is refunded
        int openSales = 2;        // sales that can still sell, kept by creating new ones
        int patienceSeconds = 60; // a shopper whose queue has not moved this long gives up on the sale
    };
    struct Sale
    {
        qint64 id = 0;
        qint64 endsNs = 0;
        bool soldOut = false;
        bool stalled = false;     // a shopper waited out its patience: sells too slowly to count
        qint64 accepted = 0;      // 202s
        QSet<QString> acceptedOrders;
    };

    SoakWorkload(RunMetrics &metrics, const Crowd &crowd, const std::string &adminAuthorization, Settings settings, qint64 startNs);
    bool next(qint64 nowNs, Outgoing &out) override;
    void answered(const Outgoing &request, const Answer &answer, qint64 nowNs) override;
    bool done(qint64) const override { return false; }
    void eachSecond(qint64 second, RunMetrics &metrics) override;
    QString progress() const override;

    // Called once a second from the generator's thread (the soak's sampler).
    std::function<void(qint64 second, RunMetrics &metrics)> onSecond;

    const std::vector<Sale> &sales() const { return m_sales; }
    qint64 accepted() const { return m_acceptedCount; }
    const QSet<QString> &refunded() const { return m_refunded; }
    qint64 refundsRefused() const { return m_refundsRefused; } // 409: the order ended Failed or Expired
    qint64 unexpected() const { return m_unexpected; }         // answers a well-behaved client should never get
    QStringList unexpectedSamples() const { return m_unexpectedSamples; }
    qint64 givenUp() const { return m_givenUp; }
    qint64 walkedAway() const { return m_walkedAway; } // shoppers who stopped waiting in a queue
    qint64 adminFailures() const { return m_adminFailures; }
    qint64 lostPurchaseAnswers() const { return m_lostPurchaseAnswers; } // purchases answered by nothing (then retried with the same key)
    qint64 refundsUnresolved() const { return qint64(m_refunds.size()); } // still to send or retry when the load stopped

private:
    enum Kind { List = 1, Look, Join, Poll, Buy, Check, CreateProduct, CreateSale, Refund };
    struct Shopper
    {
        int kind = List;
        qint64 sale = -1;        // index into m_sales of the sale of this round
        qint64 lastSale = -1;    // the newest sale already visited
        qint64 ticket = 0;
        qint64 ahead = -1;          // shoppers ahead at the last poll
        qint64 movedAtNs = 0;       // when the queue last moved for this shopper
        std::string admissionToken;
        std::string orderId;
        quint8 attempts = 0;
    };
    struct PendingRefund
    {
        qint64 dueNs;
        std::string orderId;
        int attempts;
    };
    using Due = std::pair<qint64, qint64>; // (when, shopper)

    void schedule(qint64 shopper, int kind, qint64 atNs);
    void think(qint64 shopper, qint64 nowNs);
    void retry(qint64 shopper, qint64 nowNs);
    void strange(const Outgoing &request, const Answer &answer);
    qint64 oldestOpenSale(qint64 after, qint64 nowNs) const;
    qint64 sellableSales(qint64 nowNs) const;
    void shopperAnswered(const Outgoing &request, const Answer &answer, qint64 nowNs);
    void adminAnswered(const Outgoing &request, const Answer &answer, qint64 nowNs);
    bool adminNext(qint64 nowNs, Outgoing &out);

    const Crowd &m_crowd;
    std::string m_admin;
    Settings m_s;
    std::vector<Shopper> m_shoppers;
    std::priority_queue<Due, std::vector<Due>, std::greater<>> m_due;
    std::deque<PendingRefund> m_refunds;
    std::vector<Sale> m_sales;
    bool m_creating = false;
    qint64 m_adminRetryNs = 0;
    qint64 m_productId = 0;
    QRandomGenerator m_random; // the think times: this workload's own, so no locking
    qint64 m_acceptedCount = 0;
    QSet<QString> m_refunded;
    qint64 m_refundsRefused = 0;
    qint64 m_unexpected = 0;
    QStringList m_unexpectedSamples;
    qint64 m_givenUp = 0;
    qint64 m_walkedAway = 0;
    qint64 m_adminFailures = 0;
    qint64 m_lostPurchaseAnswers = 0;
    int m_endpoints[Refund + 1] = {};
};
