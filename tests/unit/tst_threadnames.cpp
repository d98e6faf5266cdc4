// Every thread the server starts carries a name (`top -H`, gdb, /proc/<pid>/task/*/comm):
// a server started in this process names its journal writers, outbox dispatcher,
// orders scan, saga workers, database pool and HTTP threads, and leaves no thread with
// the process's own name (threads there before the tests, such as ThreadSanitizer's, aside); the cluster's threads (lease manager, admission leadership, outbox
// follower) are started on their own, without PostgreSQL, and named too.
#include "cluster/leasemanager.h"
#include "storage/dbexecutor.h"
#include "notifications/outboxfollower.h"
#include "sales/saleregistry.h"
#include "temporarydatabase.h"
#include "testserver.h"
#include "waitingroom/admissionleadership.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <pthread.h>

namespace {

// This process's threads: task id -> name.
QMap<QString, QString> threads()
{
    QMap<QString, QString> found;
    for (const QString &task : QDir(QStringLiteral("/proc/self/task")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
        QFile comm(QStringLiteral("/proc/self/task/%1/comm").arg(task));
        if (comm.open(QIODevice::ReadOnly)) // a thread may end meanwhile
            found.insert(task, QString::fromUtf8(comm.readAll()).trimmed());
    }
    return found;
}

QStringList threadNames()
{
    return threads().values();
}

// The threads that were there before any test ran: the main thread, and whatever the
// runtime starts on its own (ThreadSanitizer's background thread keeps the process's name).
QSet<QString> &threadsAtStart()
{
    static QSet<QString> tasks;
    return tasks;
}

// Threads started since, that kept the process's name: nobody named them.
QStringList unnamed()
{
    const QString processName = threads().value(QString::number(QCoreApplication::applicationPid()));
    QStringList left;
    const QMap<QString, QString> now = threads();
    for (auto it = now.cbegin(); it != now.cend(); ++it) {
        if (!threadsAtStart().contains(it.key()) && it.value() == processName)
            left.append(it.key() + QLatin1Char('=') + it.value());
    }
    return left;
}

} // namespace

class TestThreadNames : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase()
    {
        const QMap<QString, QString> now = threads();
        threadsAtStart() = QSet<QString>(now.keyBegin(), now.keyEnd());
        QVERIFY(threadsAtStart().contains(QString::number(QCoreApplication::applicationPid())));
    }

    void serverThreadsAreNamed()
    {
        TestServer server([](ServerConfig &config) { config.orders.workers = 3; });
        QVERIFY2(server.start(), qPrintable(server.error()));
        const QStringList expected{QStringLiteral("fs-journal"), QStringLiteral("fs-tickets"), QStringLiteral("fs-outbox"),
                                   QStringLiteral("fs-order-scan"), QStringLiteral("fs-saga-1"), QStringLiteral("fs-saga-2"),
                                   QStringLiteral("fs-saga-3"), QStringLiteral("http-0"), QStringLiteral("http-1")};
        for (const QString &name : expected)
            QTRY_VERIFY2(threadNames().contains(name), qPrintable(name + QStringLiteral(" not in ") + threadNames().join(QLatin1Char(','))));
        QVERIFY(!threadNames().contains(QStringLiteral("fs-saga-4")));
        // The database pool starts its threads with its first jobs.
        QByteArray poolThread;
        server.server().dbExecutor().post([&poolThread] {
            char name[16] = {};
            pthread_getname_np(pthread_self(), name, sizeof name);
            poolThread = name;
        });
        server.server().dbExecutor().drain();
        QCOMPARE(poolThread, QByteArray("db")); // QThreadPool names its threads after the pool
        const QStringList names = threadNames();
        qInfo().noquote() << "threads:" << names.join(QLatin1Char(','));
        QVERIFY2(unnamed().isEmpty(), qPrintable(unnamed().join(QLatin1Char(',')) + QStringLiteral(" among ") + names.join(QLatin1Char(','))));
        for (const QString &name : names)
            QVERIFY2(name.size() <= 15, qPrintable(name));
    }

    void clusterThreadsAreNamed()
    {
        TemporaryDatabase db;
        QString error;
        QVERIFY2(db.migrate(&error), qPrintable(error));
        SaleRegistry sales;
        ServerConfig::Cluster cluster;
        cluster.nodeId = QStringLiteral("node-a");
        cluster.heartbeatMs = 50;
        LeaseManager leases(db.database(), sales, cluster);
        AdmissionLeadership leadership(db.database(), QStringLiteral("node-a"), 50);
        OutboxFollower follower(db.database(), 50, [](const OutboxDispatcher::Event &) {});
        leases.start();
        leadership.start();
        follower.start();
        for (const QString &name : {QStringLiteral("fs-lease"), QStringLiteral("fs-leader"), QStringLiteral("fs-follow")})
            QTRY_VERIFY2(threadNames().contains(name), qPrintable(name + QStringLiteral(" not in ") + threadNames().join(QLatin1Char(','))));
        QVERIFY2(unnamed().isEmpty(), qPrintable(unnamed().join(QLatin1Char(',')) + QStringLiteral(" among ") + threadNames().join(QLatin1Char(','))));
        follower.stop();
        leadership.stop();
        leases.stop();
    }
};

QTEST_GUILESS_MAIN(TestThreadNames)
#include "tst_threadnames.moc"
