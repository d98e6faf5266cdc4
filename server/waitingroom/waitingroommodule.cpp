#include "waitingroommodule.h"

#include "admissioncontroller.h"
#include "admissionleadership.h"
#include "clusterqueuefollower.h"
#include "admissiontoken.h"
#include "core/flashsaleserver.h"
#include "core/timeutil.h"
#include "inventory/reservationjournal.h"
#include "proofofwork.h"
#include "queueendpoints.h"
#include "sales/purchaseservice.h"
#include "sales/salesmodule.h"
#include "secretkeyfile.h"
#include "storage/database.h"
#include "storage/sharedkey.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"
#include "ticketjournal.h"

#include <QMessageAuthenticationCode>

namespace {

// Two keys from the one secret file, so a challenge can never pass for a token.
QByteArray derive(const QByteArray &secret, const QByteArray &purpose)
{
    return QMessageAuthenticationCode::hash(purpose, secret, QCryptographicHash::Sha256);
}

} // namespace

WaitingRoomModule::WaitingRoomModule(FlashSaleServer &server, SalesModule &sales)
    : m_server(server)
    , m_sales(sales)
    , m_config(server.config().waitingRoom)
    , m_journal(std::make_unique<TicketJournal>(server.database(), server.config().waitingRoom.groupCommitMaxBatch,
                                                server.config().clustered()))
{
}

WaitingRoomModule::~WaitingRoomModule()
{
    stopping();
}

bool WaitingRoomModule::load(QString *error)
{
    QByteArray secret;
    if (!SecretKeyFile::loadOrCreate(m_server.config().dataDir, QStringLiteral("waiting-room.key"), &secret, error))
        return false;
    // Every node uses the secret the database holds (the first node's), so admission tokens
    // and challenges made on one node are good on all, with nothing copied by hand.
    try {
        const SharedKey shared = SharedKey::adopt(m_server.database().connection(), QStringLiteral("waiting-room"), secret, nowMs());
        secret = shared.key;
        for (const QByteArray &old : shared.accepted)
            m_acceptedTokenKeys.append(derive(old, "admission-token"));
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    }
    m_tokenKey = derive(secret, "admission-token");
    m_pow = std::make_unique<ProofOfWork>(derive(secret, "join-challenge"));

    AdmissionController::Settings s;
    s.overbookingFactor = qMax(0.01, m_config.overbookingFactor);
    s.tokenTtlMs = qint64(m_config.admissionTokenTtlSeconds) * 1000;
    s.intervalMs = m_config.admissionIntervalMs;
    s.closeAfterEndMs = qint64(std::max(0, m_server.config().purchase.retireAfterEndSeconds)) * 1000;
    m_controller = std::make_unique<AdmissionController>(m_queues, m_sales.registry(), *m_journal, s);
    connect(m_controller.get(), &AdmissionController::positionsChanged, this, &WaitingRoomModule::positionsChanged);
    connect(m_controller.get(), &AdmissionController::soldOut, this, &WaitingRoomModule::soldOut);
    if (m_server.config().clustered()) {
        m_leadership = std::make_unique<AdmissionLeadership>(m_server.database(), m_server.config().cluster.nodeId);
        m_controller->setLeadership(m_leadership.get());
        m_follower = std::make_unique<ClusterQueueFollower>(m_queues, *m_journal, *m_leadership, s.intervalMs);
        connect(m_follower.get(), &ClusterQueueFollower::positionsChanged, this, &WaitingRoomModule::positionsChanged);
    }

    try {
        SaleRegistry &registry = m_sales.registry();
        TicketJournal::load(
            m_server.database(), [&](qint64 saleId) { return registry.find(saleId) ? m_queues.obtain(saleId) : nullptr; },
            [&](SaleQueue &q, qint64 userId, qint64 at) { m_controller->restoreAdmitted(q.saleId(), userId, at); });
        // Who already bought is not waiting for anything.
        QSqlQuery bought = execOrThrow(m_server.database().connection(),
                                       QStringLiteral("SELECT DISTINCT sale_id, user_id FROM reservations"));
        std::vector<ReservationRecord> records;
        while (bought.next()) {
            ReservationRecord r;
            r.saleId = bought.value(0).toLongLong();
            r.userId = bought.value(1).toLongLong();
            records.push_back(r);
        }
        m_controller->purchasesCommitted(records);
    } catch (const DatabaseError &e) {
        *error = e.message;
        return false;
    }
    qint64 tickets = 0;
    m_queues.forEach([&](const SaleQueue &q) { tickets += q.issued(); });
    Log::info(QStringLiteral("waitingRoom.restored"), {{QStringLiteral("queues"), m_queues.count()},
                                                       {QStringLiteral("tickets"), tickets}});

    // The console and operators see the queues in /metrics.
    Metrics &metrics = m_server.metrics();
    metrics.gauge(QStringLiteral("flashsale_waiting_room_tickets"), QStringLiteral("Tickets issued, all sales."), [this] {
        double n = 0;
        m_queues.forEach([&](const SaleQueue &q) { n += double(q.issued()); });
        return n;
    });
    metrics.gauge(QStringLiteral("flashsale_waiting_room_admitted"), QStringLiteral("Tickets admitted, all sales."), [this] {
        double n = 0;
        m_queues.forEach([&](const SaleQueue &q) { n += double(q.admittedTotal()); });
        return n;
    });

    // A shopper who bought is finished: admission may move on.
    m_sales.purchases().journal().addCommittedListener(
        [this](const std::vector<ReservationRecord> &records) { m_controller->purchasesCommitted(records); });
    m_endpoints = std::make_unique<QueueEndpoints>(*this, m_server, m_sales.registry(), *m_journal, *m_pow, m_tokenKey);
    m_endpoints->setAccountCheck(m_accounts);
    return true;
}

void WaitingRoomModule::started()
{
    m_journal->start();
    m_controller->start();
    if (m_leadership) {
        m_leadership->start();
        m_follower->start();
    }
}

void WaitingRoomModule::stopping()
{
    if (m_controller)
        m_controller->stop();
    if (m_follower)
        m_follower->stop();
    if (m_leadership)
        m_leadership->stop(); // another node admits from its next try
    if (m_journal)
        m_journal->stop();
}

bool WaitingRoomModule::admitsHere() const
{
    return !m_leadership || m_leadership->isLeader();
}

bool WaitingRoomModule::requiredFor(qint64 saleId) const
{
    const SaleQueue *q = m_queues.find(saleId);
    const int perSale = q ? q->settings().required.load(std::memory_order_relaxed) : -1;
    return perSale < 0 ? m_config.required : perSale == 1;
}

bool WaitingRoomModule::admits(qint64 saleId, qint64 userId, const QByteArray &admissionToken, QString *reason) const
{
    if (!requiredFor(saleId))
        return true;
    const qint64 now = nowMs();
    *reason = AdmissionToken::refusal(m_tokenKey, admissionToken, saleId, userId, now);
    // During a key rotation, a token sealed with a key still accepted is good too.
    for (const QByteArray &key : m_acceptedTokenKeys) {
        if (reason->isEmpty())
            break;
        if (AdmissionToken::refusal(key, admissionToken, saleId, userId, now).isEmpty())
            reason->clear();
    }
    return reason->isEmpty();
}
