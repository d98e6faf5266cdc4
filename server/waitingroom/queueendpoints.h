#pragma once

#include "config/serverconfig.h"
#include "salequeue.h"

#include <QByteArray>
#include <QJsonObject>

#include <memory>
#include <optional>

class AccountCheck;
class FlashSaleServer;
class QSqlDatabase;
class JoinLimiter;
class ProofOfWork;
class Responder;
class Router;
class Sale;
class SaleRegistry;
class TicketJournal;
class WaitingRoomModule;
struct HttpRequest;
struct HttpResponse;
struct TicketStatus;

// The waiting room's HTTP handlers (core/routetable.cpp routes to them):
//   POST /sales/{id}/queue                 shopper: join (or get back the ticket held)
//   GET  /sales/{id}/queue/challenge       shopper: a proof-of-work challenge for the join
//   GET  /sales/{id}/queue/{ticket}        the ticket's owner: position, wait, admission token
//   GET  /sales/{id}/queue                 admin: length, admitted, rate, lanes
//   PUT  /sales/{id}/queue/settings        admin: admission rate, pause, required, pre-queue order
// Status reads come from atomics only; joins and settings answer after their commit. In
// cluster mode a ticket this node has not seen yet is looked up by a journal Sync first,
// and a sale it has not learned yet by SaleLookup.
class QueueEndpoints
{
public:
    QueueEndpoints(WaitingRoomModule &module, FlashSaleServer &server, SaleRegistry &sales, TicketJournal &journal,
                   ProofOfWork &pow, QByteArray tokenKey);
    ~QueueEndpoints();
    // Who tells a live account from one that is gone (the accounts module); may be null.
    void setAccountCheck(const AccountCheck *accounts) { m_accounts = accounts; }

    // HTTP handlers; core/routetable.cpp routes to them.
    void join(const HttpRequest &request, const Responder &reply);
    void status(const HttpRequest &request, const Responder &reply);
    void challenge(const HttpRequest &request, const Responder &reply);
    void stats(const HttpRequest &request, const Responder &reply);
    void changeSettings(const HttpRequest &request, const Responder &reply);

private:
    // The handlers above, once the sale the path names is known (SaleLookup).
    void joinIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale);
    void statusIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale);
    void challengeIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale);
    void statsIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale);
    void changeSettingsIn(const HttpRequest &request, const Responder &reply, const std::shared_ptr<Sale> &sale);
    // The steps of a join: the window and the join limits, the proof of work (which may
    // put a too-fast solver in the low lane), then the account gates and the ticket.
    std::optional<HttpResponse> endedOrTooManyJoins(const HttpRequest &request, const Sale &sale, qint64 userId, qint64 nowMs);
    std::optional<HttpResponse> checkProofOfWork(const HttpRequest &request, const Sale &sale, qint64 userId, qint64 nowMs, Lane *lane);
    void enqueueThroughAccountGates(SaleQueue &queue, std::shared_ptr<const Sale> sale, qint64 userId, Lane lane,
                                    const QString &address, const Responder &reply);
    // The account gates (verified, old enough), on a database thread: a refusal, or nothing.
    std::optional<HttpResponse> accountGateRefusal(const QSqlDatabase &db, qint64 userId) const;
    void enqueue(SaleQueue &queue, std::shared_ptr<const Sale> sale, qint64 userId, Lane lane, const QString &address,
                 const Responder &reply);
    void answerStatus(const SaleQueue *queue, const Sale &sale, qint64 ticket, qint64 userId, const Responder &reply) const;

    SaleQueue &queueOf(qint64 saleId);
    TicketStatus ticketStatus(const SaleQueue &queue, const Sale &sale, qint64 ticket, qint64 nowMs) const;
    HttpResponse ticketAnswer(const SaleQueue &queue, const Sale &sale, qint64 ticket, qint64 nowMs, int status = 200) const;
    QJsonObject statsJson(const SaleQueue &queue, const Sale &sale) const;

    WaitingRoomModule &m_module;
    FlashSaleServer &m_server;
    SaleRegistry &m_sales;
    TicketJournal &m_journal;
    ProofOfWork &m_pow;
    const AccountCheck *m_accounts = nullptr;
    const QByteArray m_tokenKey;
    const ServerConfig::WaitingRoom m_config;
    std::unique_ptr<JoinLimiter> m_perShopper;
    std::unique_ptr<JoinLimiter> m_perAddress;
};
