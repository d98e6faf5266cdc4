// SaleRendering: the bytes of GET /sales and GET /sales/{id} say exactly what
// Sale::toJson says at that moment, however often the same thread has rendered the sale
// before: a purchase, an early end or another millisecond shows at once.
#include "sales/salerendering.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <thread>

class TestSaleRendering : public QObject
{
    Q_OBJECT

private:
    static constexpr qint64 start = 1'800'000'000'000;

    static std::shared_ptr<Sale> makeSale(qint64 id, qint64 quantity, qint64 startMs, qint64 endMs)
    {
        Sale::Terms t;
        t.id = id;
        t.name = QStringLiteral("Sale \"%1\" \u00e9").arg(id); // quotes and non-ASCII survive
        t.productId = 7;
        t.productName = QStringLiteral("Widget");
        t.salePriceCents = 1999;
        t.regularPriceCents = 4999;
        t.quantity = quantity;
        t.perUserLimit = 2;
        t.startMs = startMs;
        t.endMs = endMs;
        return std::make_shared<Sale>(t);
    }

    static QJsonObject parsedObject(const QByteArray &bytes)
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            qWarning() << "not a JSON object:" << bytes << error.errorString();
        return doc.object();
    }

    static void reserve(Sale &sale, qint64 userId, int quantity)
    {
        const SaleStock::Result r = sale.stock().tryReserve(userId, "key-" + QByteArray::number(userId), quantity,
                                                            QStringLiteral("order-%1").arg(userId), true, 1000, 0);
        QCOMPARE(r.outcome, SaleStock::Outcome::Reserved);
    }

private Q_SLOTS:
    void oneSaysWhatToJsonSays()
    {
        const auto sale = makeSale(1, 10, start, start + 60'000);
        for (qint64 now : {start - 5, start - 5, start + 1, start + 1, start + 2}) {
            const QJsonObject rendered = parsedObject(SaleRendering::one(*sale, now));
            QCOMPARE(rendered, sale->toJson(now));
        }
    }

    void aPurchaseShowsAtOnce()
    {
        const auto sale = makeSale(2, 3, start, start + 60'000);
        const qint64 now = start + 10;
        QCOMPARE(parsedObject(SaleRendering::one(*sale, now)).value(QStringLiteral("remainingStock")).toInt(), 3);
        reserve(*sale, 1, 2);
        QJsonObject after = parsedObject(SaleRendering::one(*sale, now));
        QCOMPARE(after.value(QStringLiteral("remainingStock")).toInt(), 1);
        QCOMPARE(after.value(QStringLiteral("sold")).toInt(), 2);
        reserve(*sale, 2, 1);
        sale->stock().settle(2); // both commits ended: nothing in flight, so sold out
        sale->stock().settle(1);
        after = parsedObject(SaleRendering::one(*sale, now));
        QCOMPARE(after, sale->toJson(now));
        QCOMPARE(after.value(QStringLiteral("status")).toString(), QStringLiteral("SoldOut"));
    }

    void anEarlyEndShowsAtOnce()
    {
        const auto sale = makeSale(3, 5, start, start + 60'000);
        const qint64 now = start + 100;
        QCOMPARE(parsedObject(SaleRendering::one(*sale, now)).value(QStringLiteral("status")).toString(), QStringLiteral("Active"));
        sale->setEndMs(now - 1);
        const QJsonObject after = parsedObject(SaleRendering::one(*sale, now));
        QCOMPARE(after, sale->toJson(now));
        QCOMPARE(after.value(QStringLiteral("status")).toString(), QStringLiteral("Ended"));
    }

    void theListLeavesOutEndedSalesUnlessAsked()
    {
        const QList<std::shared_ptr<Sale>> sales{makeSale(10, 5, start, start + 1000), makeSale(11, 5, start - 5000, start - 1),
                                                 makeSale(12, 5, start + 1000, start + 2000)};
        const qint64 now = start + 10;
        for (bool withEnded : {false, true}) {
            const QJsonDocument doc = QJsonDocument::fromJson(SaleRendering::list(sales, withEnded, now));
            QVERIFY(doc.isArray());
            QJsonArray expected;
            for (const auto &sale : sales) {
                if (withEnded || sale->statusAt(now) != SaleStatus::Ended)
                    expected.append(sale->toJson(now));
            }
            QCOMPARE(doc.array(), expected);
        }
        QCOMPARE(SaleRendering::list({}, true, now), QByteArray("[]"));
    }

    // Each thread renders on its own: two threads reading while a third buys never see
    // a figure that was not true at some point, and end on the last one.
    void threadsRenderOnTheirOwn()
    {
        const auto sale = makeSale(20, 2000, start, start + 60'000);
        std::atomic_bool done{false};
        std::atomic_int wrong{0};
        auto reader = [&] {
            qint64 last = 2000;
            while (!done.load()) {
                const QJsonObject o = parsedObject(SaleRendering::one(*sale, start + 1));
                const qint64 left = o.value(QStringLiteral("remainingStock")).toInteger();
                if (left > last || left < 0 || o.value(QStringLiteral("sold")).toInteger() != 2000 - left)
                    wrong.fetch_add(1);
                last = left;
            }
            if (parsedObject(SaleRendering::one(*sale, start + 1)).value(QStringLiteral("remainingStock")).toInteger() != 0)
                wrong.fetch_add(1);
        };
        std::thread a(reader), b(reader);
        for (qint64 user = 1; user <= 1000; ++user)
            reserve(*sale, user, 2);
        done.store(true);
        a.join();
        b.join();
        QCOMPARE(wrong.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestSaleRendering)
#include "tst_salerendering.moc"
