// The Idempotency-Key of a purchase: checked by PurchaseRequest::read as the purchase
// handler checks it, then remembered by SaleStock, which answers a key it knows with its
// first answer. The input is lines, each one purchase attempt or release:
//   <user><op><Idempotency-Key as sent>
// user: the byte's value mod 4 names one of four shoppers; op '-' undoes that shopper's
// purchase with that key (the 503 path), anything else buys one unit. A model of what
// each shopper's keys were first answered checks every answer.
#include "fuzzcheck.h"
#include "http/httprequest.h"
#include "http/httpresponse.h"
#include "inventory/salestock.h"
#include "sales/purchaserequest.h"

#include <QHash>

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input(reinterpret_cast<const char *>(data), qsizetype(size));
    constexpr qint64 stockUnits = 5;
    constexpr int perUserLimit = 2;
    SaleStock stock(stockUnits, perUserLimit);
    QHash<QByteArray, QString> firstAnswer; // "user:key" -> order id, as the model sees it
    QHash<qint64, int> held;
    int orders = 0;
    for (const QByteArray &line : input.split('\n')) {
        if (line.size() < 2)
            continue;
        const qint64 userId = 1 + static_cast<unsigned char>(line.at(0)) % 4;
        const bool undo = line.at(1) == '-';
        HttpRequest request;
        request.headers.insert("idempotency-key", line.mid(2));
        request.body = "{\"quantity\": 1}";
        HttpResponse problem;
        const std::optional<PurchaseRequest> asked = PurchaseRequest::read(request, perUserLimit, &problem);
        if (!asked) {
            FUZZ_CHECK(problem.status == 400 && !isValidIdempotencyKey(line.mid(2)));
            continue;
        }
        FUZZ_CHECK(asked->idempotencyKey == line.mid(2) && asked->quantity == 1);
        const QByteArray modelKey = QByteArray::number(userId) + ':' + asked->idempotencyKey;
        if (undo) {
            const bool released = stock.release(userId, asked->idempotencyKey, true);
            FUZZ_CHECK(released == firstAnswer.contains(modelKey));
            if (released) {
                firstAnswer.remove(modelKey);
                --held[userId];
            }
            continue;
        }
        const QString orderId = QStringLiteral("order-%1").arg(++orders);
        const SaleStock::Result r = stock.tryReserve(userId, asked->idempotencyKey, 1, orderId, true, 1000, 0);
        if (firstAnswer.contains(modelKey)) {
            FUZZ_CHECK(r.outcome == SaleStock::Outcome::Replayed && r.orderId == firstAnswer.value(modelKey));
            continue;
        }
        if (r.outcome == SaleStock::Outcome::Reserved) {
            FUZZ_CHECK(r.orderId == orderId && held.value(userId) < perUserLimit);
            firstAnswer.insert(modelKey, orderId);
            ++held[userId];
        } else {
            FUZZ_CHECK(r.outcome == SaleStock::Outcome::LimitReached || r.outcome == SaleStock::Outcome::SoldOut);
            FUZZ_CHECK(r.outcome != SaleStock::Outcome::LimitReached || held.value(userId) == perUserLimit);
        }
        qint64 total = 0;
        for (int units : std::as_const(held))
            total += units;
        FUZZ_CHECK(stock.remaining() == stockUnits - total);
    }
    return 0;
}
