#include "pgbaseline.h"

#include "postgresfixture.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QStandardPaths>


PgBaseline runNaivePurchaseBaseline(int clients, int seconds, const QString &workDir)
{
    PgBaseline b;
    b.clients = clients;
    b.seconds = seconds;
    // Debian's pg_wrapper runs the newest installed version's pgbench.
    const QString pgbench = QStandardPaths::findExecutable(QStringLiteral("pgbench"));
    if (pgbench.isEmpty()) {
        b.error = QStringLiteral("pgbench not found (apt-get install postgresql-contrib or postgresql)");
        return b;
    }
    // Durable, as the server's journal is (ALTER SYSTEM could not do it: the fixture's
    // command-line fsync=off outranks the configuration files, so it stayed off).
    PostgresFixture pg(PostgresFixture::Durability::Durable);
    if (!pg.start(&b.error))
        return b;
    QString error;
    pg.psql(QStringLiteral("CREATE TABLE items (id INTEGER PRIMARY KEY, stock BIGINT NOT NULL CHECK (stock >= 0))"), &error);
    pg.psql(QStringLiteral("CREATE TABLE orders (id BIGSERIAL PRIMARY KEY, item_id INTEGER NOT NULL, user_id INTEGER NOT NULL, "
                           "quantity INTEGER NOT NULL, created_at TIMESTAMPTZ NOT NULL DEFAULT now())"), &error);
    pg.psql(QStringLiteral("INSERT INTO items VALUES (1, 1000000000)"), &error);
    if (!error.isEmpty()) {
        b.error = error;
        return b;
    }
    const QString fsync = pg.psql(QStringLiteral("SHOW fsync"));
    b.script = QStringLiteral("\\set user random(1, 100000)\n"
                              "BEGIN;\n"
                              "UPDATE items SET stock = stock - 1 WHERE id = 1 AND stock >= 1;\n"
                              "INSERT INTO orders (item_id, user_id, quantity) VALUES (1, :user, 1);\n"
                              "END;\n");
    const QString scriptPath = QDir(workDir).filePath(QStringLiteral("naive-purchase.pgbench.sql"));
    QFile script(scriptPath);
    if (!script.open(QIODevice::WriteOnly) || script.write(b.script.toUtf8()) < 0) {
        b.error = QStringLiteral("cannot write %1").arg(scriptPath);
        return b;
    }
    script.close();
    QProcess p;
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(pgbench, {QStringLiteral("-h"), QStringLiteral("127.0.0.1"), QStringLiteral("-p"), QString::number(pg.port()), QStringLiteral("-U"),
                      QStringLiteral("flashsale"), QStringLiteral("-n"), QStringLiteral("-c"), QString::number(clients), QStringLiteral("-j"),
                      QStringLiteral("2"), QStringLiteral("-T"), QString::number(seconds), QStringLiteral("-f"), scriptPath,
                      QStringLiteral("flashsale")});
    if (!p.waitForFinished((seconds + 60) * 1000)) {
        p.kill();
        p.waitForFinished(5000);
        b.error = QStringLiteral("pgbench did not finish");
        return b;
    }
    b.output = QStringLiteral("fsync=%1\n").arg(fsync) + QString::fromLocal8Bit(p.readAll());
    static const QRegularExpression tps(QStringLiteral("tps = ([0-9.]+)"));
    static const QRegularExpression latency(QStringLiteral("latency average = ([0-9.]+) ms"));
    const auto t = tps.match(b.output);
    const auto l = latency.match(b.output);
    if (!t.hasMatch()) {
        b.error = QStringLiteral("pgbench gave no tps: ") + b.output.right(1000);
        return b;
    }
    b.tps = t.captured(1).toDouble();
    b.latencyMs = l.hasMatch() ? l.captured(1).toDouble() : 0;
    b.ok = true;
    return b;
}
