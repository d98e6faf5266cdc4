// JsonObjectWriter writes JSON straight into bytes for the hot answers and events; its
// bytes must be exactly what QJsonDocument writes for the same object (keys sorted,
// compact), escapes included, so nothing a client or an event consumer reads changed.
#include "core/jsonwriter.h"
#include "core/timeutil.h"
#include "inventory/reservationjournal.h"
#include "outbox/outbox.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

namespace {

QByteArray qtBytes(const QJsonObject &object)
{
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

ReservationRecord sampleRecord()
{
    ReservationRecord r;
    r.orderId = QStringLiteral("0192f3a4b5c6d7e8-0001");
    r.saleId = 42;
    r.userId = 9007;
    r.quantity = 2;
    r.createdAtMs = 1764561600123;
    r.expiresAtMs = 1764562200123;
    return r;
}

} // namespace

class TestJsonWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void stringsAreEscapedAsQtDoes_data()
    {
        QTest::addColumn<QString>("value");
        QTest::newRow("plain") << QStringLiteral("Pending");
        QTest::newRow("empty") << QString();
        QTest::newRow("quote and backslash") << QStringLiteral("a \"quoted\" C:\\path");
        QTest::newRow("short escapes") << QStringLiteral("tab\there\nnew line\r\x08\x0c");
        QTest::newRow("other control characters") << QString::fromLatin1("\x01\x1f\x7f end", 8);
        QTest::newRow("not ASCII") << QStringLiteral("Käse für 5 € 🛒");
        QTest::newRow("slash") << QStringLiteral("</script>");
    }

    void stringsAreEscapedAsQtDoes()
    {
        QFETCH(QString, value);
        QCOMPARE(JsonObjectWriter().string("value", value).finish(), qtBytes({{QStringLiteral("value"), value}}));
    }

    void numbersBooleansNullsAndTimes()
    {
        const QByteArray ours = JsonObjectWriter()
                                    .number("a", 0)
                                    .number("b", -12345)
                                    .number("c", 9007199254740991LL)
                                    .boolean("d", true)
                                    .boolean("e", false)
                                    .null("f")
                                    .isoTime("g", 1764561600123)
                                    .latin1("h", "soldOut")
                                    .raw("i", "{\"x\":1}")
                                    .finish();
        const QJsonObject object{{QStringLiteral("a"), 0},
                                 {QStringLiteral("b"), -12345},
                                 {QStringLiteral("c"), qint64(9007199254740991LL)},
                                 {QStringLiteral("d"), true},
                                 {QStringLiteral("e"), false},
                                 {QStringLiteral("f"), QJsonValue::Null},
                                 {QStringLiteral("g"), isoUtc(1764561600123)},
                                 {QStringLiteral("h"), QStringLiteral("soldOut")},
                                 {QStringLiteral("i"), QJsonObject{{QStringLiteral("x"), 1}}}};
        QCOMPARE(ours, qtBytes(object));
        QCOMPARE(JsonObjectWriter().finish(), QByteArray("{}"));
    }

    void theOutboxEventsOfAPurchaseAreTheBytesTheyWere()
    {
        const ReservationRecord r = sampleRecord();
        QCOMPARE(Outbox::purchaseAttemptedPayload(r, 7),
                 qtBytes({{QStringLiteral("orderId"), r.orderId}, {QStringLiteral("saleId"), r.saleId}, {QStringLiteral("userId"), r.userId},
                          {QStringLiteral("productId"), 7}, {QStringLiteral("quantity"), r.quantity},
                          {QStringLiteral("timestamp"), isoUtc(r.createdAtMs)}}));
        QCOMPARE(Outbox::inventoryReservedPayload(r, 7),
                 qtBytes({{QStringLiteral("orderId"), r.orderId}, {QStringLiteral("saleId"), r.saleId}, {QStringLiteral("userId"), r.userId},
                          {QStringLiteral("productId"), 7}, {QStringLiteral("quantity"), r.quantity},
                          {QStringLiteral("status"), QStringLiteral("Pending")}, {QStringLiteral("expiresAt"), isoUtc(r.expiresAtMs)}}));
    }
};

QTEST_GUILESS_MAIN(TestJsonWriter)
#include "tst_jsonwriter.moc"
