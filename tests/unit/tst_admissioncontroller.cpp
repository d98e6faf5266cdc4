// The AdmissionController on its own: a real TicketJournal on a migrated temporary
// SQLite database, the queue and sale registries in memory, no HTTP server, and the
// clock driven by the test (tickAt). Checks the exact admissions: credit earned with
// time and capped at one second's worth, one step in flight at a time, pause and a zero
// rate, the sale window, the normal lane before the low one, overbooking (admitted
// shoppers who have not bought hold capacity until they buy or their token expires,
// restored ones too), sold out announced once per sell-out, only the cluster's leader
// admitting, the pre-queue shuffle, and the waiting room closed (its tickets freed) once
// the sale has been over for closeAfterEndMs.
#include "inventory/reservationjournal.h"
#include "sales/saleregistry.h"
#include "temporarydatabase.h"
#include "waitingroom/admissioncontroller.h"
#include "waitingroom/admissionleadership.h"
#include "waitingroom/queueregistry.h"
#include "waitingroom/ticketjournal.h"

#include <QEventLoop>
#include <QPointer>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

#include <memory>

namespace {

constexpr qint64 saleId = 1;
constexpr qint64 tokenTtlMs = 60000;
constexpr int users = 40;
constexpr qint64 closeAfterEndMs = 60000;

} // namespace

class TestAdmissionController : public QObject
{
    Q_OBJECT

private:
    qint64 m_t0 = 0; // the sale's start: the real time (restoreAdmitted reads the clock)
    std::unique_ptr<TemporaryDatabase> m_db;
    std::unique_ptr<SaleRegistry> m_sales;
    std::unique_ptr<QueueRegistry> m_queues;
    std::unique_ptr<TicketJournal> m_journal;
    std::unique_ptr<AdmissionController> m_controller;
    std::shared_ptr<Sale> m_sale;
    SaleQueue *m_queue = nullptr;
    std::unique_ptr<QSignalSpy> m_positions;
    std::unique_ptr<QSignalSpy> m_soldOut;

    void exec(const QString &sql, const QVariantList &bind = {}) { m_db->exec(sql, bind); }

    // A sale of `quantity` units open from `startMs` for an hour, admitting `rate` a second,
    // with users 1..`shoppers` waiting in the normal lane.
    bool open(qint64 quantity, double rate, qint64 startMs, int shoppers)
    {
        QString error;
        if (!m_db->migrate(&error)) {
            qWarning() << error;
            return false;
        }
        m_db->addUsers(users);
        exec(QStringLiteral("INSERT INTO flash_sales(sale_id, name, start_time, end_time, status, created_at) VALUES (?, 's', ?, ?, 'Active', 0)"),
             {saleId, startMs, startMs + 3600000});
        Sale::Terms terms;
        terms.id = saleId;
        terms.quantity = quantity;
        terms.perUserLimit = 1;
        terms.startMs = startMs;
        terms.endMs = startMs + 3600000;
        m_sale = std::make_shared<Sale>(terms);
        m_sales->add(m_sale);
        m_queue = m_queues->obtain(saleId);
        m_queue->settings().admissionRatePerSecond.store(rate);
        m_journal->start();
        join(1, shoppers);
        return true;
    }

    void join(int firstUser, int count, Lane lane = Lane::Normal)
    {
        for (int user = firstUser; user < firstUser + count; ++user) {
            QueueWrite w;
            w.kind = QueueWrite::Kind::Join;
            w.queue = m_queue;
            w.userId = user;
            w.lane = lane;
            w.clientAddress = QStringLiteral("127.0.0.1");
            m_journal->append(std::move(w));
        }
        settle();
    }

    // Waits until everything appended to the journal so far is written and applied, and
    // the controller has handled the answers (they are queued to this thread before ours).
    void settle()
    {
        QEventLoop loop;
        QPointer<QEventLoop> waiting(&loop);
        auto done = std::make_shared<std::atomic_bool>(false);
        QueueWrite sync;
        sync.kind = QueueWrite::Kind::Sync; // a no-op write on a single node: a barrier
        sync.queue = m_queue;
        m_journal->append(std::move(sync), [waiting, done](bool) {
            QMetaObject::invokeMethod(waiting, [waiting, done] {
                done->store(true);
                waiting->quit();
            }, Qt::QueuedConnection);
        });
        QTimer::singleShot(5000, &loop, &QEventLoop::quit);
        loop.exec();
        QVERIFY2(done->load(), "the ticket journal did not answer within 5 s");
    }

    // One round at `ms`, then waits for its admission (if any) to be written and heard.
    void tick(qint64 ms)
    {
        m_controller->tickAt(ms);
        settle();
    }

