#include "flashsaleserver.h"

#include "modules.h"
#include "routetable.h"
#include "http/apidocument.h"
#include "http/httpserverpool.h"
#include "http/router.h"
#include "servermodule.h"
#include "storage/database.h"
#include "storage/dbexecutor.h"
#include "storage/migrator.h"
#include "storage/sqlitemaintenance.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonObject>
#include <QLockFile>
#include <QTimer>

#include <sodium.h>

namespace {

// What every connection is held to (docs/security.md), from the [limits] settings.
void applyLimits(const ServerConfig &config, ConnectionSettings *connection)
{
    const ServerConfig::Limits &limits = config.limits;
    connection->limits.maxRequestLineBytes = limits.maxRequestLineBytes;
    connection->limits.maxHeaderBytes = limits.maxHeaderBytes;
    connection->limits.maxHeaderCount = limits.maxHeaderCount;
    connection->limits.maxBodyBytes = config.http.maxBodyBytes;
    connection->headerTimeoutMs = limits.headerTimeoutMs;
    connection->bodyTimeoutMs = limits.bodyTimeoutMs;
    connection->idleTimeoutMs = limits.idleTimeoutMs;
    connection->maxPipelined = qMax(1, limits.maxPipelinedRequests);
    connection->maxWebSocketMessageBytes = qMax(256, limits.maxWebSocketMessageBytes);
}

// The configured connection cap, but never more connections than descriptors: a process
// that runs out mid-flight loses more than the connection (GLib aborts when it cannot
// make a wake-up pipe).
int connectionCap(int configured)
{
    const int descriptorCap = ConnectionBudget::descriptorCap();
    if (descriptorCap <= 0 || (configured > 0 && configured <= descriptorCap))
        return configured;
    Log::warning(QStringLiteral("http.connections.capped"), {{QStringLiteral("configured"), configured},
                                                             {QStringLiteral("maxConnections"), descriptorCap},
                                                             {QStringLiteral("reason"), QStringLiteral("file descriptor limit (ulimit -n)")}});
    return descriptorCap;
}

} // namespace

FlashSaleServer::FlashSaleServer(ServerConfig config, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_metrics(std::make_unique<Metrics>())
    , m_http(std::make_unique<HttpContext>())
{
}

FlashSaleServer::~FlashSaleServer()
{
    stop();
}

QUrl FlashSaleServer::baseUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("http"));
    const QHostAddress a = m_config.http.bind;
    const bool any = a == QHostAddress::Any || a == QHostAddress::AnyIPv4 || a == QHostAddress::AnyIPv6;
    url.setHost(any ? QStringLiteral("127.0.0.1") : a.toString());
    url.setPort(m_port);
    return url;
}

