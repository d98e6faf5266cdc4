// Notifications fed by the outbox: every order outcome is e-mailed once to its shopper
// (recorded by the built-in sink) and every event is handled once by the handler.
// Live pushes over the WebSocket are tested in tst_push.cpp.
#include "ordersfixture.h"

#include "notifications/notificationsmodule.h"


using namespace OrdersFixture;

class TestOrdersNotifications : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { SaleFixture::provideAdminFromEnvironment(); }

    void orderOutcomesAreEmailedOnceToTheirShopper()
    {
        OwnSale own([](ServerConfig &c) { fastPayments(c); c.payments.simulatedFailureRate = 0.5; });
        QVERIFY2(own.start(20, 20), qPrintable(own.server.error()));
        HttpClient carol(own.server.baseUrl());
        carol.setBearer(carol.registerAndLogin(QStringLiteral("carol@push.test")));
        QStringList orders;
        for (int i = 0; i < 6; ++i)
            orders << buy(carol, own.saleId, "carol-" + QByteArray::number(i));
        auto *notifications = own.server.server().module<NotificationsModule>();
        QVERIFY(notifications);
        for (const QString &id : std::as_const(orders)) {
            QTRY_VERIFY_WITH_TIMEOUT(statusOf(carol, id) != QLatin1String("Pending"), 10000);
            const QString subject = statusOf(carol, id) == QLatin1String("Confirmed") ? QStringLiteral("Order confirmed")
                                                                                       : QStringLiteral("Order not completed: the item is back on sale");
            auto mails = [&] {
                int n = 0;
                for (const auto &m : notifications->recorded().messages())
                    n += m.to == QLatin1String("carol@push.test") && m.subject == subject && m.body.contains(id) ? 1 : 0;
                return n;
            };
            QTRY_COMPARE_WITH_TIMEOUT(mails(), 1, 5000);
        }
        // Every event was handled by the notifications handler exactly once.
        QTRY_COMPARE_WITH_TIMEOUT(scalar(own.server, QStringLiteral("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL")), 0, 5000);
        QCOMPARE(scalar(own.server, QStringLiteral("SELECT COUNT(*) FROM handled_events WHERE handler = 'notifications'")),
                 scalar(own.server, QStringLiteral("SELECT COUNT(*) FROM outbox")));
    }
};

QTEST_GUILESS_MAIN(TestOrdersNotifications)
#include "tst_ordersnotifications.moc"
