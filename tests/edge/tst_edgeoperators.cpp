// Safe defaults for operators (issue 14): a second instance on the same port or data
// folder refuses to start, the data folder and database are private, /metrics needs
// credentials, and the WebSocket upgrade is served on the push path only, with a bound
// on what a client may send over it.
#include "edgekit.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QWebSocket>
#include <QtTest>

#include <sys/socket.h>
#include <unistd.h>

using namespace Edge;

class TestEdgeOperators : public QObject
{
    Q_OBJECT

    // Runs a second flashsale and returns its exit code and what it printed (-1: still running after 60 s).
    static int secondInstance(const QStringList &arguments, QByteArray *output)
    {
        QProcess p;
        p.setProcessChannelMode(QProcess::MergedChannels);
        p.start(qEnvironmentVariable("FLASHSALE_BINARY"), QStringList{QStringLiteral("--headless"), QStringLiteral("--no-demo")} + arguments);
        const bool ended = p.waitForFinished(60000);
        *output = p.readAll();
        if (!ended) {
            p.kill();
            p.waitForFinished(5000);
            return -1;
        }
        return p.exitCode();
    }

    static QByteArray get(quint16 port, const QByteArray &path, const QByteArray &headers = {})
    {
        const int fd = connectFrom(port);
        sendAll(fd, "GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n" + headers + "\r\n");
        const Reading r = readUntilClose(fd, 5000);
        ::close(fd);
        return r.bytes;
    }

private Q_SLOTS:
    void secondInstanceRefusesToStart()
    {
        // Before: a second instance on the same port bound without error (SO_REUSEPORT)
        // and the kernel split the shoppers between two databases.
        ServerUnderAttack first;
        QString error;
        QVERIFY2(first.start("[server]\nlogLevel=warning\n", &error), qPrintable(error));
        QTemporaryDir other;
        QByteArray out;
        QCOMPARE(secondInstance({QStringLiteral("--port"), QString::number(first.port()), QStringLiteral("--data-dir"), other.path()}, &out), 1);
        QVERIFY2(out.contains("already in use by another process"), out.constData());
        // The same data folder on another port.
        QCOMPARE(secondInstance({QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data-dir"), first.dataDir()}, &out), 1);
        QVERIFY2(out.contains("is in use by another FlashSale"), out.constData());
        // The first one is untouched.
        QVERIFY(get(first.port(), "/health/live").startsWith("HTTP/1.1 200"));
    }

    void dataFolderAndDatabaseArePrivate()
    {
        // Before: flashsale.db was created 0644 though it holds password hashes and orders.
        ServerUnderAttack server;
        QString error;
        QVERIFY2(server.start("[server]\nlogLevel=warning\n", &error), qPrintable(error));
        const QFileInfo folder(server.dataDir());
        QCOMPARE(folder.permissions() & (QFile::ReadGroup | QFile::WriteGroup | QFile::ExeGroup | QFile::ReadOther | QFile::WriteOther | QFile::ExeOther),
                 QFile::Permissions());
        for (const char *name : {"flashsale.db", "flashsale.db-wal", "jwt-signing.key"}) {
            const QFileInfo file(QDir(server.dataDir()).filePath(QString::fromLatin1(name)));
            if (!file.exists())
                continue;
            QVERIFY2((file.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther)) == QFile::Permissions(), name);
        }
        QVERIFY(QFileInfo::exists(QDir(server.dataDir()).filePath(QStringLiteral("flashsale.db"))));
    }

    void metricsNeedCredentials()
    {
        // Before: /metrics answered anyone. The test pretends to be a shopper behind a
        // trusted proxy (the only way to be off loopback on 127.0.0.0/8).
        ServerUnderAttack server;
        QString error;
        QVERIFY2(server.start("[server]\nlogLevel=warning\ntrustedProxies=127.0.0.1\nmetricsToken=scrape-secret-1\n", &error), qPrintable(error));
        QVERIFY(get(server.port(), "/metrics").startsWith("HTTP/1.1 200")); // loopback, no proxy
        const QByteArray remote = "X-Forwarded-For: 203.0.113.9\r\n";
        QVERIFY(get(server.port(), "/metrics", remote).startsWith("HTTP/1.1 401"));
        QVERIFY(get(server.port(), "/metrics", remote + "Authorization: Bearer wrong\r\n").startsWith("HTTP/1.1 401"));
        QVERIFY(get(server.port(), "/metrics", remote + "Authorization: bearer scrape-secret-1\r\n").startsWith("HTTP/1.1 200"));
    }

    void webSocketOnlyOnThePushPathAndBounded()
    {
        // Before: the upgrade was accepted on any path, and messages had no size limit.
        ServerUnderAttack server;
        QString error;
        QVERIFY2(server.start("[server]\nlogLevel=warning\n", &error), qPrintable(error));
        const QByteArray upgrade = " HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                   "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        int fd = connectFrom(server.port());
        QVERIFY(sendAll(fd, "GET /sales" + upgrade));
        Reading r = readUntilClose(fd, 3000);
        ::close(fd);
        QCOMPARE(r.status(), 404);
        fd = connectFrom(server.port());
        QVERIFY(sendAll(fd, "GET /notifications" + upgrade));
        r = readAnswer(fd, 3000);
        ::close(fd);
        QVERIFY2(r.bytes.startsWith("HTTP/1.1 101"), r.bytes.constData());

        // A message over limits/maxWebSocketMessageBytes (16 KiB) before sign-in closes it.
        QWebSocket client;
        QUrl url(QStringLiteral("ws://127.0.0.1/notifications"));
        url.setPort(server.port());
        client.open(url);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::ConnectedState, 5000);
        const qint64 before = server.rssKiB();
        client.sendTextMessage(QString(4 << 20, QLatin1Char('a')));
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), QAbstractSocket::UnconnectedState, 10000);
        QCOMPARE(client.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
        qInfo("RSS %lld KiB before the 4 MiB message, %lld after", before, server.rssKiB());
        QVERIFY(server.rssKiB() - before < Sanitizer::memoryBoundKiB(16 * 1024));
        QVERIFY(get(server.port(), "/health/live").startsWith("HTTP/1.1 200"));
    }
};

QTEST_GUILESS_MAIN(TestEdgeOperators)
#include "tst_edgeoperators.moc"
