// Path ids are strict (issue 14): a capture is matched as sent, digits without sign or
// leading zero, nothing percent-encoded, and an encoded slash never makes a new segment.
#include "http/router.h"

#include <QtTest>

class TestStrictRouting : public QObject
{
    Q_OBJECT

    static bool matches(const Router &router, const QStringList &segments)
    {
        return router.match("GET", segments).route != nullptr;
    }

private Q_SLOTS:
    void capturesAreStrict()
    {
        Router router;
        router.add("GET", QStringLiteral("/sales/{id}"), Access::Anyone, {});
        router.add("GET", QStringLiteral("/orders/{id}"), Access::Anyone, {});
        const auto sale = [](const QString &id) { return QStringList{QStringLiteral("sales"), id}; };
        QVERIFY(matches(router, sale(QStringLiteral("1"))));
        QVERIFY(matches(router, sale(QStringLiteral("0"))));
        QVERIFY(matches(router, sale(QStringLiteral("123456789012345678"))));
        QVERIFY(matches(router, {QStringLiteral("orders"), QStringLiteral("0190a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b")}));
        for (const char *bad : {"%31", "+1", "-1", "1%00", "01", "00", "1%2Fqueue", " 1", "1 ", "", "1234567890123456789", "%2e%2e"})
            QVERIFY2(!matches(router, sale(QString::fromLatin1(bad))), bad);
        QVERIFY(!matches(router, sale(QString(65, QLatin1Char('a')))));
    }

    void onlyIdsRefuseLeadingZeros()
    {
        // A storefront build's version is 16 hex digits, and may be all decimal ones
        // starting with 0: its assets must still be found.
        Router router;
        router.add("GET", QStringLiteral("/shop/v/{version}/{file}"), Access::Anyone, {});
        QVERIFY(matches(router, {QStringLiteral("shop"), QStringLiteral("v"), QStringLiteral("0123456789012345"), QStringLiteral("app.js")}));
        QVERIFY(!matches(router, {QStringLiteral("shop"), QStringLiteral("v"), QStringLiteral("%30123"), QStringLiteral("app.js")}));
    }
};

QTEST_GUILESS_MAIN(TestStrictRouting)
#include "tst_strictrouting.moc"
