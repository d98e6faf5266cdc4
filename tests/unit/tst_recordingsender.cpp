// The built-in message sender keeps a bounded record: the last messages, each event
// sent once while it is among them.
#include "notifications/recordingsender.h"

#include <QTest>

class TestRecordingSender : public QObject
{
    Q_OBJECT

    static MessageSender::Message mail(qint64 eventId)
    {
        return {MessageSender::Channel::Email, QStringLiteral("shopper%1@test.local").arg(eventId), QStringLiteral("Order confirmed"),
                QStringLiteral("order %1").arg(eventId), eventId};
    }

private Q_SLOTS:
    void keepsOnlyTheLastMessages()
    {
        RecordingSender sender(8);
        for (qint64 id = 1; id <= 20; ++id)
            sender.send(mail(id));
        const QList<MessageSender::Message> kept = sender.messages();
        QCOMPARE(kept.size(), 8);
        QCOMPARE(kept.first().eventId, qint64(13));
        QCOMPARE(kept.last().eventId, qint64(20));
    }

    void aRedeliveredRecentEventIsNotSentTwice()
    {
        RecordingSender sender(8);
        for (qint64 id = 1; id <= 20; ++id)
            sender.send(mail(id));
        sender.send(mail(17));
        QCOMPARE(sender.messages().size(), 8);
        QCOMPARE(sender.messages().last().eventId, qint64(20));
        // One that fell out of the record is sent again, and pushes the oldest out.
        sender.send(mail(3));
        QCOMPARE(sender.messages().size(), 8);
        QCOMPARE(sender.messages().last().eventId, qint64(3));
        QCOMPARE(sender.messages().first().eventId, qint64(14));
    }
};

QTEST_GUILESS_MAIN(TestRecordingSender)
#include "tst_recordingsender.moc"
