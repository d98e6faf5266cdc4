#pragma once

#include <QHostAddress>
#include <QList>
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
        // Peers (a load balancer) whose X-Forwarded-For is believed for the client address.
        QList<QHostAddress> trustedProxies;
        // Origins (scheme://host[:port]) whose pages may call the API through CORS, or "*".
        QStringList corsAllowedOrigins;
        // A bearer token a Prometheus scraper may send for GET /metrics; empty: only an
        // admin's access token, or a client on loopback, may read the metrics.
        QString metricsToken;
    } http;

    // What one client may hold of the server (docs/security.md): checked on every
    // connection before a handler sees a byte. nginx in front repeats them.
    struct Limits
    {
        int maxRequestLineBytes = 8192;     // method, target, version; longer: 414
        int maxHeaderBytes = 16384;         // all header lines together; more: 431
        int maxHeaderCount = 100;           // header lines; more: 431
        int headerTimeoutMs = 10000;        // a request's head (or a new connection's first) must arrive within this: 408
        int bodyTimeoutMs = 30000;          // and its body within this after the head: 408
        int idleTimeoutMs = 30000;          // a kept-alive connection with nothing to do is closed after this
        int maxPipelinedRequests = 32;      // requests read ahead of their answers on one connection
        int maxConnections = 16384;         // open connections in all (HTTP and WebSocket); more: 503 and close; 0: no limit
        int maxConnectionsPerAddress = 2048; // per client address (trusted proxies exempt); more: 429 and close; 0: no limit
        int maxWebSocketMessageBytes = 16384; // one WebSocket message (and frame) from a client; larger: closed (1009)
    } limits;

    struct Database
    {
        QString url;      // sqlite:PATH or postgresql://user:pass@host:port/db
        int poolSize = 4; // threads that run queries, never the HTTP threads
    } database;

    struct Auth
    {
        int accessTokenTtlSeconds = 900;
        int refreshTokenTtlSeconds = 7 * 24 * 3600;
        int refreshReuseIntervalSeconds = 10; // a second use this soon answers the same new token; 0: always revoke
        quint64 argon2OpsLimit = 2;
        quint64 argon2MemLimitKiB = 65536;
        int maxFailedLogins = 5;         // wrong passwords in a row for one account from one address
        int lockoutSeconds = 300;        // the first lock of that pair; each next one doubles
        int maxLockoutSeconds = 3600;    // the longest lock
        int tokenRateLimitAttempts = 20; // POST /token per client address per window; 0: off
        int tokenRateLimitWindowSeconds = 10;
        int registrationRateLimitAttempts = 20; // POST /users per client address per window; 0: off
        int registrationRateLimitWindowSeconds = 600;
        int hashingThreads = 1; // Argon2id for sign-ups, on threads of their own
        int hashingQueue = 32;  // sign-ups waiting for or in hashing; more are refused 503
    } auth;

    struct Purchase
    {
        double rateLimitSeconds = 5.0; // one purchase attempt per shopper per this many seconds
        int reservationTtlSeconds = 600;
        int retireAfterEndSeconds = 60; // then an ended sale's keys and tickets leave memory; replays come from the journal
        int groupCommitMaxBatch = 512;
    } purchase;

    struct Orders
    {
        int workers = 16;                  // saga worker threads (never HTTP or database-pool threads); they wait on the gateway
        int pollIntervalMs = 1000;         // scan for orders with work left and for expired reservations
        int outboxPollMs = 200;            // the outbox dispatcher's scan for undelivered events
        int reconcileIntervalSeconds = 10; // 0: only on GET /admin/reconciliation
    } orders;

    struct Payments
    {
        QString gateway = QStringLiteral("simulated"); // "simulated" or "http"
        QString url;                                   // the external gateway, for "http"
        int timeoutMs = 5000;
        int maxRetries = 3;
        int backoffBaseMs = 500;
        int backoffMaxMs = 4000;
        int breakerFailureThreshold = 5;
        int breakerWindowSeconds = 30;
        int breakerOpenSeconds = 30;
        int simulatedLatencyMs = 50;
        double simulatedFailureRate = 0.0; // declined charges
        double simulatedErrorRate = 0.0;   // gateway errors (retried)
        double simulatedTimeoutRate = 0.0; // charged, but the answer is lost
    } payments;

    struct WaitingRoom
    {
        bool required = true;                // purchases need an admission token (a sale may override)
        double admissionRatePerSecond = 50;  // a new sale's rate; the merchant may change it live
        double overbookingFactor = 1.5;      // admitted-but-unfinished shoppers allowed per remaining unit
        int admissionTokenTtlSeconds = 300;  // an admitted shopper has this long to buy
        int admissionIntervalMs = 100;       // the admission controller's tick
        QString preQueueOrder = QStringLiteral("arrival"); // or "shuffled": tickets before the start, once
        int joinLimitPerShopper = 10;        // joins (including repeats) per shopper per window; 0: off
        int joinLimitPerAddress = 100;       // joins per client address per window; 0: off
        int joinLimitWindowSeconds = 10;
        bool proofOfWork = false;            // joins must carry a solved challenge
        int proofOfWorkBits = 18;            // leading zero bits of SHA-256(challenge || nonce)
        int challengeTtlSeconds = 120;
        int humanMinMs = 500;                // a join sooner than this after its challenge: low lane; 0: off
        bool requireVerifiedAccount = false;
        int minAccountAgeSeconds = 0;
        int groupCommitMaxBatch = 1024;      // tickets per journal transaction
    } waitingRoom;

    // Several headless nodes on one PostgreSQL behind a load balancer (docs/cluster.md).
    // A node id switches it on; each node sells from stock leases it takes from the
    // database. Empty: a single node, which owns the whole sale's stock.
    struct Cluster
    {
        QString nodeId;                 // unique per node, e.g. "node-1"; empty: not clustered
        QString advertiseUrl;           // how operators reach this node (shown in the console)
        int leaseTtlSeconds = 10;       // a node silent this long loses its leases; the units return
        int heartbeatMs = 500;          // renew leases, refill, hand back, reap dead nodes' leases
        double leaseHorizonSeconds = 2; // a lease covers this many seconds of the node's own sales
        int leaseMaxChunk = 1000;       // never more units in one lease than this
    } cluster;

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
    bool clustered() const { return !cluster.nodeId.isEmpty(); }
    int effectiveThreads() const;
};
