// Passwords: Argon2id strings from libsodium, with the configured cost (raised to
// libsodium's minimum), salted, verified, and a dummy verify that really does the work.
#include "accounts/passwordhasher.h"

#include <QElapsedTimer>
#include <QtTest>

#include <algorithm>

class TestPasswordHasher : public QObject
{
    Q_OBJECT

private:
    // Median time of `runs` calls, in nanoseconds.
    template<typename F>
    static qint64 medianNs(int runs, F f)
    {
        QList<qint64> times;
        for (int i = 0; i < runs; ++i) {
            QElapsedTimer t;
            t.start();
            f();
            times.append(t.nsecsElapsed());
        }
        std::sort(times.begin(), times.end());
        return times.at(runs / 2);
    }

private Q_SLOTS:
    void hashesAreArgon2idWithTheConfiguredCost()
    {
        const PasswordHasher hasher(1, 8);
        const QByteArray hash = hasher.hash(QStringLiteral("correct horse 42"));
        QVERIFY2(hash.startsWith("$argon2id$v=19$"), hash.constData());
        QVERIFY2(hash.contains("$m=8,t=1,p=1$"), hash.constData());
        const PasswordHasher stronger(2, 64);
        QVERIFY(stronger.hash(QStringLiteral("x")).contains("$m=64,t=2,p=1$"));
    }

    void costsBelowTheMinimumAreRaised()
    {
        const PasswordHasher hasher(0, 1);
        QCOMPARE(hasher.opsLimit(), quint64(1));
        QCOMPARE(hasher.memLimitBytes(), quint64(8192));
        QVERIFY(hasher.hash(QStringLiteral("pw")).contains("$m=8,t=1,p=1$"));
    }

    void verifiesTheRightPasswordOnly_data()
    {
        QTest::addColumn<QString>("password");
        QTest::addColumn<QString>("wrong");
        QTest::newRow("one character off") << QStringLiteral("correct horse 42") << QStringLiteral("correct horse 43");
        QTest::newRow("case") << QStringLiteral("correct horse 42") << QStringLiteral("Correct horse 42");
        QTest::newRow("empty") << QStringLiteral("correct horse 42") << QString();
        QTest::newRow("unicode") << QStringLiteral("pässwörd ✓ 密码") << QStringLiteral("passwörd ✓ 密码");
    }

    void verifiesTheRightPasswordOnly()
    {
        QFETCH(QString, password);
        QFETCH(QString, wrong);
        const PasswordHasher hasher(1, 8);
        const QByteArray hash = hasher.hash(password);
        QVERIFY(hasher.verify(hash, password));
        QVERIFY(!hasher.verify(hash, wrong));
        // A hash made with other costs still verifies: the cost travels in the string.
        QVERIFY(PasswordHasher(2, 64).verify(hash, password));
    }

    void malformedHashesNeverVerify()
    {
        const PasswordHasher hasher(1, 8);
        const QString password = QStringLiteral("correct horse 42");
        QVERIFY(!hasher.verify(QByteArray(), password));
        QVERIFY(!hasher.verify("not a hash", password));
        QVERIFY(!hasher.verify(QByteArray(200, '$'), password));
        QVERIFY(!hasher.verify(hasher.hash(password).chopped(4), password));
    }

    void everyHashHasItsOwnSalt()
    {
        const PasswordHasher hasher(1, 8);
        const QString password = QStringLiteral("same password");
        QVERIFY(hasher.hash(password) != hasher.hash(password));
    }

    void needsRehashWhenTheCostChanges()
    {
        const PasswordHasher cheap(1, 8);
        const QByteArray hash = cheap.hash(QStringLiteral("pw123456"));
        QVERIFY(!cheap.needsRehash(hash));
        QVERIFY(PasswordHasher(2, 16).needsRehash(hash));
        QVERIFY(cheap.needsRehash("garbage"));
    }

    void dummyVerifyDoesTheSameWork()
    {
        // With a cost that takes milliseconds, the dummy verify must take about as long
        // as a real one, not return at once (generous bound: the machine is shared).
        const PasswordHasher hasher(2, 16384);
        const QByteArray hash = hasher.hash(QStringLiteral("the real one"));
        const qint64 real = medianNs(5, [&] { (void)hasher.verify(hash, QStringLiteral("a wrong one")); });
        const qint64 dummy = medianNs(5, [&] { hasher.verifyDummy(QStringLiteral("a wrong one")); });
        QVERIFY2(real > 1000000, qPrintable(QStringLiteral("real verify took %1 ns").arg(real)));
        QVERIFY2(dummy * 3 > real, qPrintable(QStringLiteral("dummy %1 ns, real %2 ns").arg(dummy).arg(real)));
    }
};

QTEST_GUILESS_MAIN(TestPasswordHasher)
#include "tst_passwordhasher.moc"
