// Hostile clients against the server's connections (issue 14), on a real flashsale
// process: slowloris, thousands of idle connections, one address hoarding connections,
// and a process out of file descriptors. Each time, a well-behaved client on another
// loopback address keeps getting answers at its normal latency (p99 under 50 ms). It asks a
// second server that nobody attacks at the same moments: when that one is slow too, the
// machine is busy with other work and the bound is relative to it.
#include "edgekit.h"

#include <QtTest>

#include <cerrno>
#include <memory>
#include <sys/socket.h>
#include <unistd.h>

using namespace Edge;

namespace {

int countClosed(const std::vector<int> &fds)
{
    int closed = 0;
    for (int fd : fds)
        closed += peerClosed(fd) ? 1 : 0;
    return closed;
}

} // namespace

class TestEdgeConnections : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(raiseDescriptorLimit() >= 12000, "the suite needs 12,000 descriptors (ulimit -Hn)");
        QString error;
        QVERIFY2(m_control.start("[server]\nlogLevel=warning\n", &error), qPrintable(error));
    }

    void slowlorisIsCutOffAndOthersAreServed() { untilNormalLatency("slowloris", &TestEdgeConnections::slowloris); }

    void fiveThousandIdleConnections() { untilNormalLatency("fiveThousandIdle", &TestEdgeConnections::fiveThousandIdle); }

    void connectionsPerAddressAndInAllAreCapped()
    {
        ServerUnderAttack server;
        QString error;
        QVERIFY2(server.start("[server]\nlogLevel=warning\n[limits]\nmaxConnections=80\nmaxConnectionsPerAddress=50\n", &error),
                 qPrintable(error));
        std::vector<int> hoard;
        for (int i = 0; i < 50; ++i)
            hoard.push_back(connectFrom(server.port(), "127.0.0.1"));
        QThread::msleep(300);
        QCOMPARE(countClosed(hoard), 0);
        // The 51st from the same address: 429 and the door.
        int fd = connectFrom(server.port(), "127.0.0.1");
        Reading r = readUntilClose(fd, 3000);
        ::close(fd);
        QCOMPARE(r.status(), 429);
        QCOMPARE(r.end, Reading::Eof);
        // Another address is still served, up to the server's own cap.
        std::vector<int> others;
        for (int i = 0; i < 30; ++i)
            others.push_back(connectFrom(server.port(), "127.0.0.3"));
        QThread::msleep(300);
        QCOMPARE(countClosed(others), 0);
        fd = connectFrom(server.port(), "127.0.0.4");
        r = readUntilClose(fd, 3000);
        ::close(fd);
        QCOMPARE(r.status(), 503);
        // Closing some makes room again.
        for (int i = 0; i < 10; ++i) {
            ::close(hoard.back());
            hoard.pop_back();
        }
        QThread::msleep(300);
        fd = connectFrom(server.port(), "127.0.0.1");
        QVERIFY(sendAll(fd, "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
        QCOMPARE(readAnswer(fd, 3000).status(), 200);
        ::close(fd);
        closeAll(hoard);
        closeAll(others);
    }

    void descriptorExhaustionNeitherSpinsNorStops() { untilNormalLatency("descriptorFlood", &TestEdgeConnections::descriptorFlood); }

private:
    // How the well-behaved client fared in one attempt.
    struct Latency
    {
        bool normal = false;
        QString why;
    };

    // Latency on a shared machine: an attempt whose p99 is out of bound (every other check
    // passed) is made again on a fresh server, three attempts in all, and each is logged.
    // A server that is slow under the attack fails all three.
    void untilNormalLatency(const char *what, void (TestEdgeConnections::*attempt)(Latency *))
    {
        constexpr int attempts = 3;
        Latency latency;
        for (int i = 1; i <= attempts; ++i) {
            (this->*attempt)(&latency);
            if (QTest::currentTestFailed() || latency.normal)
                return;
            qWarning("%s: attempt %d of %d out of bound: %s", what, i, attempts, qPrintable(latency.why));
        }
        QVERIFY2(latency.normal, qPrintable(latency.why));
    }

    void slowloris(Latency *latency)
    {
        // Before: 500 slowloris connections were all held for 45 s.
        ServerUnderAttack server;
        QString error;
        QVERIFY2(server.start("[server]\nlogLevel=warning\n[limits]\nheaderTimeoutMs=2000\n", &error), qPrintable(error));
        const qint64 startPeak = server.peakRssKiB();
        const double quiet = quietP99Ms(server.port());
        WellBehavedClient good(server.port());
        good.setControl(m_control.port());
        good.start();
        const double cpuBefore = server.cpuSeconds();
        std::vector<int> attackers;
        for (int i = 0; i < 500; ++i) {
            const int fd = connectFrom(server.port());
            QVERIFY(fd >= 0);
            QVERIFY(sendAll(fd, "GET /health/live HTTP/1.1\r\n"));
            attackers.push_back(fd);
        }
        // One more header byte per connection every 200 ms, for 5 s.
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < 5000) {
            for (int fd : attackers)
                sendSome(fd, "X");
            QThread::msleep(200);
        }
        good.stop();
        const double cpuUsed = server.cpuSeconds() - cpuBefore;
        const int closed = countClosed(attackers);
        closeAll(attackers);
        qInfo("slowloris: %d of 500 closed by the server; server CPU %.2f s over 5 s; good client p99 %.2f ms over %d answers, %d failures; "
              "peak RSS %lld -> %lld KiB",
              closed, cpuUsed, good.p99Ms(), good.answered(), good.failures(), startPeak, server.peakRssKiB());
        QCOMPARE(closed, 500);
        QCOMPARE(good.failures(), 0);
        QVERIFY(good.answered() > 100);
        latency->normal = withinNormalLatency(good.p99Ms(), quiet, good.controlP99Ms(), &latency->why);
        qInfo("slowloris: %s", qPrintable(latency->why));
        QVERIFY(server.peakRssKiB() - startPeak < Sanitizer::memoryBoundKiB(50 * 1024));
    }

    void fiveThousandIdle(Latency *latency)
    {
        // Before: 5,000 idle connections were all held for 45 s.
        ServerUnderAttack server;
        QString error;
        QVERIFY2(server.start("[server]\nlogLevel=warning\n[limits]\nheaderTimeoutMs=8000\nmaxConnectionsPerAddress=6000\n", &error),
                 qPrintable(error));
        const qint64 startPeak = server.peakRssKiB();
        const double quiet = quietP99Ms(server.port());
        // The opening burst is measured and reported; the limit is asserted while the
        // 5,000 are held open.
        WellBehavedClient duringOpening(server.port());
        duringOpening.start();
        std::vector<int> idle;
        QElapsedTimer clock;
        clock.start();
        for (int i = 0; i < 5000; ++i) {
            const int fd = connectFrom(server.port());
            QVERIFY2(fd >= 0, qPrintable(QStringLiteral("connection %1").arg(i)));
            idle.push_back(fd);
        }
        duringOpening.stop();
        const qint64 openedMs = clock.elapsed();
        WellBehavedClient good(server.port());
        good.setControl(m_control.port());
        good.start();
        QThread::msleep(3000);
        good.stop();
        const qint64 heldPeak = server.peakRssKiB();
        const int closedEarly = countClosed(idle);
        qInfo("5,000 idle: opened in %lld ms (good client meanwhile: p99 %.2f ms over %d answers, %d failures); held: good client "
              "p99 %.2f ms over %d answers, %d failures; peak RSS %lld -> %lld KiB",
              openedMs, duringOpening.p99Ms(), duringOpening.answered(), duringOpening.failures(), good.p99Ms(), good.answered(),
              good.failures(), startPeak, heldPeak);
        QCOMPARE(closedEarly, 0);
        QCOMPARE(duringOpening.failures(), 0);
        QCOMPARE(good.failures(), 0);
        latency->normal = withinNormalLatency(good.p99Ms(), quiet, good.controlP99Ms(), &latency->why);
        qInfo("5,000 idle: %s", qPrintable(latency->why));
        QVERIFY(heldPeak - startPeak < Sanitizer::memoryBoundKiB(100 * 1024));
        // Nothing sent within headerTimeoutMs: every one of them is closed.
        QTRY_COMPARE_WITH_TIMEOUT(countClosed(idle), 5000, 15000);
        qInfo("5,000 idle: all closed by the server %lld ms after the first was opened", clock.elapsed());
        closeAll(idle);
    }

    void descriptorFlood(Latency *latency)
    {
        // Before: a flood beyond the descriptor limit made the server burn CPU, log nothing,
        // and leave new connections hanging until others closed. Now the server caps its
        // connections below its descriptor limit (keeping some for itself), answers the
        // rest 503 at once, says so once in the log, and takes connections again when
        // there is room.
        ServerUnderAttack server;
        QString error;
        QVERIFY2(server.start("[server]\nlogLevel=info\n[limits]\nheaderTimeoutMs=60000\n", &error, 400), qPrintable(error));
        QVERIFY(server.log().contains("http.connections.capped"));
        const double quiet = quietP99Ms(server.port());
        WellBehavedClient good(server.port()); // connected before the flood
        good.setControl(m_control.port());
        good.start();
        QThread::msleep(300);
        std::vector<int> flood;
        for (int i = 0; i < 600; ++i) {
            const int fd = connectFrom(server.port(), "127.0.0.1");
            if (fd >= 0)
                flood.push_back(fd);
        }
        QThread::msleep(1000);
        const double cpuBefore = server.cpuSeconds();
        QThread::msleep(3000);
        const double cpuUsed = server.cpuSeconds() - cpuBefore;
        good.stop();
        QVERIFY(server.running());
        int refused = 0;
        int held = 0;
        for (int fd : flood) {
            char head[16] = {};
            const ssize_t n = ::recv(fd, head, sizeof head - 1, MSG_DONTWAIT);
            if (n > 0 && QByteArray(head).startsWith("HTTP/1.1 503"))
                ++refused;
            else if (n < 0 && errno == EAGAIN)
                ++held;
        }
        const QByteArray log = server.log();
        qInfo("descriptor flood: %d held, %d answered 503; server CPU %.2f s over 3 s; good client p99 %.2f ms over %d answers, "
              "%d failures; %d 'full' log lines",
              held, refused, cpuUsed, good.p99Ms(), good.answered(), good.failures(), int(log.count("http.connections.full")));
        // A spinning accept loop takes the whole 3 s; the work of answering takes a tenth of
        // that (times a sanitizer's slowdown).
        QVERIFY2(cpuUsed < 0.3 * Sanitizer::slowdown, "no spinning: under a tenth of a core");
        QVERIFY(held > 100);
        QCOMPARE(held + refused, int(flood.size()));
        QCOMPARE(int(log.count("http.connections.full")), 1);
        QCOMPARE(good.failures(), 0);
        latency->normal = withinNormalLatency(good.p99Ms(), quiet, good.controlP99Ms(), &latency->why);
        qInfo("descriptor flood: %s", qPrintable(latency->why));
        closeAll(flood);
        // Room again: new connections are served.
        QThread::msleep(500);
        const int fd = connectFrom(server.port(), "127.0.0.3");
        QVERIFY(sendAll(fd, "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
        QCOMPARE(readAnswer(fd, 3000).status(), 200);
        ::close(fd);
    }

    ServerUnderAttack m_control; // the server nobody attacks: how slow the machine is meanwhile

};

QTEST_GUILESS_MAIN(TestEdgeConnections)
#include "tst_edgeconnections.moc"
