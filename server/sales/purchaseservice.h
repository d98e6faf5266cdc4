#pragma once

#include <QObject>

#include <memory>

class AccountCheck;
class AdmissionGate;
class Sale;
class StockRefill;
struct CrossNodeVerdict;
class FlashSaleServer;
class ReservationJournal;
class Router;
class SaleRegistry;
struct HttpRequest;
class Responder;

// POST /sales/{id}/purchase: the hot path. Validates the request, reserves in memory
// in one atomic step (SaleStock), appends the reservation to the journal and answers
// 202 only once the group commit holding it is durable. Refusals (sold out, limit,
// rate limit, window) are answered from memory without touching the database. A token
// whose account is gone is refused 401 before the journal (AccountCheck); a purchase
// whose commit fails is undone, rate-limit slot included, and answered 503.
class PurchaseService
{
public:
    PurchaseService(FlashSaleServer &server, SaleRegistry &registry);
    ~PurchaseService();

    // Rebuilds stock, per-user counts and idempotency answers from the journal. Sales that
    // ended over purchase/retireAfterEndSeconds ago get their stock only: retired.
    bool restore(QString *error);
    // Retires the sale's stock (SaleStock::retire) if it ended that long ago and has
    // nothing in flight; true if it did so now. The sales module calls it on its clock.
    bool retireIfOver(Sale &sale, qint64 nowMs);
    void setAdmissionGate(const AdmissionGate *gate) { m_gate = gate; }
    // Refuses tokens whose account is gone before they reach the journal.
    void setAccountCheck(const AccountCheck *accounts) { m_accounts = accounts; }
    // Cluster mode: where to ask for more stock when this node's lease runs out.
    void setStockRefill(StockRefill *refill) { m_refill = refill; }
    ReservationJournal &journal() { return *m_journal; }
    void start();
    void stop();

    // The HTTP handler of POST /sales/{id}/purchase; core/routetable.cpp routes to it.
    void purchase(const HttpRequest &request, const Responder &reply);

private:
    void purchaseIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale);
    // One purchase attempt's tries inside the server: refills on a cluster node, and waits
    // for in-flight commits that may give units back. The first try counts against the
    // rate limit, the tries after a refill or a wait do not.
    struct Refills
    {
        int count = 0;
        qint64 sinceMs = 0; // when the first refill was asked for
        int waits = 0;      // journal barriers waited for while units were in flight
        qint64 attemptMs = -1; // the first try's rate-limit slot (SaleStock::Result), given
        qint64 previousAttemptMs = -1; // back if the attempt ends in 503
    };
    void reserve(const std::shared_ptr<Sale> &sale, qint64 userId, const QByteArray &key, int quantity, const Responder &reply,
                 Refills refills);
    qint64 retireBeforeMs(qint64 nowMs) const; // sales that ended by then are retired
    bool mayRefill(const Sale &sale, const Refills &refills, qint64 nowMs) const;
    // A purchase on an ended sale whose keys left memory: a replay if the journal holds
    // this key, else the sale-ended refusal.
    void answerFromJournal(const std::shared_ptr<Sale> &sale, qint64 userId, const QByteArray &key, int quantity,
                           const Responder &reply);
    void answerCrossNode(const CrossNodeVerdict &verdict, const std::shared_ptr<Sale> &sale, qint64 userId, const QByteArray &key,
                         int quantity, qint64 saleId, const Responder &reply);

    FlashSaleServer &m_server;
    SaleRegistry &m_registry;
    std::unique_ptr<ReservationJournal> m_journal;
    const AdmissionGate *m_gate = nullptr;
    const AccountCheck *m_accounts = nullptr;
    StockRefill *m_refill = nullptr;
    struct Counters;
    std::unique_ptr<Counters> m_counters;
};
