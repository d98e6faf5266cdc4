// The circuit breaker's rules with a driven clock: opens on the Nth failure within the
// window (not on old ones), refuses while open, lets exactly one trial through when
// half-open, closes on its success (counted once) and reopens on its failure.
#include "payments/circuitbreaker.h"

#include <QtTest>

class TestCircuitBreaker : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void opensAfterThresholdWithinWindow()
    {
        CircuitBreaker b({5, 30000, 10000});
        for (int i = 0; i < 4; ++i)
            b.recordFailure(i * 1000);
        QCOMPARE(b.state(4000), CircuitBreaker::State::Closed);
        QVERIFY(b.allow(4000));
        b.recordFailure(5000);
        QCOMPARE(b.state(5000), CircuitBreaker::State::Open);
        QVERIFY(!b.allow(6000));
        QCOMPARE(b.timesOpened(), quint64(1));
    }

    void oldFailuresLeaveTheWindow()
    {
        CircuitBreaker b({5, 30000, 10000});
        for (int i = 0; i < 4; ++i)
            b.recordFailure(i * 1000);
        b.recordFailure(40000); // the first four are older than 30 s
        QCOMPARE(b.state(40000), CircuitBreaker::State::Closed);
    }

    void successResetsTheCount()
    {
        CircuitBreaker b({3, 30000, 10000});
        b.recordFailure(0);
        b.recordFailure(1);
        b.recordSuccess(2);
        b.recordFailure(3);
        b.recordFailure(4);
        QCOMPARE(b.state(5), CircuitBreaker::State::Closed);
    }

    void halfOpenLetsOneTrialThrough()
    {
        CircuitBreaker b({1, 30000, 10000});
        b.recordFailure(0);
        QVERIFY(!b.allow(9999));
        QCOMPARE(b.state(10000), CircuitBreaker::State::HalfOpen);
        QVERIFY(b.allow(10000));
        QVERIFY(!b.allow(10001)); // one trial at a time
        b.recordFailure(10500);   // the trial failed: open again, for a full period
        QCOMPARE(b.state(11000), CircuitBreaker::State::Open);
        QCOMPARE(b.timesClosed(), quint64(0));
        QVERIFY(!b.allow(20000));
        QVERIFY(b.allow(20500));
        b.recordSuccess(20600);
        QCOMPARE(b.state(20600), CircuitBreaker::State::Closed);
        QVERIFY(b.allow(20601));
        QCOMPARE(b.timesOpened(), quint64(2));
        QCOMPARE(b.timesClosed(), quint64(1));
        b.recordSuccess(20700); // already closed: not counted again
        QCOMPARE(b.timesClosed(), quint64(1));
    }
};

QTEST_GUILESS_MAIN(TestCircuitBreaker)
#include "tst_circuitbreaker.moc"
