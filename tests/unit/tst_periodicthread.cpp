// PeriodicThread: a woken round runs at once, unless a wake gap is set; then the wakes
// that come in quick succession are served by one round, started no sooner than the gap
// after the round before it (the outbox dispatcher gathers events this way).
#include "core/periodicthread.h"

#include <QElapsedTimer>
#include <QtTest>

#include <mutex>
#include <vector>

namespace {

// Starts of the rounds, in ms since the recorder was made.
class Rounds
{
public:
    Rounds() { m_clock.start(); }
    void record()
    {
        std::lock_guard lock(m_mutex);
        m_startsMs.push_back(m_clock.elapsed());
    }
    std::vector<qint64> starts() const
    {
        std::lock_guard lock(m_mutex);
        return m_startsMs;
    }
    size_t count() const { return starts().size(); }

private:
    QElapsedTimer m_clock;
    mutable std::mutex m_mutex;
    std::vector<qint64> m_startsMs;
};

} // namespace

class TestPeriodicThread : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void aWokenRoundRunsAtOnceWithoutAGap()
    {
        Rounds rounds;
        PeriodicThread thread("t-nogap", 60000, [&rounds] { rounds.record(); });
        thread.start();
        QTRY_COMPARE_WITH_TIMEOUT(rounds.count(), size_t(1), 5000);
        thread.wake();
        QTRY_COMPARE_WITH_TIMEOUT(rounds.count(), size_t(2), 5000); // not after the 60 s period
        thread.stop();
    }

    void wakesInQuickSuccessionShareOneRound()
    {
        constexpr int gapMs = 150;
        Rounds rounds;
        PeriodicThread thread("t-gap", 60000, [&rounds] { rounds.record(); });
        thread.setWakeGap(gapMs);
        thread.start();
        QTRY_COMPARE_WITH_TIMEOUT(rounds.count(), size_t(1), 5000);
        for (int i = 0; i < 20; ++i) { // twenty wakes within about 40 ms
            thread.wake();
            QThread::msleep(2);
        }
        QTRY_COMPARE_WITH_TIMEOUT(rounds.count(), size_t(2), 5000);
        QThread::msleep(3 * gapMs);
        const std::vector<qint64> starts = rounds.starts();
        thread.stop();
        // Without the gap each wake could start a round: up to 21. With it, the wakes that
        // came while the first round waited out the gap are served by the second.
        QVERIFY2(starts.size() <= 3, qPrintable(QString::number(starts.size())));
        QVERIFY2(starts[1] - starts[0] >= gapMs, qPrintable(QString::number(starts[1] - starts[0])));
    }

    void stopDoesNotWaitOutTheGap()
    {
        Rounds rounds;
        PeriodicThread thread("t-stop", 60000, [&rounds] { rounds.record(); });
        thread.setWakeGap(30000);
        thread.start();
        QTRY_COMPARE_WITH_TIMEOUT(rounds.count(), size_t(1), 5000);
        thread.wake();
        QThread::msleep(20); // the thread now waits out the 30 s gap
        QElapsedTimer stopping;
        stopping.start();
        thread.stop();
        QVERIFY2(stopping.elapsed() < 5000, qPrintable(QString::number(stopping.elapsed())));
        QCOMPARE(rounds.count(), size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestPeriodicThread)
#include "tst_periodicthread.moc"
