// The waiting room's lock-free containers on their own: AppendOnlyList (chunks that grow
// geometrically, items that never move) and QueueRegistry (every sale's queue found by
// id while another thread adds queues). What a long-running server keeps per sale is
// what these cost, so the test also checks that an empty or barely used waiting room
// is small, and that a closed one frees its tickets while readers race the close.
#include "waitingroom/appendonlylist.h"
#include "waitingroom/queueregistry.h"
#include "waitingroom/salequeue.h"

#include <QtTest>

#include <atomic>
#include <thread>
#include <vector>

class TestQueueRegistry : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void itemsLandInGrowingChunksAndNeverMove()
    {
        using List = AppendOnlyList<qint64, 2, 6>; // chunks of 4, 8, 16, 32, 64, 128
        QCOMPARE(List::capacity, qint64(4 * 63));
        // Chunk k starts at 4 * (2^k - 1): 0, 4, 12, 28, 60, 124.
        const qint64 starts[] = {0, 4, 12, 28, 60, 124};
        for (int k = 0; k < 6; ++k) {
            QCOMPARE(List::placeOf(starts[k]).chunk, k);
            QCOMPARE(List::placeOf(starts[k]).offset, qint64(0));
            if (k > 0) {
                QCOMPARE(List::placeOf(starts[k] - 1).chunk, k - 1);
                QCOMPARE(List::placeOf(starts[k] - 1).offset, (qint64(4) << (k - 1)) - 1);
            }
        }

        List list;
        std::vector<const qint64 *> addresses;
        for (qint64 i = 0; i < List::capacity; ++i) {
            qint64 *slot = list.prepareNext();
            QVERIFY2(slot, qPrintable(QString::number(i)));
            *slot = i * 7;
            list.publish(i + 1);
            addresses.push_back(list.at(i));
        }
        QVERIFY(!list.prepareNext()); // full
        QVERIFY(!list.at(List::capacity));
        QVERIFY(!list.at(-1));
        for (qint64 i = 0; i < List::capacity; ++i) {
            QCOMPARE(*list.at(i), i * 7);
            QCOMPARE(list.at(i), addresses[size_t(i)]); // never moved
        }
    }

    void anEmptyWaitingRoomIsSmall()
    {
        // The old list reserved a table of 4,096 chunk pointers per list and a first chunk
        // of 4,096 tickets: about 0.3 MiB for a sale's first join.
        QVERIFY(sizeof(SaleQueue) < 2048);
        SaleQueue queue(1);
        queue.publishTicket(1, 42, Lane::Normal, 1000);
        QCOMPARE(queue.issued(), qint64(1));
        QCOMPARE(queue.ticket(1)->userId, qint64(42));
    }

    void readersFindEveryPublishedQueueWhileQueuesAreAdded()
    {
        QueueRegistry registry;
        QVERIFY(!registry.find(0));
        QVERIFY(!registry.find(-5));
        QVERIFY(!registry.obtain(0));

        constexpr qint64 sales = 5000; // the table doubles many times on the way
        std::atomic<qint64> published{0};
        std::atomic<qint64> misses{0};
        std::atomic_bool done{false};
        std::vector<std::thread> readers;
        for (int r = 0; r < 3; ++r) {
            readers.emplace_back([&] {
                while (!done.load()) {
                    const qint64 upTo = published.load();
                    for (qint64 id = 1; id <= upTo; id += 7) {
                        const SaleQueue *q = registry.find(id * 3);
                        if (!q || q->saleId() != id * 3)
                            misses.fetch_add(1);
                    }
                    if (registry.find(upTo * 3 + 1)) // never added
                        misses.fetch_add(1);
                }
            });
        }
        int createdCalls = 0;
        for (qint64 id = 1; id <= sales; ++id) {
            SaleQueue *q = registry.obtain(id * 3, [&](SaleQueue &) { ++createdCalls; });
            QVERIFY(q);
            QCOMPARE(registry.obtain(id * 3), q); // found, not made again
            published.store(id);
        }
        done.store(true);
        for (auto &t : readers)
            t.join();
        QCOMPARE(misses.load(), qint64(0));
        QCOMPARE(createdCalls, int(sales));
        QCOMPARE(registry.count(), sales);

        qint64 visited = 0;
        qint64 expected = 3;
        bool inOrder = true;
        registry.forEach([&](const SaleQueue &q) {
            inOrder = inOrder && q.saleId() == expected;
            expected += 3;
            ++visited;
        });
        QCOMPARE(visited, sales);
        QVERIFY(inOrder);
    }

    void aClosedQueueFreesItsTicketsOnceNoReaderHoldsThem()
    {
        SaleQueue queue(1);
        for (qint64 n = 1; n <= 100; ++n)
            QVERIFY(queue.publishTicket(n, 1000 + n, Lane::Normal, n));
        {
            const SaleQueue::Reading reading(queue);
            QVERIFY(reading);
            QVERIFY(!queue.close()); // a reader is inside: closing, not freed
            QVERIFY(!queue.closed());
            QCOMPARE(queue.ticket(7)->userId, qint64(1007)); // still readable by the one inside
            QVERIFY(!SaleQueue::Reading(queue)); // but nobody new gets in
        }
        QVERIFY(queue.close());
        QVERIFY(queue.closed());
        QCOMPARE(queue.issued(), qint64(100)); // the counters stay
        QCOMPARE(queue.ticket(7), nullptr);
        QCOMPARE(queue.ticketAt(Lane::Normal, 6), qint64(0));
        QCOMPARE(queue.publishTicket(101, 2000, Lane::Normal, 101), nullptr); // nothing grows back
        QCOMPARE(queue.issued(), qint64(100));
    }

    void readersRaceTheClose()
    {
        // Readers poll tickets the way status requests do while the writer publishes and
        // then closes; under ASan or TSan a read of freed tickets is reported.
        for (int round = 0; round < 20; ++round) {
            SaleQueue queue(round);
            for (qint64 n = 1; n <= 500; ++n)
                queue.publishTicket(n, n, Lane(n % 2), n);
            std::atomic_bool stop{false};
            std::atomic<qint64> reads{0}, refused{0};
            std::vector<std::thread> readers;
            for (int r = 0; r < 3; ++r) {
                readers.emplace_back([&, r] {
                    qint64 n = r;
                    while (!stop.load()) {
                        const SaleQueue::Reading reading(queue);
                        if (!reading) {
                            ++refused;
                            continue;
                        }
                        n = n % queue.issued() + 1;
                        const TicketView v = queue.view(n);
                        if (!v.entry || v.entry->userId != n)
                            qFatal("ticket %lld read wrong while open", n);
                        ++reads;
                    }
                });
            }
            for (qint64 n = 501; n <= 2000; ++n)
                queue.publishTicket(n, n, Lane(n % 2), n);
            while (!queue.close())
                std::this_thread::yield();
            const qint64 readsAtClose = reads.load();
            while (refused.load() < 100)
                std::this_thread::yield();
            stop.store(true);
            for (auto &t : readers)
                t.join();
            QVERIFY(queue.closed());
            QCOMPARE(reads.load(), readsAtClose); // no read got in after the close
            QCOMPARE(queue.issued(), qint64(2000));
        }
    }
};

QTEST_GUILESS_MAIN(TestQueueRegistry)
#include "tst_queueregistry.moc"
