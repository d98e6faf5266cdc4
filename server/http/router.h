#pragma once

#include "connectionbudget.h"
#include "httpconnection.h"
#include "httprequest.h"
#include "responder.h"

#include <QList>
#include <QString>

#include <functional>
#include <memory>

class QWebSocket;

class Metrics;

enum class Access { Anyone, User, Admin };

// The token of an `Authorization: Bearer <token>` header, or empty. The scheme is
// case-insensitive (RFC 9110 11.1): "bearer" and "BEARER" are Bearer.
QByteArray bearerToken(const HttpRequest &request);

using RouteHandler = std::function<void(const HttpRequest &request, const Responder &responder)>;

// The table of routes. Filled before the server starts, then only read, from every
// HTTP thread at once. Patterns are literal segments and {name} captures.
class Router
{
public:
    struct Route
    {
        QByteArray method;
        QStringList pattern;
        QString name; // "POST /sales/{id}/purchase", the metrics label
        Access access = Access::Anyone;
        RouteHandler handler;
        void *stats = nullptr; // Metrics::Route, set by HttpContext::prepare
    };
    struct Match
    {
        const Route *route = nullptr;
        QHash<QString, QString> params;
        QList<QByteArray> allowedMethods; // path matched, method did not
    };

    void add(const QByteArray &method, const QString &pattern, Access access, RouteHandler handler);
    Match match(const QByteArray &method, const QStringList &segments) const;
    const QList<Route> &routes() const { return m_routes; }
    QList<Route> &routes() { return m_routes; }

private:
    QList<Route> m_routes;
};

// Everything an HTTP thread needs to turn a parsed request into a handler call:
// routing, the body cap, authentication, metrics and logging.
struct HttpContext
{
    Router router;
    Metrics *metrics = nullptr;
    const Authenticator *authenticator = nullptr;
    qint64 maxBodyBytes = 65536;
    QList<QHostAddress> trustedProxies;
    QStringList corsAllowedOrigins; // exact origins, or "*"
    // What every connection is held to, and the connections the server holds in all.
    ConnectionSettings connection;
    std::shared_ptr<ConnectionBudget> budget = std::make_shared<ConnectionBudget>(0, 0, QList<QHostAddress>());
    void *unmatchedStats = nullptr;
    // Receives every upgraded WebSocket connection, on the HTTP thread that accepted it
    // (the socket lives there). Unset: upgrades are closed at once.
    std::function<void(std::unique_ptr<QWebSocket> socket)> webSocketHandler;

    // Creates the per-route metrics; call once after the last route is added.
    void prepare();

    // The shopper's address: the peer, or behind trusted proxies the right-most
    // X-Forwarded-For entry that is not itself a trusted proxy.
    QHostAddress clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor) const;
    // Runs on the HTTP thread; answers the errors it finds itself.
    void dispatch(HttpRequest &request, const Responder &responder) const;
    // The value of Access-Control-Allow-Origin for a request from `origin` (its Origin
    // header), or empty when that origin may not read answers.
    QByteArray corsAllowOrigin(const QByteArray &origin) const;
};
