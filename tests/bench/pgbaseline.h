#pragma once

#include <QString>

// The design most shops build first: the purchase as one PostgreSQL transaction on the
// hot row (UPDATE ... SET stock = stock - 1 WHERE id = ... AND stock >= 1, then the order
// INSERT), driven by pgbench with a script file against a PostgreSQL started by
// PostgresFixture, with fsync turned back on so it is as durable as the server's journal.
struct PgBaseline
{
    bool ok = false;
    QString error;
    int clients = 0;
    int seconds = 0;
    double tps = 0;
    double latencyMs = 0;
    QString script;
    QString output;
};

PgBaseline runNaivePurchaseBaseline(int clients, int seconds, const QString &workDir);
