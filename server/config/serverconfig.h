#pragma once

#include <QHostAddress>
#include <QString>

// Every setting of the sale server, with the defaults documented in
// resources/config/flashsale.ini. Loaded once at start; immutable afterwards.
struct ServerConfig
{
    struct Http
    {
        QHostAddress bind = QHostAddress::LocalHost;
        quint16 port = 8080;
        int threads = 0;             // 0: one per core
        qint64 maxBodyBytes = 65536; // larger bodies answer 413
    } http;

    struct Database
    {
        QString url;      // sqlite:PATH or postgresql://user:pass@host:port/db
        int poolSize = 4; // threads that run queries, never the HTTP threads
    } database;

    struct Auth
    {
        int accessTokenTtlSeconds = 900;
        int refreshTokenTtlSeconds = 7 * 24 * 3600;
        quint64 argon2OpsLimit = 2;
        quint64 argon2MemLimitKiB = 65536;
        int maxFailedLogins = 5;
        int lockoutSeconds = 300;
        int tokenRateLimitAttempts = 20; // POST /token per client address per window; 0: off
        int tokenRateLimitWindowSeconds = 10;
    } auth;

    struct Purchase
    {
        double rateLimitSeconds = 5.0; // one purchase attempt per shopper per this many seconds
        int reservationTtlSeconds = 600;
        int groupCommitMaxBatch = 512;
        int groupCommitMaxDelayMs = 2;
    } purchase;

    struct Demo
    {
        bool seed = true;
        int saleStartDelaySeconds = 300;
    } demo;

    QString dataDir = QStringLiteral("data");
    QString logLevel = QStringLiteral("info");

    // Reads an INI file over the defaults. Unknown keys are reported in `warnings`.
    static ServerConfig fromIni(const QString &path, QStringList *warnings = nullptr);
    QString effectiveDatabaseUrl() const;
    int effectiveThreads() const;
};
