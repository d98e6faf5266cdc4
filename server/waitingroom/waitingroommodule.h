#pragma once

#include "config/serverconfig.h"
#include "core/servermodule.h"
#include "queueregistry.h"
#include "sales/admissiongate.h"

#include <QByteArray>
#include <QList>
#include <QObject>

#include <memory>

class AdmissionController;
class AdmissionLeadership;
class ClusterQueueFollower;
class AccountCheck;
class FlashSaleServer;
class SalesModule;
class JoinLimiter;
class ProofOfWork;
class QueueEndpoints;
class TicketJournal;

// The virtual waiting room: shoppers join a sale's queue and get a ticket in arrival
// order (before the start too), an admission controller lets them in at the sale's rate,
// and an admitted shopper gets a signed admission token that the purchase path checks
// (this module is its AdmissionGate). Abuse defences: one ticket per shopper, join
// limits per shopper and per address, an optional proof-of-work challenge, optional
// account gates and a low-priority lane for joins faster than a human.
// In cluster mode tickets are numbered by the database for all nodes (ClusterQueueSync),
// one node admits (AdmissionLeadership) and every node follows (ClusterQueueFollower).
class WaitingRoomModule : public QObject, public ServerModule, public AdmissionGate
{
    Q_OBJECT

public:
    WaitingRoomModule(FlashSaleServer &server, SalesModule &sales);
    // Joins from accounts that are gone are refused before the ticket journal; set before load().
    void setAccountCheck(const AccountCheck *accounts) { m_accounts = accounts; }
    ~WaitingRoomModule() override;

    QString name() const override { return QStringLiteral("waitingRoom"); }
    bool load(QString *error) override;
    void started() override;
    void stopping() override;

    // AdmissionGate: HMAC check of the Admission-Token, no lock shared with anyone, no I/O.
    bool admits(qint64 saleId, qint64 userId, const QByteArray &admissionToken, QString *reason) const override;
    bool requiredFor(qint64 saleId) const;

    AdmissionController &controller() { return *m_controller; }
    bool clustered() const { return m_leadership != nullptr; }
    // True on a single node, and on the one cluster node that admits.
    bool admitsHere() const;
    QueueRegistry &queues() { return m_queues; }
    // The HTTP handlers of the waiting room; built in load().
    QueueEndpoints &endpoints() { return *m_endpoints; }
    const ServerConfig::WaitingRoom &config() const { return m_config; }

Q_SIGNALS:
    // Positions in a sale's queue moved, or it sold out: a notification channel pushes
    // these to shoppers (GET /sales/{id}/queue/{ticket} shows the same).
    void positionsChanged(qint64 saleId, qint64 normalAdmitted, qint64 lowAdmitted, qint64 waiting);
    void soldOut(qint64 saleId, qint64 stillWaiting);

private:
    FlashSaleServer &m_server;
    SalesModule &m_sales;
    const AccountCheck *m_accounts = nullptr;
    const ServerConfig::WaitingRoom m_config;
    QByteArray m_tokenKey;
    QList<QByteArray> m_acceptedTokenKeys; // keys of a rotation under way: verify only
    QueueRegistry m_queues;
    std::unique_ptr<TicketJournal> m_journal;
    std::unique_ptr<ProofOfWork> m_pow;
    std::unique_ptr<AdmissionController> m_controller;
    std::unique_ptr<AdmissionLeadership> m_leadership; // cluster mode only
    std::unique_ptr<ClusterQueueFollower> m_follower;  // cluster mode only
    std::unique_ptr<QueueEndpoints> m_endpoints;
};
