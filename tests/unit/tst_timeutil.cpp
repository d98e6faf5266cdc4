// isoUtc keeps a few renderings per thread: whatever the order of the times asked for,
// and from any thread, it says what QDateTime says (as a QString, or appended as bytes).
#include "core/timeutil.h"

#include <QtTest>

#include <atomic>
#include <thread>

class TestTimeUtil : public QObject
{
    Q_OBJECT

private:
    static QString expected(qint64 ms) { return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs); }

private Q_SLOTS:
    void isoUtcSaysWhatQDateTimeSays()
    {
        QCOMPARE(isoUtc(0), QStringLiteral("1970-01-01T00:00:00.000Z"));
        QCOMPARE(isoUtc(1'764'547'200'123), QStringLiteral("2025-12-01T00:00:00.123Z"));
        // More distinct times than it keeps, asked again in every order.
        const QList<qint64> times{-1, 0, 1, 999, 1000, 1'800'000'000'000, 1'800'000'000'001, 253'402'300'799'999};
        for (int round = 0; round < 3; ++round) {
            for (int i = 0; i < times.size(); ++i) {
                const qint64 t = times.at((i * 5 + round) % times.size());
                QCOMPARE(isoUtc(t), expected(t));
                QCOMPARE(isoUtc(t), expected(t)); // the kept one
                QByteArray out("x");
                appendIsoUtc(out, t);
                QCOMPARE(out, "x" + expected(t).toLatin1());
            }
        }
    }

    void aCopyIsItsOwn()
    {
        QString first = isoUtc(42);
        first[0] = QLatin1Char('X');
        QCOMPARE(isoUtc(42), expected(42));
    }

    void threadsKeepTheirOwn()
    {
        std::atomic_int wrong{0};
        auto work = [&wrong](qint64 base) {
            for (qint64 i = 0; i < 2000; ++i) {
                const qint64 t = base + (i % 7) * 1000;
                if (isoUtc(t) != expected(t))
                    wrong.fetch_add(1);
            }
        };
        std::thread a(work, 1'000'000), b(work, 2'000'000);
        a.join();
        b.join();
        QCOMPARE(wrong.load(), 0);
    }
};

QTEST_GUILESS_MAIN(TestTimeUtil)
#include "tst_timeutil.moc"