    ReservationRecord bought(qint64 userId) const
    {
        ReservationRecord r;
        r.saleId = saleId;
        r.userId = userId;
        return r;
    }

private Q_SLOTS:
    void init()
    {
        m_t0 = QDateTime::currentMSecsSinceEpoch();
        m_db = std::make_unique<TemporaryDatabase>();
        m_sales = std::make_unique<SaleRegistry>();
        m_queues = std::make_unique<QueueRegistry>();
        m_journal = std::make_unique<TicketJournal>(m_db->database(), 100);
        AdmissionController::Settings settings;
        settings.overbookingFactor = 1.5;
        settings.tokenTtlMs = tokenTtlMs;
        settings.closeAfterEndMs = closeAfterEndMs;
        m_controller = std::make_unique<AdmissionController>(*m_queues, *m_sales, *m_journal, settings);
        m_positions = std::make_unique<QSignalSpy>(m_controller.get(), &AdmissionController::positionsChanged);
        m_soldOut = std::make_unique<QSignalSpy>(m_controller.get(), &AdmissionController::soldOut);
    }

    void cleanup()
    {
        m_positions.reset();
        m_soldOut.reset();
        m_controller.reset();
        m_journal.reset();
        m_queues.reset();
        m_sales.reset();
        m_sale.reset();
        m_db.reset();
    }

    void creditGrowsWithTimeAndIsCapped()
    {
        QVERIFY(open(100, 10, m_t0, 30));
        QCOMPARE(m_queue->waiting(), qint64(30));
        tick(m_t0); // the first round has no elapsed time: no credit
        QCOMPARE(m_queue->admittedTotal(), qint64(0));
        tick(m_t0 + 500); // 10/s for 0.5 s
        QCOMPARE(m_queue->admittedTotal(), qint64(5));
        QCOMPARE(m_queue->ticket(1)->admittedAtMs.load(), m_t0 + 500);
        QCOMPARE(m_queue->ticket(5)->admittedAtMs.load(), m_t0 + 500);
        QCOMPARE(m_queue->ticket(6)->admittedAtMs.load(), qint64(0));
        QCOMPARE(m_positions->count(), 1);
        QCOMPARE(m_positions->at(0), (QList<QVariant>{saleId, qint64(5), qint64(0), qint64(25)}));
        tick(m_t0 + 650); // 1.5: one admitted, half a credit kept
        QCOMPARE(m_queue->admittedTotal(), qint64(6));
        tick(m_t0 + 700); // 0.5 + 0.5
        QCOMPARE(m_queue->admittedTotal(), qint64(7));
        tick(m_t0 + 730); // 0.3
        QCOMPARE(m_queue->admittedTotal(), qint64(7));
        tick(m_t0 + 60730); // a minute later: at most one second's worth is banked
        QCOMPARE(m_queue->admittedTotal(), qint64(17));
        QCOMPARE(m_positions->count(), 4);
        // The admissions are in the database too.
        QCOMPARE(m_db->value(QStringLiteral("SELECT normal_admitted FROM waiting_room_state WHERE sale_id = ?"), {saleId}).toLongLong(), qint64(17));
    }

    // While one step is being written no other starts, but credit keeps growing.
    void oneStepInFlightAtATime()
    {
        QVERIFY(open(100, 10, m_t0, 30));
        tick(m_t0);
        m_controller->tickAt(m_t0 + 500);  // 5 admitted, being written
        m_controller->tickAt(m_t0 + 1500); // its answer is not handled yet: no step
        settle();
        QCOMPARE(m_queue->admittedTotal(), qint64(5));
        QCOMPARE(m_positions->count(), 1);
        tick(m_t0 + 1500); // the credit earned meanwhile (capped at 10)
        QCOMPARE(m_queue->admittedTotal(), qint64(15));
    }

    void pausedOrZeroRateAdmitsNobody()
    {
        QVERIFY(open(100, 10, m_t0, 30));
        tick(m_t0);
        tick(m_t0 + 500);
        QCOMPARE(m_queue->admittedTotal(), qint64(5));
        m_queue->settings().paused.store(true);
        tick(m_t0 + 1000);
        tick(m_t0 + 5000);
        QCOMPARE(m_queue->admittedTotal(), qint64(5));
        m_queue->settings().paused.store(false);
        tick(m_t0 + 5100); // no credit was banked while paused: 0.1 s worth
        QCOMPARE(m_queue->admittedTotal(), qint64(6));
        m_queue->settings().admissionRatePerSecond.store(0);
        tick(m_t0 + 7000);
        QCOMPARE(m_queue->admittedTotal(), qint64(6));
        m_queue->settings().admissionRatePerSecond.store(10);
        tick(m_t0 + 7200);
        QCOMPARE(m_queue->admittedTotal(), qint64(8));
    }

