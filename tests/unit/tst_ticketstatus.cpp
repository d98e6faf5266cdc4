// TicketStatus writes a ticket's JSON straight into bytes: it must parse, carry every
// field with its value (nulls where nothing is known), and keep the key order
// QJsonDocument used before, so the bytes on the wire did not change.
#include "waitingroom/ticketstatus.h"

#include "core/timeutil.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

class TestTicketStatus : public QObject
{
    Q_OBJECT

private:
    static QJsonObject parsed(const QByteArray &bytes)
    {
        QJsonParseError error;
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            qFatal("not a JSON object: %s (%s)", bytes.constData(), qPrintable(error.errorString()));
        return doc.object();
    }

private Q_SLOTS:
    void aWaitingTicket()
    {
        TicketStatus t;
        t.ticket = 12;
        t.saleId = 3;
        t.queueLength = 40;
        t.serverTimeMs = 1'800'000'000'123;
        t.saleStartsAtMs = 1'800'000'060'000;
        t.status = "waiting";
        t.position = 5;
        t.ahead = 4;
        t.estimatedWaitSeconds = 61;
        const QByteArray bytes = t.toJson();
        const QJsonObject o = parsed(bytes);
        QCOMPARE(o.size(), 13);
        QCOMPARE(o.value(QStringLiteral("ticket")).toInteger(), 12);
        QCOMPARE(o.value(QStringLiteral("saleId")).toInteger(), 3);
        QCOMPARE(o.value(QStringLiteral("queueLength")).toInteger(), 40);
        QCOMPARE(o.value(QStringLiteral("admitted")).toBool(true), false);
        QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("waiting"));
        QCOMPARE(o.value(QStringLiteral("position")).toInteger(), 5);
        QCOMPARE(o.value(QStringLiteral("ahead")).toInteger(), 4);
        QCOMPARE(o.value(QStringLiteral("estimatedWaitSeconds")).toInteger(), 61);
        QCOMPARE(o.value(QStringLiteral("paused")).toBool(true), false);
        QVERIFY(o.value(QStringLiteral("admissionToken")).isNull());
        QVERIFY(o.value(QStringLiteral("admissionExpiresAt")).isNull());
        QCOMPARE(o.value(QStringLiteral("serverTime")).toString(), isoUtc(t.serverTimeMs));
        QCOMPARE(o.value(QStringLiteral("saleStartsAt")).toString(), isoUtc(t.saleStartsAtMs));
        // The same bytes QJsonDocument writes for the same object: nothing on the wire moved.
        QCOMPARE(bytes, QJsonDocument(o).toJson(QJsonDocument::Compact));
    }

    void anAdmittedTicketCarriesItsToken()
    {
        TicketStatus t;
        t.ticket = 1;
        t.saleId = 9;
        t.admitted = true;
        t.status = "admitted";
        t.admissionToken = "eyJzIjo5fQ.c2lnbmF0dXJl-_";
        t.admissionExpiresAtMs = 1'800'000'300'000;
        t.estimatedWaitSeconds = 0;
        t.paused = true;
        const QByteArray bytes = t.toJson();
        const QJsonObject o = parsed(bytes);
        QCOMPARE(o.value(QStringLiteral("admissionToken")).toString(), QStringLiteral("eyJzIjo5fQ.c2lnbmF0dXJl-_"));
        QCOMPARE(o.value(QStringLiteral("admissionExpiresAt")).toString(), isoUtc(t.admissionExpiresAtMs));
        QCOMPARE(o.value(QStringLiteral("admitted")).toBool(), true);
        QCOMPARE(o.value(QStringLiteral("estimatedWaitSeconds")).toInteger(-1), 0);
        QCOMPARE(o.value(QStringLiteral("paused")).toBool(), true);
        QCOMPARE(bytes, QJsonDocument(o).toJson(QJsonDocument::Compact));
    }

    void unknownWaitIsNullAndLargeNumbersSurvive()
    {
        TicketStatus t;
        t.ticket = 9'007'199'254'740'991; // the largest integer a JSON reader keeps exact
        t.status = "soldOut";
        const QJsonObject o = parsed(t.toJson());
        QVERIFY(o.value(QStringLiteral("estimatedWaitSeconds")).isNull());
        QCOMPARE(o.value(QStringLiteral("ticket")).toInteger(), qint64(9'007'199'254'740'991));
        QCOMPARE(o.value(QStringLiteral("status")).toString(), QStringLiteral("soldOut"));
    }
};

QTEST_GUILESS_MAIN(TestTicketStatus)
#include "tst_ticketstatus.moc"
