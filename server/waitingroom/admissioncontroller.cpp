#include "admissioncontroller.h"

#include "admissionleadership.h"
#include "core/timeutil.h"
#include "inventory/reservationjournal.h"
#include "queueregistry.h"
#include "sales/saleregistry.h"
#include "telemetry/logger.h"
#include "ticketjournal.h"

#include <QPointer>
#include <QRandomGenerator>
#include <QTimer>

#include <cmath>

AdmissionController::AdmissionController(QueueRegistry &queues, SaleRegistry &sales, TicketJournal &journal, Settings settings,
                                         QObject *parent)
    : QObject(parent)
    , m_queues(queues)
    , m_saleRegistry(sales)
    , m_journal(journal)
    , m_settings(settings)
{
}

void AdmissionController::start()
{
    m_timer = new QTimer(this);
    m_timer->setInterval(qMax(10, m_settings.intervalMs));
    connect(m_timer, &QTimer::timeout, this, &AdmissionController::tick);
    m_timer->start();
}

void AdmissionController::stop()
{
    if (m_timer)
        m_timer->stop();
}

void AdmissionController::restoreAdmitted(qint64 saleId, qint64 userId, qint64 admittedAtMs)
{
    const qint64 expiry = admittedAtMs + m_settings.tokenTtlMs;
    if (expiry > nowMs())
        m_sales[saleId].outstanding.insert(userId, expiry);
}

void AdmissionController::purchasesCommitted(const std::vector<ReservationRecord> &records)
{
    std::vector<std::pair<qint64, qint64>> bought;
    bought.reserve(records.size());
    for (const ReservationRecord &r : records)
        bought.emplace_back(r.saleId, r.userId);
    QMetaObject::invokeMethod(this, [this, bought] {
        for (const auto &[saleId, userId] : bought) {
            auto it = m_sales.find(saleId);
            if (it != m_sales.end())
                it->outstanding.remove(userId);
        }
    }, Qt::QueuedConnection);
}

void AdmissionController::tick()
{
    tickAt(nowMs());
}

void AdmissionController::tickAt(qint64 now)
{
    m_queues.forEach([&](SaleQueue &queue) {
        if (!queue.closed())
            step(queue, m_sales[queue.saleId()], now);
    });
}

void AdmissionController::step(SaleQueue &queue, SaleState &state, qint64 now)
{
    const bool admits = !m_leadership || m_leadership->isLeader();
    const qint64 elapsed = state.lastTickMs ? now - state.lastTickMs : 0;
    state.lastTickMs = admits ? now : 0; // a node that takes over starts with no credit
    if (!admits)
        state.credit = 0;
    const auto sale = m_saleRegistry.find(queue.saleId());
    if (sale && now >= sale->endMs() + m_settings.closeAfterEndMs) {
        close(queue, state); // over for good (a sale's end never moves later)
        return;
    }
    if (!sale || now < sale->startMs() || now >= sale->endMs()) {
        state.credit = 0; // pre-queue, or over: nobody is admitted
        return;
    }
    if (shufflePending(queue, state, *sale, admits, now))
        return;
    forgetFinishedAdmissions(queue, state, now);
    const qint64 remaining = sale->remaining();
    if (announceSoldOut(queue, state, remaining))
        return;
    const qint64 wanted = admissionsDue(queue, state, remaining, admits, elapsed);
    if (wanted > 0)
        admit(queue, state, wanted, now);
}

void AdmissionController::close(SaleQueue &queue, SaleState &state)
{
    // Through the ticket journal: its writer is the queue's only writer, and every join
    // or admission queued before the close is done by then.
    if (state.closeInFlight)
        return;
    state.closeInFlight = true;
    QueueWrite w;
    w.kind = QueueWrite::Kind::Close;
    w.queue = &queue;
    const qint64 saleId = queue.saleId();
    QPointer<AdmissionController> self(this);
    m_journal.append(std::move(w), [self, saleId, &queue](bool) {
        QMetaObject::invokeMethod(self, [self, saleId, &queue] {
            if (!self)
                return;
            if (queue.closed()) {
                self->m_sales.remove(saleId);
                Log::info(QStringLiteral("waitingRoom.closed"), {{QStringLiteral("saleId"), saleId}, {QStringLiteral("tickets"), queue.issued()}});
            } else {
                self->m_sales[saleId].closeInFlight = false; // a status poll was reading it: next round
            }
        }, Qt::QueuedConnection);
    });
}

