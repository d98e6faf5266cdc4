// The per-address brakes on POST /token and POST /users: a sliding window per address
// (IPv6 per /64). Time is passed in, so nothing sleeps.
#include "accounts/addresslimit.h"

#include <QtTest>

class TestAddressLimit : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addressLimitIsASlidingWindow()
    {
        AddressLimit throttle(20, 10000);
        const QHostAddress a(QStringLiteral("203.0.113.7"));
        for (int i = 0; i < 20; ++i)
            QCOMPARE(throttle.admit(a, 1000 + i * 100), qint64(0));
        // The 21st within 10 s waits until the first leaves the window.
        QCOMPARE(throttle.admit(a, 3000), qint64(8000));
        QCOMPARE(throttle.admit(a, 10999), qint64(1));
        // A refused attempt is not counted: at 11000 the first has left, one goes through.
        QCOMPARE(throttle.admit(a, 11000), qint64(0));
        QVERIFY(throttle.admit(a, 11001) > 0);
        QCOMPARE(throttle.admit(a, 11100), qint64(0));
        // Other addresses have their own window.
        QCOMPARE(throttle.admit(QHostAddress(QStringLiteral("203.0.113.8")), 3000), qint64(0));
    }

    void addressesAreGroupedSensibly()
    {
        QCOMPARE(AddressLimit::addressKey(QHostAddress(QStringLiteral("::ffff:198.51.100.4"))),
                 QHostAddress(QStringLiteral("198.51.100.4")));
        QCOMPARE(AddressLimit::addressKey(QHostAddress(QStringLiteral("2001:db8:1:2:aaaa::1"))),
                 QHostAddress(QStringLiteral("2001:db8:1:2::")));
        QVERIFY(AddressLimit::addressKey(QHostAddress(QStringLiteral("2001:db8:1:3::1")))
                != AddressLimit::addressKey(QHostAddress(QStringLiteral("2001:db8:1:2::1"))));

        AddressLimit throttle(2, 10000);
        QCOMPARE(throttle.admit(QHostAddress(QStringLiteral("2001:db8::1")), 0), qint64(0));
        QCOMPARE(throttle.admit(QHostAddress(QStringLiteral("2001:db8::2")), 0), qint64(0));
        QVERIFY(throttle.admit(QHostAddress(QStringLiteral("2001:db8::ffff:3")), 0) > 0); // same /64
        QCOMPARE(throttle.admit(QHostAddress(QStringLiteral("2001:db8:0:1::1")), 0), qint64(0));
        QCOMPARE(throttle.admit(QHostAddress(QStringLiteral("192.0.2.1")), 0), qint64(0));
        QCOMPARE(throttle.admit(QHostAddress(QStringLiteral("::ffff:192.0.2.1")), 0), qint64(0));
        QVERIFY(throttle.admit(QHostAddress(QStringLiteral("192.0.2.1")), 0) > 0); // mapped = same host
    }

    void addressLimitCanBeTurnedOff()
    {
        AddressLimit off(0, 10000);
        const QHostAddress a(QHostAddress::LocalHost);
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(off.admit(a, 0), qint64(0));
        QCOMPARE(off.trackedAddresses(), qsizetype(0));
        AddressLimit one(1, 1000);
        QCOMPARE(one.admit(a, 0), qint64(0));
        QCOMPARE(one.admit(a, 0), qint64(1000));
    }

    void floodsStayBounded()
    {
        AddressLimit throttle(5, 10000);
        // Many one-off addresses, then time passes: the next call sweeps them.
        for (quint32 i = 0; i < 50000; ++i)
            QCOMPARE(throttle.admit(QHostAddress(0x0a000000u + i), 0), qint64(0));
        QCOMPARE(throttle.trackedAddresses(), qsizetype(50000));
        const QHostAddress busy(QStringLiteral("192.0.2.9"));
        for (int i = 0; i < 5; ++i)
            QCOMPARE(throttle.admit(busy, 20000), qint64(0));
        QCOMPARE(throttle.trackedAddresses(), qsizetype(1));
        // Still blocking the address that is over its limit after the sweep.
        QCOMPARE(throttle.admit(busy, 20001), qint64(9999));
        QCOMPARE(throttle.admit(QHostAddress(0x0a000000u), 20002), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestAddressLimit)
#include "tst_addresslimit.moc"
