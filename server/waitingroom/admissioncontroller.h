#pragma once

#include <QHash>
#include <QObject>

#include <vector>

class AdmissionLeadership;
class QTimer;
class QueueRegistry;
class Sale;
class SaleQueue;
class SaleRegistry;
class TicketJournal;
struct ReservationRecord;

// Admits tickets strictly in order (normal lane first, then the low-priority lane), at
// each sale's admission rate, on the main thread. It holds back while the admitted
// shoppers who have not bought yet could already take every unit left (times the
// overbooking factor), stops once the sale is sold out, and shuffles a pre-queue once
// at the start when the sale asks for it. Every step is written to the ticket journal
// before shoppers can see it; one step per sale is in flight at a time.
// In cluster mode only the node that holds the AdmissionLeadership admits (and shuffles);
// the others keep the sold-out watch and learn the admitted counts from the database.
class AdmissionController : public QObject
{
    Q_OBJECT

public:
    struct Settings
    {
        double overbookingFactor = 1.5;
        qint64 tokenTtlMs = 300000;
        int intervalMs = 100;
        qint64 closeAfterEndMs = 60000; // then an ended sale's waiting room leaves memory
    };

    AdmissionController(QueueRegistry &queues, SaleRegistry &sales, TicketJournal &journal, Settings settings,
                        QObject *parent = nullptr);

    // Cluster mode: admit only while `leadership` says this node is the admitting one.
    void setLeadership(const AdmissionLeadership *leadership) { m_leadership = leadership; }
    void start();
    void stop();
    // Shoppers admitted before a restart, who may still buy (from the loader).
    void restoreAdmitted(qint64 saleId, qint64 userId, qint64 admittedAtMs);
    // From the purchase journal's writer thread: these shoppers have bought.
    void purchasesCommitted(const std::vector<ReservationRecord> &records);
    // Runs one round at once (the timer calls it).
    void tick();
    // Runs one round as of `nowMs`: tick() with the clock's time; tests drive time with it.
    void tickAt(qint64 nowMs);

Q_SIGNALS:
    // The positions in a sale's queue moved: tickets were admitted (pushed to shoppers
    // by whatever carries notifications; no WebSocket hub exists yet).
    void positionsChanged(qint64 saleId, qint64 normalAdmitted, qint64 lowAdmitted, qint64 waiting);
    // The sale sold out: everyone still waiting is told at once (their status reads soldOut).
    void soldOut(qint64 saleId, qint64 stillWaiting);

private:
    struct SaleState
    {
        double credit = 0;
        qint64 lastTickMs = 0;
        bool stepInFlight = false;
        bool shuffleInFlight = false;
        bool soldOutAnnounced = false;
        bool closeInFlight = false;
        QHash<qint64, qint64> outstanding; // userId -> token expiry
    };
    // One round for one sale, in named steps: the pre-queue shuffle, expired admissions,
    // sold out, the credit this round earned, and the admission write.
    void step(SaleQueue &queue, SaleState &state, qint64 nowMs);
    void close(SaleQueue &queue, SaleState &state);
    bool shufflePending(SaleQueue &queue, SaleState &state, const Sale &sale, bool admits, qint64 nowMs);
    static void forgetFinishedAdmissions(SaleQueue &queue, SaleState &state, qint64 nowMs);
    bool announceSoldOut(SaleQueue &queue, SaleState &state, qint64 remaining);
    qint64 admissionsDue(const SaleQueue &queue, SaleState &state, qint64 remaining, bool admits, qint64 elapsedMs) const;
    void admit(SaleQueue &queue, SaleState &state, qint64 wanted, qint64 nowMs);

    QueueRegistry &m_queues;
    SaleRegistry &m_saleRegistry;
    TicketJournal &m_journal;
    const Settings m_settings;
    const AdmissionLeadership *m_leadership = nullptr;
    QTimer *m_timer = nullptr;
    QHash<qint64, SaleState> m_sales;
};
