#include "router.h"

#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <exception>

// HttpContext: from a parsed request to its handler (routing, limits, authentication,
// CORS). Router itself (router.cpp) needs none of this, so the router's fuzz target links
// it alone.

QHostAddress HttpContext::clientAddress(const QHostAddress &peer, const QByteArray &forwardedFor) const
{
    if (forwardedFor.isEmpty() || !trustedProxies.contains(peer))
        return peer;
    const QList<QByteArray> hops = forwardedFor.split(',');
    for (auto it = hops.crbegin(); it != hops.crend(); ++it) {
        const QHostAddress hop(QString::fromLatin1(it->trimmed()));
        if (hop.isNull())
            return peer; // malformed: believe only the connection
        if (!trustedProxies.contains(hop))
            return hop;
    }
    return peer;
}

void HttpContext::prepare()
{
    for (Router::Route &r : router.routes())
        r.stats = metrics->route(r.name);
    unmatchedStats = metrics->route(QStringLiteral("unmatched"));
}

QByteArray HttpContext::corsAllowOrigin(const QByteArray &origin) const
{
    if (origin.isEmpty() || corsAllowedOrigins.isEmpty())
        return {};
    if (corsAllowedOrigins.contains(QStringLiteral("*")))
        return "*";
    return corsAllowedOrigins.contains(QString::fromLatin1(origin)) ? origin : QByteArray();
}

void HttpContext::dispatch(HttpRequest &request, const Responder &responder) const
{
    responder.exchange().routeStats.store(unmatchedStats);
    const QByteArray allowOrigin = corsAllowOrigin(request.header("origin"));
    responder.exchange().corsAllowOrigin = allowOrigin;
    if (request.method == "OPTIONS" && !request.header("access-control-request-method").isEmpty()) {
        // A CORS preflight: which methods and headers the path takes, for an allowed origin.
        const Router::Match m = router.match(request.header("access-control-request-method"), request.segments);
        if (allowOrigin.isEmpty()) {
            responder.send(Problem::forbidden(QStringLiteral("This origin may not call the API from a browser (server/corsAllowedOrigins).")));
            return;
        }
        if (!m.route && m.allowedMethods.isEmpty()) {
            responder.send(Problem::notFound(QStringLiteral("No resource at %1").arg(request.path)));
            return;
        }
        QList<QByteArray> methods = m.allowedMethods;
        if (m.route)
            methods.prepend(m.route->method);
        responder.send(HttpResponse::empty(204)
                           .withHeader("Access-Control-Allow-Methods", methods.join(", "))
                           .withHeader("Access-Control-Allow-Headers",
                                       "Authorization, Content-Type, Idempotency-Key, Admission-Token, If-None-Match, X-Request-Id, traceparent")
                           .withHeader("Access-Control-Max-Age", "600"));
        return;
    }
    if (request.body.size() > maxBodyBytes) {
        responder.send(HttpResponse::problem(413, QStringLiteral("payload-too-large"), QStringLiteral("Payload too large"),
                                             QStringLiteral("The body may hold at most %1 bytes.").arg(maxBodyBytes)));
        return;
    }
    const Router::Match m = router.match(request.method, request.segments);
    if (!m.route) {
        if (!m.allowedMethods.isEmpty()) {
            responder.send(HttpResponse::problem(405, QStringLiteral("method-not-allowed"), QStringLiteral("Method not allowed"),
                                                 QStringLiteral("%1 is not allowed on %2").arg(QString::fromLatin1(request.method), request.path))
                               .withHeader("Allow", m.allowedMethods.join(", ")));
        } else {
            // The path is not echoed: it is the client's own, and may be long or crafted.
            responder.send(Problem::notFound(QStringLiteral("No resource at this path.")));
        }
        return;
    }
    responder.exchange().routeStats.store(m.route->stats);
    request.params = m.params;
    if (m.route->access != Access::Anyone) {
        const QByteArray token = bearerToken(request);
        if (token.isEmpty()) {
            responder.send(Problem::unauthorized(QStringLiteral("Send Authorization: Bearer <access token>.")));
            return;
        }
        Principal principal;
        QString reason;
        if (!authenticator || !authenticator->verify(token, &principal, &reason)) {
            responder.send(Problem::unauthorized(reason));
            return;
        }
        if (m.route->access == Access::Admin && !principal.isAdmin()) {
            responder.send(Problem::forbidden(QStringLiteral("This needs the admin role.")));
            return;
        }
        request.principal = principal;
    }
    try {
        m.route->handler(request, responder);
    } catch (const std::exception &e) {
        Log::error(QStringLiteral("handler.exception"), {{QStringLiteral("route"), m.route->name},
                                                         {QStringLiteral("what"), QString::fromUtf8(e.what())},
                                                         {QStringLiteral("requestId"), QString::fromLatin1(request.requestId)}});
        responder.send(HttpResponse::problem(500, QStringLiteral("internal"), QStringLiteral("Internal error"),
                                             QStringLiteral("The request failed; it is logged as %1.").arg(QString::fromLatin1(request.requestId))));
    }
}