bool FlashSaleServer::start(QString *error)
{
    bool knownLevel = false;
    Log::setLevel(Log::levelFromString(m_config.logLevel, &knownLevel));
    if (!knownLevel)
        Log::warning(QStringLiteral("config.warning"), {{QStringLiteral("message"), QStringLiteral("unknown log level ") + m_config.logLevel}});
    const DatabaseUrl url = DatabaseUrl::parse(m_config.effectiveDatabaseUrl());
    if (!url.isValid()) {
        *error = url.error;
        return false;
    }
    // The data folder holds the signing keys and (with SQLite) the database, password
    // hashes and orders: only this account may read it (0700, files 0600).
    constexpr QFile::Permissions ownerOnlyFolder = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
    constexpr QFile::Permissions ownerOnlyFile = QFile::ReadOwner | QFile::WriteOwner;
    if (!QDir().mkpath(m_config.dataDir)) {
        *error = QStringLiteral("cannot create folder %1").arg(m_config.dataDir);
        return false;
    }
    QFile::setPermissions(m_config.dataDir, ownerOnlyFolder);
    // One instance per data folder: a second one would share the database and keys behind
    // the first one's back. QLockFile notices a lock left by a process that has died.
    m_dataLock = std::make_unique<QLockFile>(QDir(m_config.dataDir).filePath(QStringLiteral("flashsale.lock")));
    m_dataLock->setStaleLockTime(0);
    if (!m_dataLock->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString app;
        m_dataLock->getLockInfo(&pid, &host, &app);
        *error = QStringLiteral("the data folder %1 is in use by another FlashSale (process %2 on %3); each instance needs its own --data-dir")
                     .arg(QDir(m_config.dataDir).absolutePath())
                     .arg(pid)
                     .arg(host);
        m_dataLock.reset();
        return false;
    }
    if (url.kind == DatabaseUrl::Kind::Sqlite) {
        const QFileInfo file(url.path);
        if (!QDir().mkpath(file.absolutePath())) {
            *error = QStringLiteral("cannot create folder %1").arg(file.absolutePath());
            return false;
        }
        // Created 0600 before SQLite opens it (SQLite gives its -wal and -shm files the
        // database file's mode), and tightened if an older version made it 0644.
        QFile db(url.path);
        if (!db.exists() && db.open(QIODevice::WriteOnly))
            db.close();
        QFile::setPermissions(url.path, ownerOnlyFile);
    }
    m_database = std::make_unique<Database>(url);
    Migrator migrator(*m_database);
    if (!migrator.migrate(error)) {
        *error = QStringLiteral("database %1: %2").arg(url.redacted(), *error);
        return false;
    }
    Log::info(QStringLiteral("database.ready"), {{QStringLiteral("database"), url.redacted()},
                                                 {QStringLiteral("migrationsApplied"), migrator.appliedCount()}});
    m_executor = std::make_unique<DbExecutor>(*m_database, m_config.database.poolSize);
    if (url.kind == DatabaseUrl::Kind::Sqlite) {
        m_metrics->gauge(QStringLiteral("flashsale_sqlite_writer_wait_seconds_total"),
                         QStringLiteral("Time writers waited for the in-process SQLite writer lock."),
                         [] { return double(sqliteWriterWaits().nanoseconds.load()) / 1e9; });
        m_metrics->gauge(QStringLiteral("flashsale_sqlite_writer_waits_total"),
                         QStringLiteral("Writes that found the SQLite writer lock taken."),
                         [] { return double(sqliteWriterWaits().count.load()); });
        m_metrics->gauge(QStringLiteral("flashsale_sqlite_heap_bytes"),
                         QStringLiteral("Heap memory SQLite holds: page caches of every connection, schemas, statements."),
                         [] { return double(SqliteMaintenance::heapBytes()); });
    }

    m_modules = createModules(*this);
    for (const auto &module : m_modules.all) {
        if (!module->load(error)) {
            *error = module->name() + QStringLiteral(": ") + *error;
            return false;
        }
    }

    m_http->metrics = m_metrics.get();
    m_http->maxBodyBytes = m_config.http.maxBodyBytes;
    m_http->trustedProxies = m_config.http.trustedProxies;
    m_http->corsAllowedOrigins = m_config.http.corsAllowedOrigins;
    applyLimits(m_config, &m_http->connection);
    m_http->budget = std::make_shared<ConnectionBudget>(connectionCap(m_config.limits.maxConnections), m_config.limits.maxConnectionsPerAddress,
                                                        m_config.http.trustedProxies);
    const std::shared_ptr<ConnectionBudget> budget = m_http->budget;
    const QString refused = QStringLiteral("Connections refused at accept: the server or the address was full.");
    m_metrics->gauge(QStringLiteral("flashsale_http_connections_open"), QStringLiteral("Open client connections (HTTP and WebSocket)."),
                     [budget] { return double(budget->open()); });
    m_metrics->gauge(QStringLiteral("flashsale_http_connections_refused"), refused,
                     [budget] { return double(budget->refusedServerFull()); }, QStringLiteral("reason=\"server\""));
    m_metrics->gauge(QStringLiteral("flashsale_http_connections_refused"), refused,
                     [budget] { return double(budget->refusedAddressFull()); }, QStringLiteral("reason=\"address\""));
    addRoutes(m_http->router, *this, m_modules);
    m_http->authenticator = m_modules.authenticator;
    m_http->prepare();

    m_pool = std::make_unique<HttpServerPool>(*m_http);
    m_port = m_pool->start(m_config.http.bind, m_config.http.port, m_config.effectiveThreads(), error);
    if (!m_port)
        return false;
    for (const auto &module : m_modules.all)
        module->started();
    if (!m_database->isPostgres()) {
        m_checkpointTimer = new QTimer(this);
        connect(m_checkpointTimer, &QTimer::timeout, this, [this] { m_executor->post([this] { m_database->checkpoint(); }); });
        m_checkpointTimer->start(1000);
    }
    m_ready = true;
    Log::info(QStringLiteral("server.started"), {{QStringLiteral("url"), baseUrl().toString()},
                                                 {QStringLiteral("httpThreads"), m_pool->threadCount()},
                                                 {QStringLiteral("version"), QStringLiteral(FLASHSALE_VERSION)}});
    Q_EMIT started(baseUrl());
    return true;
}