    void nobodyIsAdmittedOutsideTheWindow()
    {
        QVERIFY(open(100, 10, m_t0, 30));
        tick(m_t0 - 2000);
        tick(m_t0 - 1); // just before the start
        QCOMPARE(m_queue->admittedTotal(), qint64(0));
        tick(m_t0 + 100); // the last round was 101 ms ago, with no credit banked before the start
        QCOMPARE(m_queue->admittedTotal(), qint64(1));
        const qint64 end = m_t0 + 3600000;
        tick(end - 1000);
        QCOMPARE(m_queue->admittedTotal(), qint64(11));
        tick(end);
        tick(end + 1000);
        QCOMPARE(m_queue->admittedTotal(), qint64(11));
    }

    void theWaitingRoomClosesOnceTheSaleIsOverForGood()
    {
        QVERIFY(open(100, 10, m_t0, 30));
        const qint64 end = m_t0 + 3600000;
        tick(m_t0 + 100);
        tick(m_t0 + 1000);
        const qint64 admitted = m_queue->admittedTotal();
        QVERIFY(admitted > 0);
        tick(end + closeAfterEndMs - 1);
        QVERIFY(!m_queue->closed());
        {
            const SaleQueue::Reading reading(*m_queue); // a status poll inside: the close waits
            tick(end + closeAfterEndMs);
            QVERIFY(!m_queue->closed());
        }
        tick(end + closeAfterEndMs + 100); // asked again the next round
        QVERIFY(m_queue->closed());
        QCOMPARE(m_queue->issued(), qint64(30)); // the counts stay for the console
        QCOMPARE(m_queue->admittedTotal(), admitted);
        QCOMPARE(m_queue->ticket(1), nullptr);
        QCOMPARE(m_queue->ticketOf(1), qint64(0));

        // A join that passed the end check long before reaches the journal now: refused,
        // its shopper answered, nothing written.
        qint64 answeredWith = -1;
        qint64 held = 0;
        QCOMPARE(m_queue->join(39, &held, [&](qint64 ticket) { answeredWith = ticket; }), SaleQueue::JoinState::New);
        QueueWrite w;
        w.kind = QueueWrite::Kind::Join;
        w.queue = m_queue;
        w.userId = 39;
        m_journal->append(std::move(w));
        settle();
        QCOMPARE(answeredWith, qint64(0));
        QCOMPARE(m_queue->issued(), qint64(30));
        QCOMPARE(m_db->value(QStringLiteral("SELECT COUNT(*) FROM waiting_room_tickets WHERE sale_id = ?"), {saleId}).toLongLong(), qint64(30));
        tick(end + closeAfterEndMs + 200); // a closed queue is left alone
        QVERIFY(m_queue->closed());
    }

    void normalLaneBeforeTheLowLane()
    {
        QVERIFY(open(100, 4, m_t0, 0));
        join(1, 2, Lane::Low);    // tickets 1, 2
        join(3, 3, Lane::Normal); // tickets 3, 4, 5
        join(6, 2, Lane::Low);    // tickets 6, 7
        tick(m_t0);
        tick(m_t0 + 1000);
        QCOMPARE(m_queue->laneAdmitted(Lane::Normal), qint64(3));
        QCOMPARE(m_queue->laneAdmitted(Lane::Low), qint64(1));
        for (qint64 t : {3, 4, 5, 1})
            QVERIFY2(m_queue->ticket(t)->admittedAtMs.load() == m_t0 + 1000, qPrintable(QString::number(t)));
        for (qint64 t : {2, 6, 7})
            QVERIFY2(m_queue->ticket(t)->admittedAtMs.load() == 0, qPrintable(QString::number(t)));
        QCOMPARE(m_positions->at(0), (QList<QVariant>{saleId, qint64(3), qint64(1), qint64(3)}));
    }

    // 2 units and a factor of 1.5: at most 3 admitted shoppers may hold a chance at once.
    void overbookingHoldsBackUntilShoppersBuyOrExpire()
    {
        QVERIFY(open(2, 100, m_t0, 10));
        tick(m_t0);
        tick(m_t0 + 1000);
        QCOMPARE(m_queue->admittedTotal(), qint64(3));
        tick(m_t0 + 2000);
        QCOMPARE(m_queue->admittedTotal(), qint64(3));
        QCOMPARE(m_queue->admittedUnfinished(), qint64(3));
        // User 1 buys a unit: one chance fewer outstanding, but one unit fewer too.
        QCOMPARE(m_sale->stock().tryReserve(1, "k", 1, QStringLiteral("o1"), true, m_t0, 0).outcome, SaleStock::Outcome::Reserved);
        m_controller->purchasesCommitted({bought(1)});
        settle(); // the controller hears of it on its own thread
        tick(m_t0 + 3000);
        QCOMPARE(m_queue->admittedUnfinished(), qint64(2));
        QCOMPARE(m_queue->admittedTotal(), qint64(3)); // ceil(1 * 1.5) - 2 = 0
        // The other two tokens expire: room for ceil(1.5) = 2 again.
        tick(m_t0 + 1000 + tokenTtlMs);
        QCOMPARE(m_queue->admittedUnfinished(), qint64(0));
        QCOMPARE(m_queue->admittedTotal(), qint64(5));
        QCOMPARE(m_queue->ticket(4)->admittedAtMs.load(), m_t0 + 1000 + tokenTtlMs);
        tick(m_t0 + 1000 + tokenTtlMs + 1000);
        QCOMPARE(m_queue->admittedUnfinished(), qint64(2));
        QCOMPARE(m_queue->admittedTotal(), qint64(5));
    }

