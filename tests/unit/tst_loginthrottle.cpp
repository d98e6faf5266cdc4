// The in-memory brakes on POST /token: a sliding window per address (IPv6 per /64) and
// the lockout of e-mails that have no account. Time is passed in, so nothing sleeps.
#include "accounts/loginthrottle.h"

#include <QtTest>

class TestLoginThrottle : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void addressLimitIsASlidingWindow()
    {
        LoginThrottle throttle(5, 60000, 20, 10000);
        const QHostAddress a(QStringLiteral("203.0.113.7"));
        for (int i = 0; i < 20; ++i)
            QCOMPARE(throttle.admitAddress(a, 1000 + i * 100), qint64(0));
        // The 21st within 10 s waits until the first leaves the window.
        QCOMPARE(throttle.admitAddress(a, 3000), qint64(8000));
        QCOMPARE(throttle.admitAddress(a, 10999), qint64(1));
        // A refused attempt is not counted: at 11000 the first has left, one goes through.
        QCOMPARE(throttle.admitAddress(a, 11000), qint64(0));
        QVERIFY(throttle.admitAddress(a, 11001) > 0);
        QCOMPARE(throttle.admitAddress(a, 11100), qint64(0));
        // Other addresses have their own window.
        QCOMPARE(throttle.admitAddress(QHostAddress(QStringLiteral("203.0.113.8")), 3000), qint64(0));
    }

    void addressesAreGroupedSensibly()
    {
        QCOMPARE(LoginThrottle::addressKey(QHostAddress(QStringLiteral("::ffff:198.51.100.4"))),
                 QHostAddress(QStringLiteral("198.51.100.4")));
        QCOMPARE(LoginThrottle::addressKey(QHostAddress(QStringLiteral("2001:db8:1:2:aaaa::1"))),
                 QHostAddress(QStringLiteral("2001:db8:1:2::")));
        QVERIFY(LoginThrottle::addressKey(QHostAddress(QStringLiteral("2001:db8:1:3::1")))
                != LoginThrottle::addressKey(QHostAddress(QStringLiteral("2001:db8:1:2::1"))));

        LoginThrottle throttle(5, 60000, 2, 10000);
        QCOMPARE(throttle.admitAddress(QHostAddress(QStringLiteral("2001:db8::1")), 0), qint64(0));
        QCOMPARE(throttle.admitAddress(QHostAddress(QStringLiteral("2001:db8::2")), 0), qint64(0));
        QVERIFY(throttle.admitAddress(QHostAddress(QStringLiteral("2001:db8::ffff:3")), 0) > 0); // same /64
        QCOMPARE(throttle.admitAddress(QHostAddress(QStringLiteral("2001:db8:0:1::1")), 0), qint64(0));
        QCOMPARE(throttle.admitAddress(QHostAddress(QStringLiteral("192.0.2.1")), 0), qint64(0));
        QCOMPARE(throttle.admitAddress(QHostAddress(QStringLiteral("::ffff:192.0.2.1")), 0), qint64(0));
        QVERIFY(throttle.admitAddress(QHostAddress(QStringLiteral("192.0.2.1")), 0) > 0); // mapped = same host
    }

    void addressLimitCanBeTurnedOff()
    {
        LoginThrottle off(5, 60000, 0, 10000);
        const QHostAddress a(QHostAddress::LocalHost);
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(off.admitAddress(a, 0), qint64(0));
        QCOMPARE(off.trackedAddresses(), qsizetype(0));
        LoginThrottle one(5, 60000, 1, 1000);
        QCOMPARE(one.admitAddress(a, 0), qint64(0));
        QCOMPARE(one.admitAddress(a, 0), qint64(1000));
    }

    void unknownEmailsLockAfterTheSameNumberOfFailures()
    {
        LoginThrottle throttle(3, 60000, 20, 10000);
        const QString email = QStringLiteral("nobody@example.com");
        QCOMPARE(throttle.unknownEmailLockedUntil(email, 0), qint64(0));
        throttle.recordUnknownEmailFailure(email, 100);
        throttle.recordUnknownEmailFailure(email, 200);
        QCOMPARE(throttle.unknownEmailLockedUntil(email, 250), qint64(0));
        throttle.recordUnknownEmailFailure(email, 300); // the third locks
        QCOMPARE(throttle.unknownEmailLockedUntil(email, 301), qint64(60300));
        QCOMPARE(throttle.unknownEmailLockedUntil(QStringLiteral("other@example.com"), 301), qint64(0));
        // The lockout ends, and the count starts again.
        QCOMPARE(throttle.unknownEmailLockedUntil(email, 60300), qint64(0));
        throttle.recordUnknownEmailFailure(email, 60400);
        throttle.recordUnknownEmailFailure(email, 60500);
        QCOMPARE(throttle.unknownEmailLockedUntil(email, 60600), qint64(0));
        // Failures are not forgotten with time alone (an account's count is not either).
        throttle.recordUnknownEmailFailure(email, 10000000);
        QCOMPARE(throttle.unknownEmailLockedUntil(email, 10000001), qint64(10060000));
    }

    void floodsStayBounded()
    {
        LoginThrottle throttle(3, 60000, 5, 10000);
        // Many one-off addresses, then time passes: the next call sweeps them.
        for (quint32 i = 0; i < 50000; ++i)
            QCOMPARE(throttle.admitAddress(QHostAddress(0x0a000000u + i), 0), qint64(0));
        QCOMPARE(throttle.trackedAddresses(), qsizetype(50000));
        const QHostAddress busy(QStringLiteral("192.0.2.9"));
        for (int i = 0; i < 5; ++i)
            QCOMPARE(throttle.admitAddress(busy, 20000), qint64(0));
        QCOMPARE(throttle.trackedAddresses(), qsizetype(1));
        // Still blocking the address that is over its limit after the sweep.
        QCOMPARE(throttle.admitAddress(busy, 20001), qint64(9999));
        QCOMPARE(throttle.admitAddress(QHostAddress(0x0a000000u), 20002), qint64(0));

        // Past MaxEntries, e-mails that are not locked are let go at the next sweep.
        for (int i = 0; i <= LoginThrottle::MaxEntries; ++i)
            throttle.recordUnknownEmailFailure(QStringLiteral("u%1@example.com").arg(i), 30000);
        const QString locked = QStringLiteral("locked@example.com");
        for (int i = 0; i < 3; ++i)
            throttle.recordUnknownEmailFailure(locked, 40000);
        QCOMPARE(throttle.trackedEmails(), qsizetype(1));
        QVERIFY(throttle.unknownEmailLockedUntil(locked, 40001) > 0);
    }
};

QTEST_GUILESS_MAIN(TestLoginThrottle)
#include "tst_loginthrottle.moc"
