// Hostile and clumsy clients against one connection's limits (issue 14), on a real
// flashsale process: memory stays bounded whatever is sent, framing errors get their
// status and a close, HTTP/1.1 semantics hold (order, close, 100-continue).
#include "edgekit.h"

#include <QRegularExpression>
#include <QtTest>

#include <memory>
#include <sys/socket.h>
#include <unistd.h>

using namespace Edge;

class TestEdgeLimits : public QObject
{
    Q_OBJECT

    std::unique_ptr<ServerUnderAttack> m_server;
    qint64 m_startPeakKiB = 0;
    static constexpr qint64 allowedGrowthKiB = 40 * 1024; // the server's peak may grow this much over the whole suite

    void verifyMemoryHeld()
    {
        const qint64 peak = m_server->peakRssKiB();
        qInfo("server peak RSS %lld KiB (%lld KiB at start)", peak, m_startPeakKiB);
        QVERIFY2(peak - m_startPeakKiB < Sanitizer::memoryBoundKiB(allowedGrowthKiB),
                 qPrintable(QStringLiteral("peak RSS grew by %1 KiB").arg(peak - m_startPeakKiB)));
    }

    // Sends `head`, then `filler` again and again (up to `total` bytes or `seconds`), reading
    // whatever the server answers meanwhile. Returns the answer and how many bytes went.
    static Reading flood(int fd, const QByteArray &head, const QByteArray &filler, qint64 total, int seconds, qint64 *sent)
    {
        Reading got;
        *sent = 0;
        if (!sendAll(fd, head))
            return got;
        QElapsedTimer clock;
        clock.start();
        while (*sent < total && clock.elapsed() < seconds * 1000) {
            const qint64 n = sendSome(fd, filler);
            if (n < 0)
                break;
            *sent += n;
            char buffer[4096];
            const ssize_t r = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
            if (r > 0)
                got.bytes.append(buffer, r);
            if (r == 0 || !got.bytes.isEmpty())
                break; // answered (or closed): stop pushing
            if (n == 0)
                QThread::msleep(5);
        }
        const Reading rest = readUntilClose(fd, 3000);
        got.bytes.append(rest.bytes);
        got.end = rest.end;
        return got;
    }

private Q_SLOTS:
    void initTestCase()
    {
        raiseDescriptorLimit();
        m_server = std::make_unique<ServerUnderAttack>();
        QString error;
        QVERIFY2(m_server->start("[server]\nlogLevel=warning\n[auth]\nargon2MemLimitKiB=8192\n[limits]\nheaderTimeoutMs=2000\nbodyTimeoutMs=3000\nidleTimeoutMs=3000\n", &error),
                 qPrintable(error));
        // Warm up (the first requests allocate what every request needs).
        const int fd = connectFrom(m_server->port());
        for (int i = 0; i < 20; ++i) {
            QVERIFY(sendAll(fd, "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
            QCOMPARE(readAnswer(fd, 3000).status(), 200);
        }
        ::close(fd);
        m_startPeakKiB = m_server->peakRssKiB();
    }

    void unfinishedHugeHeaderLineIsRefused()
    {
        // Before: one unfinished 200 MiB header line took the server from 32 to 444 MB.
        const int fd = connectFrom(m_server->port());
        qint64 sent = 0;
        const Reading r = flood(fd, "GET /health/live HTTP/1.1\r\nX-A: ", QByteArray(1 << 20, 'a'), qint64(200) << 20, 20, &sent);
        ::close(fd);
        qInfo("sent %lld bytes of header before the answer", sent);
        QCOMPARE(r.status(), 431);
        QVERIFY(r.end != Reading::TimedOut);
        verifyMemoryHeld();
    }

    void tooManyHeadersAndLongUrls()
    {
        QByteArray many = "GET /health/live HTTP/1.1\r\nHost: a\r\n";
        for (int i = 0; i < 1000; ++i)
            many += "X-" + QByteArray::number(i) + ": 1\r\n";
        int fd = connectFrom(m_server->port());
        QVERIFY(sendAll(fd, many + "\r\n"));
        Reading r = readUntilClose(fd, 3000);
        ::close(fd);
        QCOMPARE(r.status(), 431);
        QVERIFY(r.end != Reading::TimedOut);

        // Before: a 1 MB URL was echoed back in the 404.
        const QByteArray url = "/" + QByteArray(1000000, 'a');
        fd = connectFrom(m_server->port());
        qint64 sent = 0;
        r = flood(fd, "GET ", url + " HTTP/1.1\r\nHost: a\r\n\r\n", 1, 10, &sent);
        ::close(fd);
        QCOMPARE(r.status(), 414);
        QVERIFY2(!r.bytes.contains("aaaaaaaaaaaaaaaa"), "the URL is not echoed");
        QVERIFY(r.bytes.size() < 2048);
        verifyMemoryHeld();
    }

    void bodyCapHoldsBeforeTheBodyIsRead()
    {
        // Before: a 200 MB body took the server from 147 to 682 MB, and 255 MB stayed.
        const int fd = connectFrom(m_server->port());
        QVERIFY(sendAll(fd, "POST /users HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 200000000\r\n\r\n"));
        // The answer comes before a byte of the body is sent.
        const Reading first = readAnswer(fd, 2000);
        QCOMPARE(first.status(), 413);
        QVERIFY(first.bytes.contains("Connection: close"));
        // Sending the body anyway goes nowhere: the server drains a little, then closes.
        qint64 sent = 0;
        const QByteArray chunk(1 << 20, 'x');
        QElapsedTimer clock;
        clock.start();
        while (sent < 200000000 && clock.elapsed() < 10000) {
            const qint64 n = sendSome(fd, chunk);
            if (n < 0)
                break;
            sent += n;
            if (n == 0)
                QThread::msleep(5);
        }
        ::close(fd);
        qInfo("body bytes the client could push after the 413: %lld", sent);
        QVERIFY2(sent < 50000000, "the server does not take the body");
        verifyMemoryHeld();
    }

    void chunkedBodyIsCountedAsItArrives()
    {
        const int fd = connectFrom(m_server->port());
        QByteArray chunk = QByteArray::number(4096, 16) + "\r\n" + QByteArray(4096, 'x') + "\r\n";
        qint64 sent = 0;
        const Reading r = flood(fd, "POST /users HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
                                chunk, qint64(200) << 20, 20, &sent);
        ::close(fd);
        QCOMPARE(r.status(), 413);
        verifyMemoryHeld();
    }

    void continueOnlyWhenTheBodyFits()
    {
        int fd = connectFrom(m_server->port());
        QVERIFY(sendAll(fd, "POST /token HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n"));
        Reading interim = readUntilClose(fd, 1000); // times out: the final answer waits for the body
        QVERIFY2(interim.bytes.startsWith("HTTP/1.1 100 Continue\r\n\r\n"), interim.bytes.constData());
        QVERIFY(sendAll(fd, "{}"));
        const Reading final = readAnswer(fd, 5000);
        QVERIFY(final.status() >= 400 && final.status() < 500); // {} is not a grant: a problem, not a hang
        ::close(fd);

        fd = connectFrom(m_server->port());
        QVERIFY(sendAll(fd, "POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\nExpect: 100-continue\r\n\r\n"));
        const Reading refused = readUntilClose(fd, 3000);
        ::close(fd);
        QCOMPARE(refused.status(), 413);
        QVERIFY(!refused.bytes.contains("100 Continue"));
    }

    void malformedFramingGetsAnAnswerAndAClose_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("status");
        QTest::newRow("garbage request line") << QByteArray("GARBAGE\r\n\r\n") << 400;
        QTest::newRow("HTTP/9.9") << QByteArray("GET /health/live HTTP/9.9\r\nHost: a\r\n\r\n") << 505;
        QTest::newRow("HTTP/2.0 text") << QByteArray("GET /health/live HTTP/2.0\r\nHost: a\r\n\r\n") << 505;
        QTest::newRow("negative length") << QByteArray("POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: -5\r\n\r\n") << 400;
        QTest::newRow("non-numeric length") << QByteArray("POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: abc\r\n\r\n") << 400;
        QTest::newRow("conflicting lengths") << QByteArray("POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x") << 400;
        QTest::newRow("length and chunked") << QByteArray("POST /token HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n") << 400;
        QTest::newRow("unknown coding") << QByteArray("POST /token HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") << 501;
        QTest::newRow("folded header") << QByteArray("GET /health/live HTTP/1.1\r\nHost: a\r\n b\r\n\r\n") << 400;
        QTest::newRow("bad chunk") << QByteArray("POST /token HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n") << 400;
    }

    void malformedFramingGetsAnAnswerAndAClose()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, status);
        const int fd = connectFrom(m_server->port());
        QVERIFY(sendAll(fd, wire));
        const Reading r = readUntilClose(fd, 3000);
        ::close(fd);
        QCOMPARE(r.status(), status);
        QVERIFY(r.bytes.contains("application/problem+json"));
        QCOMPARE(r.end, Reading::Eof); // closed, not left hanging
    }

    void connectionCloseAndHttp10CloseAfterTheAnswer()
    {
        for (const QByteArray &wire : {QByteArray("GET /health/live HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"),
                                       QByteArray("GET /health/live HTTP/1.0\r\n\r\n")}) {
            const int fd = connectFrom(m_server->port());
            QVERIFY(sendAll(fd, wire));
            const Reading r = readUntilClose(fd, 3000);
            ::close(fd);
            QCOMPARE(r.status(), 200);
            QCOMPARE(r.end, Reading::Eof);
            QVERIFY(r.elapsedMs < 1000);
            QVERIFY(r.bytes.contains("Connection: close"));
            QVERIFY(r.bytes.endsWith("}")); // the whole body, then the end
        }
    }

    void pipelinedAnswersComeInRequestOrder()
    {
        // Before: with slow and fast handlers mixed, answers came back out of order.
        QByteArray wire;
        for (int i = 0; i < 50; ++i) {
            const QByteArray id = "X-Request-Id: r" + QByteArray::number(i) + "\r\n";
            switch (i % 5) {
            case 0: wire += "GET /health/live HTTP/1.1\r\nHost: a\r\n" + id + "\r\n"; break;
            case 1: wire += "GET /sales HTTP/1.1\r\nHost: a\r\n" + id + "\r\n"; break;
            case 2: {
                const QByteArray body = "{\"username\":\"nobody" + QByteArray::number(i) + "@example.com\",\"password\":\"wrong password\"}";
                wire += "POST /token HTTP/1.1\r\nHost: a\r\nContent-Type: application/json\r\n" + id + "Content-Length: "
                        + QByteArray::number(body.size()) + "\r\n\r\n" + body;
                break;
            }
            case 3: wire += "GET /nothing/here HTTP/1.1\r\nHost: a\r\n" + id + "\r\n"; break;
            default: wire += "GET /health/ready HTTP/1.1\r\nHost: a\r\n" + id + "\r\n"; break;
            }
        }
        wire += "GET /health/live HTTP/1.1\r\nHost: a\r\nConnection: close\r\nX-Request-Id: r50\r\n\r\n";
        const int fd = connectFrom(m_server->port());
        QVERIFY(sendAll(fd, wire));
        const Reading r = readUntilClose(fd, 30000);
        ::close(fd);
        QCOMPARE(r.end, Reading::Eof);
        static const QRegularExpression idHeader(QStringLiteral("X-Request-Id: r(\\d+)"));
        QList<int> order;
        for (auto it = idHeader.globalMatch(QString::fromLatin1(r.bytes)); it.hasNext();)
            order.append(it.next().captured(1).toInt());
        QList<int> expected;
        for (int i = 0; i <= 50; ++i)
            expected.append(i);
        QCOMPARE(order, expected);
        QCOMPARE(int(r.bytes.count("HTTP/1.1 ")), 51);
    }

    void idleKeptAliveConnectionIsClosed()
    {
        const int fd = connectFrom(m_server->port());
        QVERIFY(sendAll(fd, "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
        QCOMPARE(readAnswer(fd, 3000).status(), 200);
        const Reading rest = readUntilClose(fd, 8000); // idleTimeoutMs=3000
        ::close(fd);
        QCOMPARE(rest.end, Reading::Eof);
        QVERIFY(rest.bytes.isEmpty());
        QVERIFY2(rest.elapsedMs >= 2500 && rest.elapsedMs < 6000, qPrintable(QString::number(rest.elapsedMs)));
    }

    void everyAnswerCarriesTheSecurityHeaders()
    {
        const int fd = connectFrom(m_server->port());
        QVERIFY(sendAll(fd, "GET /health/live HTTP/1.1\r\nHost: a\r\n\r\n"));
        const Reading r = readAnswer(fd, 3000);
        ::close(fd);
        QVERIFY(r.bytes.contains("X-Content-Type-Options: nosniff\r\n"));
        QVERIFY(r.bytes.contains("Referrer-Policy: no-referrer\r\n"));
    }

    void pathIdsAreStrict()
    {
        // Before: /sales/%31, /sales/+1, /sales/1%00, /sales//1 and /sales/01 all reached
        // sale 1, and /sales/1%2Fqueue was decoded before routing.
        ServerUnderAttack demo;
        QString error;
        QVERIFY2(demo.start("[server]\nlogLevel=warning\n", &error, 0, true), qPrintable(error));
        const auto statusOf = [&demo](const QByteArray &path) {
            const int fd = connectFrom(demo.port());
            sendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
            const int status = readUntilClose(fd, 3000).status();
            ::close(fd);
            return status;
        };
        QCOMPARE(statusOf("/sales/1"), 200);
        QCOMPARE(statusOf("/sales/1/"), 200);
        for (const QByteArray &path : {QByteArray("/sales/%31"), QByteArray("/sales/+1"), QByteArray("/sales/1%00"),
                                       QByteArray("/sales//1"), QByteArray("/sales/01"), QByteArray("/sales/1%2Fqueue"),
                                       QByteArray("/sales/1%2fqueue"), QByteArray("//sales/1")})
            QVERIFY2(statusOf(path) == 404, path.constData());
    }

    void cleanupTestCase()
    {
        QVERIFY(m_server->running());
        verifyMemoryHeld();
        m_server.reset();
    }
};

QTEST_GUILESS_MAIN(TestEdgeLimits)
#include "tst_edgelimits.moc"
