// The request framer on its own: what it accepts, what it refuses with which status, and
// that it holds its limits whatever the bytes (issue 14).
#include "http/requestframer.h"

#include <QtTest>

class TestRequestFramer : public QObject
{
    Q_OBJECT

    static RequestLimits smallLimits()
    {
        RequestLimits l;
        l.maxRequestLineBytes = 64;
        l.maxHeaderBytes = 128;
        l.maxHeaderCount = 4;
        l.maxBodyBytes = 32;
        return l;
    }

    // Feeds `bytes` one at a time (the worst split) and returns the last step.
    static RequestFramer::Step feedBytewise(RequestFramer &f, const QByteArray &bytes)
    {
        RequestFramer::Step s = RequestFramer::Step::NeedMore;
        for (char c : bytes) {
            f.append(QByteArray(1, c));
            s = f.advance();
            if (s == RequestFramer::Step::Failed || s == RequestFramer::Step::Complete)
                return s;
        }
        return s;
    }

    static int refusal(const QByteArray &bytes, const RequestLimits &limits = smallLimits())
    {
        RequestFramer f(limits);
        f.append(bytes);
        return f.advance() == RequestFramer::Step::Failed ? f.errorStatus() : 0;
    }

private Q_SLOTS:
    void simpleRequestInPieces()
    {
        RequestFramer f(smallLimits());
        const QByteArray wire = "GET /sales/1?x=%20y HTTP/1.1\r\nHost: a\r\nX-Thing:  v \r\n\r\n";
        QCOMPARE(feedBytewise(f, wire), RequestFramer::Step::Complete);
        const FramedRequest r = f.take();
        QCOMPARE(r.method, QByteArray("GET"));
        QCOMPARE(r.target, QByteArray("/sales/1?x=%20y"));
        QCOMPARE(r.header("x-thing"), QByteArray("v"));
        QVERIFY(r.keepAlive);
        QVERIFY(f.idle());
    }

    void pipelinedRequestsComeOutOneByOne()
    {
        RequestFramer f(smallLimits());
        f.append("POST /a HTTP/1.1\r\nContent-Length: 3\r\n\r\nabcGET /b HTTP/1.1\r\n\r\nPOST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
                 "2\r\nxy\r\n1;ext=1\r\nz\r\n0\r\nTrailer: t\r\n\r\n");
        QCOMPARE(f.advance(), RequestFramer::Step::Complete);
        FramedRequest a = f.take();
        QCOMPARE(a.body, QByteArray("abc"));
        QCOMPARE(f.advance(), RequestFramer::Step::Complete);
        QCOMPARE(f.take().target, QByteArray("/b"));
        QCOMPARE(f.advance(), RequestFramer::Step::Complete);
        FramedRequest c = f.take();
        QCOMPARE(c.body, QByteArray("xyz"));
        QVERIFY(f.idle());
    }

    void connectionCloseAndHttp10EndTheConnection()
    {
        RequestFramer f(smallLimits());
        f.append("GET / HTTP/1.1\r\nConnection: keep-alive, Close\r\n\r\n");
        QCOMPARE(f.advance(), RequestFramer::Step::Complete);
        QVERIFY(!f.take().keepAlive);
        f.append("GET / HTTP/1.0\r\n\r\n");
        QCOMPARE(f.advance(), RequestFramer::Step::Complete);
        const FramedRequest old = f.take();
        QCOMPARE(old.minorVersion, 0);
        QVERIFY(!old.keepAlive);
    }

    void headReadyBeforeTheBodyForContinue()
    {
        RequestFramer f(smallLimits());
        f.append("POST /a HTTP/1.1\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n");
        QCOMPARE(f.advance(), RequestFramer::Step::HeadReady);
        QVERIFY(f.request().expectsContinue);
        f.append("ab");
        QCOMPARE(f.advance(), RequestFramer::Step::NeedMore);
        f.append("cd");
        QCOMPARE(f.advance(), RequestFramer::Step::Complete);
        QCOMPARE(f.take().body, QByteArray("abcd"));
    }