    void restoredShoppersHoldCapacity()
    {
        QVERIFY(open(2, 100, m_t0, 10));
        m_controller->restoreAdmitted(saleId, 30, m_t0);            // still valid
        m_controller->restoreAdmitted(saleId, 31, m_t0 - tokenTtlMs); // already expired
        tick(m_t0);
        tick(m_t0 + 1000);
        QCOMPARE(m_queue->admittedUnfinished(), qint64(1));
        QCOMPARE(m_queue->admittedTotal(), qint64(2)); // 3 - the restored one
    }

    void soldOutIsAnnouncedOncePerSellOut()
    {
        QVERIFY(open(1, 10, m_t0, 5));
        tick(m_t0);
        QCOMPARE(m_sale->stock().drain(), qint64(1));
        tick(m_t0 + 1000);
        QCOMPARE(m_queue->admittedTotal(), qint64(0));
        QCOMPARE(m_soldOut->count(), 1);
        QCOMPARE(m_soldOut->at(0), (QList<QVariant>{saleId, qint64(5)}));
        tick(m_t0 + 2000);
        QCOMPARE(m_soldOut->count(), 1);
        // A unit comes back (a failed order): admission resumes, with fresh credit.
        m_sale->stock().addUnits(1);
        tick(m_t0 + 2100);
        QCOMPARE(m_queue->admittedTotal(), qint64(1));
        QCOMPARE(m_soldOut->count(), 1);
        m_sale->stock().drain();
        tick(m_t0 + 3000);
        QCOMPARE(m_soldOut->count(), 2);
        QCOMPARE(m_soldOut->at(1), (QList<QVariant>{saleId, qint64(4)}));
        QCOMPARE(m_queue->admittedTotal(), qint64(1));
    }

    // Cluster mode: a node that does not hold the admission leadership admits nobody,
    // but still announces the sell-out to its own waiting shoppers. (On SQLite the
    // leadership, a PostgreSQL advisory lock, is never taken.)
    void onlyTheLeaderAdmits()
    {
        QVERIFY(open(1, 10, m_t0, 5));
        AdmissionLeadership leadership(m_db->database(), QStringLiteral("node-a"));
        QVERIFY(!leadership.isLeader());
        m_controller->setLeadership(&leadership);
        tick(m_t0);
        tick(m_t0 + 1000);
        QCOMPARE(m_queue->admittedTotal(), qint64(0));
        m_sale->stock().drain();
        tick(m_t0 + 2000);
        QCOMPARE(m_soldOut->count(), 1);
        m_controller->setLeadership(nullptr); // a single node again: admits from the next round
        m_sale->stock().addUnits(1);
        tick(m_t0 + 3000);
        QCOMPARE(m_queue->admittedTotal(), qint64(0)); // the first round as admitter has no credit
        tick(m_t0 + 3100);
        QCOMPARE(m_queue->admittedTotal(), qint64(1));
    }

    // A shuffled pre-queue: the first round in the window writes the shuffle and admits
    // nobody; admission starts on the next round.
    void preQueueIsShuffledBeforeAnyAdmission()
    {
        const qint64 start = m_t0 + 600000; // every join below is before the start
        QVERIFY(open(100, 10, start, 0));
        m_queue->settings().shuffledPreQueue.store(true);
        join(1, 20);
        tick(start - 1000);
        QVERIFY(!m_queue->shuffleApplied());
        tick(start);
        QVERIFY(m_queue->shuffleApplied());
        QCOMPARE(m_queue->admittedTotal(), qint64(0));
        QCOMPARE(m_db->value(QStringLiteral("SELECT shuffled_count FROM waiting_room_state WHERE sale_id = ?"), {saleId}).toLongLong(), qint64(20));
        tick(start + 300);
        QCOMPARE(m_queue->admittedTotal(), qint64(3));
        tick(start + 600);
        QCOMPARE(m_queue->admittedTotal(), qint64(6));
    }
};

QTEST_GUILESS_MAIN(TestAdmissionController)
#include "tst_admissioncontroller.moc"