void FlashSaleServer::stop()
{
    if (!m_pool && m_modules.all.empty())
        return;
    m_ready = false;
    if (m_checkpointTimer) {
        m_checkpointTimer->stop();
        delete m_checkpointTimer;
        m_checkpointTimer = nullptr;
    }
    // No new requests first; then the modules finish what was accepted.
    if (m_pool) {
        m_pool->stop();
        m_pool.reset();
    }
    for (const auto &module : m_modules.all)
        module->stopping();
    if (m_executor)
        m_executor->drain();
    m_modules = Modules{};
    m_executor.reset();
    m_dataLock.reset();
    Log::info(QStringLiteral("server.stopped"));
}

void FlashSaleServer::setWebSocketHandler(std::function<void(std::unique_ptr<QWebSocket>)> handler)
{
    m_http->webSocketHandler = std::move(handler);
}

void FlashSaleServer::healthLive(const HttpRequest &, const Responder &reply) const
{
    reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("live")}}).withHeader("Cache-Control", "no-store"));
}

void FlashSaleServer::healthReady(const HttpRequest &, const Responder &reply) const
{
    if (!m_ready) {
        reply.send(Problem::unavailable(QStringLiteral("The server is starting or stopping.")));
        return;
    }
    // Readiness includes the database taking a write: ask one of its threads.
    m_executor->post([this, reply] {
        QString why;
        if (m_database->canWrite(&why)) {
            reply.send(HttpResponse::json(QJsonObject{{QStringLiteral("status"), QStringLiteral("ready")},
                                                      {QStringLiteral("database"), QStringLiteral("up")}})
                           .withHeader("Cache-Control", "no-store"));
        } else {
            reply.send(Problem::unavailable(QStringLiteral("database cannot take a write: ") + why));
        }
    });
}

void FlashSaleServer::openApiDocument(const HttpRequest &request, const Responder &reply) const
{
    reply.send(apiDocument(request));
}

// Operators only: an admin's access token, the configured scrape token, or a client on
// loopback (the address after trusted proxies, so nginx on the same host does not make
// every shopper local).
void FlashSaleServer::prometheusMetrics(const HttpRequest &request, const Responder &reply) const
{
    const QByteArray token = bearerToken(request);
    bool allowed = request.remoteAddress.isLoopback();
    if (!allowed && !token.isEmpty() && !m_config.http.metricsToken.isEmpty()) {
        const QByteArray expected = m_config.http.metricsToken.toUtf8(); // a password: compared in constant time
        allowed = token.size() == expected.size() && sodium_memcmp(token.constData(), expected.constData(), size_t(token.size())) == 0;
    }
    if (!allowed && !token.isEmpty() && m_http->authenticator) {
        Principal principal;
        QString reason;
        allowed = m_http->authenticator->verify(token, &principal, &reason) && principal.isAdmin();
    }
    if (!allowed) {
        reply.send(Problem::unauthorized(QStringLiteral("The metrics need an admin's access token or the scrape token.")));
        return;
    }
    reply.send(HttpResponse::text(m_metrics->renderPrometheus(), "text/plain; version=0.0.4; charset=utf-8")
                   .withHeader("Cache-Control", "no-store"));
}