    void refusesWithTheRightStatus_data()
    {
        QTest::addColumn<QByteArray>("wire");
        QTest::addColumn<int>("status");
        QTest::newRow("garbage line") << QByteArray("GARBAGE\r\n\r\n") << 400;
        QTest::newRow("two spaces") << QByteArray("GET  / HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("no slash") << QByteArray("GET sales HTTP/1.1\r\n\r\n") << 400;
        QTest::newRow("HTTP/9.9") << QByteArray("GET / HTTP/9.9\r\n\r\n") << 505;
        QTest::newRow("HTTP/2.0") << QByteArray("GET / HTTP/2.0\r\n\r\n") << 505;
        QTest::newRow("not http") << QByteArray("GET / FTP/1.1\r\n\r\n") << 400;
        QTest::newRow("long line") << QByteArray("GET /" + QByteArray(100, 'a') + " HTTP/1.1\r\n\r\n") << 414;
        QTest::newRow("unfinished long line") << QByteArray("GET /" + QByteArray(100, 'a')) << 414;
        QTest::newRow("header bytes") << QByteArray("GET / HTTP/1.1\r\nA: " + QByteArray(200, 'a') + "\r\n\r\n") << 431;
        QTest::newRow("unfinished header") << QByteArray("GET / HTTP/1.1\r\nA: " + QByteArray(200, 'a')) << 431;
        QTest::newRow("header count") << QByteArray("GET / HTTP/1.1\r\nA: 1\r\nB: 1\r\nC: 1\r\nD: 1\r\nE: 1\r\n\r\n") << 431;
        QTest::newRow("negative length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: -5\r\n\r\n") << 400;
        QTest::newRow("non-numeric length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: abc\r\n\r\n") << 400;
        QTest::newRow("plus length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\n") << 400;
        QTest::newRow("conflicting lengths") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n") << 400;
        QTest::newRow("conflicting list") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 2, 3\r\n\r\n") << 400;
        QTest::newRow("length and chunked") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n") << 400;
        QTest::newRow("gzip coding") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") << 501;
        QTest::newRow("chunked not last") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n") << 400;
        QTest::newRow("chunked on 1.0") << QByteArray("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n") << 400;
        QTest::newRow("body over cap") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 33\r\n\r\n") << 413;
        QTest::newRow("huge length") << QByteArray("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n") << 413;
        QTest::newRow("chunks over cap") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n0123456789abcdef\r\n11\r\n") << 413;
        QTest::newRow("bad chunk size") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n") << 400;
        QTest::newRow("chunk overrun") << QByteArray("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n") << 400;
        QTest::newRow("folded header") << QByteArray("GET / HTTP/1.1\r\nA: 1\r\n  more\r\n\r\n") << 400;
        QTest::newRow("space before colon") << QByteArray("GET / HTTP/1.1\r\nA : 1\r\n\r\n") << 400;
        QTest::newRow("bare CR") << QByteArray("GET / HTTP/1.1\r\nA: 1\r2\r\n\r\n") << 400;
        QTest::newRow("NUL in value") << QByteArray("GET / HTTP/1.1\r\nA: 1\0002\r\n\r\n", 26) << 400;
        QTest::newRow("two hosts") << QByteArray("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n") << 400;
        QTest::newRow("other expectation") << QByteArray("POST / HTTP/1.1\r\nExpect: magic\r\nContent-Length: 1\r\n\r\n") << 417;
    }

    void refusesWithTheRightStatus()
    {
        QFETCH(QByteArray, wire);
        QFETCH(int, status);
        QCOMPARE(refusal(wire), status);
        // The same bytes one by one end the same way.
        RequestFramer f(smallLimits());
        QCOMPARE(feedBytewise(f, wire), RequestFramer::Step::Failed);
        QCOMPARE(f.errorStatus(), status);
    }

    void acceptsWhatIsValid()
    {
        QCOMPARE(refusal("POST / HTTP/1.1\r\nContent-Length: 2, 2\r\n\r\nab"), 0);   // repeated, equal
        QCOMPARE(refusal("POST / HTTP/1.1\r\nContent-Length: 32\r\n\r\n"), 0);     // exactly the cap
        QCOMPARE(refusal("\r\nGET / HTTP/1.1\r\n\r\n"), 0);                          // a leading blank line
        QCOMPARE(refusal("GET / HTTP/1.1\nA: 1\n\n"), 0);                              // bare LF line ends
        QCOMPARE(refusal("GET http://example.com/x HTTP/1.1\r\n\r\n"), 0);           // absolute-form
    }

    void bufferedBytesStayBounded()
    {
        // Whatever a client sends, the framer takes no more than room() allows, and room()
        // is at most one head's worth.
        const RequestLimits limits = smallLimits();
        RequestFramer f(limits);
        const qint64 capacity = f.room();
        QVERIFY(capacity <= limits.maxRequestLineBytes + limits.maxHeaderBytes + 1024);
        f.append("GET / HTTP/1.1\r\n");
        QCOMPARE(f.advance(), RequestFramer::Step::NeedMore);
        QVERIFY(f.room() < capacity);
    }
};

QTEST_GUILESS_MAIN(TestRequestFramer)
#include "tst_requestframer.moc"
