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
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QDateTime>
#include <QDir>
#include <QJsonObject>
#include <QTimer>

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
    if (url.kind == DatabaseUrl::Kind::Sqlite) {
        const QFileInfo file(url.path);
        if (!QDir().mkpath(file.absolutePath())) {
            *error = QStringLiteral("cannot create folder %1").arg(file.absolutePath());
            return false;
        }
    }
    QDir().mkpath(m_config.dataDir);
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

void FlashSaleServer::prometheusMetrics(const HttpRequest &, const Responder &reply) const
{
    reply.send(HttpResponse::text(m_metrics->renderPrometheus(), "text/plain; version=0.0.4; charset=utf-8")
                   .withHeader("Cache-Control", "no-store"));
}