bool AdmissionController::shufflePending(SaleQueue &queue, SaleState &state, const Sale &sale, bool admits, qint64 now)
{
    if (!queue.settings().shuffledPreQueue.load() || queue.shuffleApplied())
        return false;
    // The pre-queue is shuffled (durably, once) before anyone is admitted.
    if (admits && !state.shuffleInFlight) {
        state.shuffleInFlight = true;
        QueueWrite w;
        w.kind = QueueWrite::Kind::Shuffle;
        w.queue = &queue;
        w.atMs = now;
        w.seed = QRandomGenerator::system()->generate64() >> 1; // fits a signed column
        w.startMs = sale.startMs();
        const qint64 saleId = queue.saleId();
        QPointer<AdmissionController> self(this);
        m_journal.append(std::move(w), [self, saleId](bool durable) {
            QMetaObject::invokeMethod(self, [self, saleId, durable] {
                if (!self)
                    return;
                self->m_sales[saleId].shuffleInFlight = false;
                if (durable)
                    Log::info(QStringLiteral("waitingRoom.preQueueShuffled"), {{QStringLiteral("saleId"), saleId}});
            }, Qt::QueuedConnection);
        });
    }
    return true;
}

void AdmissionController::forgetFinishedAdmissions(SaleQueue &queue, SaleState &state, qint64 now)
{
    // An admission stops counting against capacity once its token expires (or its
    // purchase commits: purchasesCommitted removes it).
    for (auto it = state.outstanding.begin(); it != state.outstanding.end();)
        it = it.value() <= now ? state.outstanding.erase(it) : std::next(it);
    queue.setAdmittedUnfinished(state.outstanding.size());
}

bool AdmissionController::announceSoldOut(SaleQueue &queue, SaleState &state, qint64 remaining)
{
    if (remaining > 0) {
        state.soldOutAnnounced = false; // units came back (failed or expired orders)
        return false;
    }
    state.credit = 0;
    if (!state.soldOutAnnounced) {
        state.soldOutAnnounced = true;
        Log::info(QStringLiteral("waitingRoom.soldOut"), {{QStringLiteral("saleId"), queue.saleId()}, {QStringLiteral("stillWaiting"), queue.waiting()}});
        Q_EMIT soldOut(queue.saleId(), queue.waiting());
    }
    return true;
}

qint64 AdmissionController::admissionsDue(const SaleQueue &queue, SaleState &state, qint64 remaining, bool admits, qint64 elapsedMs) const
{
    const double rate = queue.settings().admissionRatePerSecond.load();
    if (!admits || queue.settings().paused.load() || rate <= 0) {
        state.credit = 0;
        return 0;
    }
    // At most one second of admissions banked, so a long pause does not end in a flood.
    state.credit = std::min(state.credit + rate * double(elapsedMs) / 1000.0, std::max(1.0, rate));
    if (state.stepInFlight)
        return 0;
    // Overbooking: admit up to the factor times the units left, counting admissions whose
    // purchase has not come in yet.
    const qint64 capacity = qint64(std::ceil(double(remaining) * m_settings.overbookingFactor)) - state.outstanding.size();
    return std::min({qint64(state.credit), capacity, queue.waiting()});
}

void AdmissionController::admit(SaleQueue &queue, SaleState &state, qint64 wanted, qint64 now)
{
    QueueWrite w;
    w.kind = QueueWrite::Kind::Admission;
    w.queue = &queue;
    w.atMs = now;
    w.admitWanted = wanted;
    w.admittedUsers = std::make_shared<std::vector<qint64>>(); // filled by the writer
    qint64 left = wanted;
    for (int l = 0; l < laneCount; ++l) { // the normal lane first, then the low-priority lane
        const Lane lane = Lane(l);
        const qint64 from = queue.laneAdmitted(lane);
        const qint64 take = std::min(left, queue.laneLength(lane) - from);
        w.admittedUpTo[l] = from + take;
        left -= take;
    }
    state.credit -= double(wanted);
    state.stepInFlight = true;
    const qint64 saleId = queue.saleId();
    QPointer<AdmissionController> self(this);
    const std::shared_ptr<const std::vector<qint64>> admittedUsers = w.admittedUsers;
    m_journal.append(std::move(w), [self, saleId, admittedUsers, now, &queue](bool durable) {
        // The controller gets a list of its own: nothing the writer filled is shared with
        // this thread, whichever of the two lets go last.
        QMetaObject::invokeMethod(self, [self, saleId, users = std::vector<qint64>(*admittedUsers), now, durable, &queue] {
            if (!self)
                return;
            SaleState &s = self->m_sales[saleId];
            s.stepInFlight = false;
            if (!durable)
                return; // the same tickets are tried again next round
            for (qint64 userId : users)
                s.outstanding.insert(userId, now + self->m_settings.tokenTtlMs);
            Q_EMIT self->positionsChanged(saleId, queue.laneAdmitted(Lane::Normal), queue.laneAdmitted(Lane::Low), queue.waiting());
        }, Qt::QueuedConnection);
    });
}
