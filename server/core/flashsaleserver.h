#pragma once

#include "config/serverconfig.h"
#include "modules.h"

#include <QObject>
#include <QUrl>

#include <functional>
#include <memory>

class Database;
class QLockFile;
class QTimer;
class QWebSocket;
struct HttpRequest;
class Responder;
class DbExecutor;
class HttpServerPool;
class Metrics;
struct HttpContext;
class ServerModule;

// The whole sale server in one object: storage, the domain modules, and the HTTP
// threads. The console embeds one; headless mode runs one alone. Lives in the main
// thread; start() and stop() are called there.
class FlashSaleServer : public QObject
{
    Q_OBJECT

public:
    explicit FlashSaleServer(ServerConfig config, QObject *parent = nullptr);
    ~FlashSaleServer() override;

    // Migrates the database, seeds the demo on first start if asked, loads state into
    // memory and starts listening. Returns false with a message on any failure.
    bool start(QString *error);
    void stop();

    quint16 port() const { return m_port; }
    QUrl baseUrl() const;
    const ServerConfig &config() const { return m_config; }
    Database &database() const { return *m_database; }
    DbExecutor &dbExecutor() const { return *m_executor; }
    Metrics &metrics() const { return *m_metrics; }
    bool isReady() const { return m_ready; }
    // For the module that serves WebSockets; set before the server listens (in load()).
    // Called on the HTTP thread that owns the socket.
    void setWebSocketHandler(std::function<void(std::unique_ptr<QWebSocket>)> handler);

    // A module, for the console and the tests (the modules themselves are handed what
    // they use when core/modules.cpp builds them). Chosen when compiling; null before start().
    template<typename T>
    T *module() const
    {
        return m_modules.get<T>();
    }

    // HTTP handlers of the server's own routes; core/routetable.cpp routes to them.
    void healthLive(const HttpRequest &request, const Responder &reply) const;
    void healthReady(const HttpRequest &request, const Responder &reply) const;
    void prometheusMetrics(const HttpRequest &request, const Responder &reply) const;
    // GET /openapi.json: the API's OpenAPI 3.1 document (http/apidocument.h).
    void openApiDocument(const HttpRequest &request, const Responder &reply) const;

Q_SIGNALS:
    void started(const QUrl &baseUrl);

private:

    ServerConfig m_config;
    std::unique_ptr<Database> m_database;
    std::unique_ptr<DbExecutor> m_executor;
    std::unique_ptr<Metrics> m_metrics;
    std::unique_ptr<HttpContext> m_http;
    Modules m_modules;
    std::unique_ptr<HttpServerPool> m_pool;
    std::unique_ptr<QLockFile> m_dataLock; // one instance per data folder
    QTimer *m_checkpointTimer = nullptr;
    quint16 m_port = 0;
    std::atomic_bool m_ready{false};
};
