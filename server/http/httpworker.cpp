#include "httpworker.h"

#include "router.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QElapsedTimer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QRandomGenerator>
#include <QTcpServer>
#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>

#include <chrono>
#include <unistd.h>

namespace {

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

QByteArray methodName(QHttpServerRequest::Method m)
{
    switch (m) {
    case QHttpServerRequest::Method::Get: return "GET";
    case QHttpServerRequest::Method::Put: return "PUT";
    case QHttpServerRequest::Method::Delete: return "DELETE";
    case QHttpServerRequest::Method::Post: return "POST";
    case QHttpServerRequest::Method::Head: return "HEAD";
    case QHttpServerRequest::Method::Options: return "OPTIONS";
    case QHttpServerRequest::Method::Patch: return "PATCH";
    case QHttpServerRequest::Method::Connect: return "CONNECT";
    case QHttpServerRequest::Method::Trace: return "TRACE";
    default: return "UNKNOWN";
    }
}

bool isSafeRequestId(const QByteArray &id)
{
    if (id.isEmpty() || id.size() > 64)
        return false;
    for (char c : id) {
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'))
            return false;
    }
    return true;
}

QHttpServerResponder::StatusCode statusCode(int status)
{
    return static_cast<QHttpServerResponder::StatusCode>(status);
}

} // namespace

Exchange::~Exchange()
{
    if (answered.load())
        return;
    // A handler dropped its responder without answering: answer 500 rather than leave
    // the client hanging, and say so in the log.
    Log::error(QStringLiteral("http.unanswered"), {{QStringLiteral("path"), path},
                                                   {QStringLiteral("requestId"), QString::fromLatin1(requestId)}});
    auto copy = std::make_shared<Exchange>();
    copy->socket = socket;
    copy->request = request;
    copy->worker = worker;
    copy->method = method;
    copy->path = path;
    copy->requestId = requestId;
    copy->traceparent = traceparent;
    copy->corsAllowOrigin = corsAllowOrigin;
    copy->receivedAtNs = receivedAtNs;
    copy->routeStats.store(routeStats.load());
    copy->answered.store(true);
    if (HttpWorker *w = worker.data()) {
        QMetaObject::invokeMethod(w, [copy] {
            if (copy->worker)
                copy->worker->write(*copy, HttpResponse::problem(500, QStringLiteral("internal"),
                                                                  QStringLiteral("Internal error"),
                                                                  QStringLiteral("The request was not answered.")));
        }, Qt::QueuedConnection);
    }
}

void Responder::send(HttpResponse response) const
{
    if (m_exchange->answered.exchange(true))
        return; // the first answer wins
    HttpWorker *worker = m_exchange->worker.data();
    if (!worker)
        return; // server stopping
    if (QThread::currentThread() == worker->thread()) {
        worker->write(*m_exchange, response);
        return;
    }
    QMetaObject::invokeMethod(worker, [exchange = m_exchange, response = std::move(response)] {
        if (exchange->worker)
            exchange->worker->write(*exchange, response);
    }, Qt::QueuedConnection);
}

HttpWorker::HttpWorker(const HttpContext &context, qintptr listenDescriptor)
    : m_context(context)
    , m_descriptor(listenDescriptor)
{
    // QtHttpServer 6.4 upgrades a WebSocket request only while this signal has a
    // receiver; without a handler it answers through missingHandler instead.
    if (!m_context.webSocketHandler)
        return;
    connect(this, &QAbstractHttpServer::newWebSocketConnection, this, [this] {
        while (hasPendingWebSocketConnections())
            m_context.webSocketHandler(nextPendingWebSocketConnection());
    });
}

HttpWorker::~HttpWorker() = default;

bool HttpWorker::startListening()
{
    auto *server = new QTcpServer(this);
    server->setMaxPendingConnections(100000);
    if (!server->setSocketDescriptor(m_descriptor)) {
        Log::error(QStringLiteral("http.listen.failed"), {{QStringLiteral("error"), server->errorString()}});
        ::close(int(m_descriptor));
        delete server;
        return false;
    }
    bind(server);
    return true;
}

bool HttpWorker::handleRequest(const QHttpServerRequest &request, QTcpSocket *socket)
{
    if (request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0) {
        // Returning true hands the socket to QtHttpServer's WebSocket server, which
        // deletes `request` at once: nothing may keep it. Without a handler, false makes
        // QtHttpServer call missingHandler and close the connection.
        return bool(m_context.webSocketHandler);
    }
    HttpRequest r;
    r.receivedAtNs = steadyNowNs();
    r.method = methodName(request.method());
    const QUrl url = request.url();
    r.path = url.path();
    r.segments = r.path.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    r.query = request.query();
    const auto headers = request.headers();
    r.headers.reserve(headers.size());
    for (const auto &h : headers)
        r.headers.insert(h.first.toLower(), h.second);
    r.body = request.body();
    r.remoteAddress = m_context.clientAddress(request.remoteAddress(), r.header("x-forwarded-for"));
    r.trace = TraceContext::fromHeader(r.header("traceparent"));
    const QByteArray givenId = r.header("x-request-id");
    r.requestId = isSafeRequestId(givenId) ? givenId : r.trace.spanId;

    auto exchange = std::make_shared<Exchange>();
    exchange->socket = socket;
    exchange->request = &request;
    exchange->worker = this;
    exchange->method = r.method;
    exchange->path = r.path;
    exchange->requestId = r.requestId;
    exchange->traceparent = r.trace.traceparent();
    exchange->receivedAtNs = r.receivedAtNs;
    m_context.dispatch(r, Responder(std::move(exchange)));
    return true;
}

void HttpWorker::missingHandler(const QHttpServerRequest &request, QTcpSocket *socket)
{
    // Only reached for a WebSocket upgrade that no module serves.
    const HttpResponse problem = HttpResponse::problem(400, QStringLiteral("websocket-unsupported"),
                                                       QStringLiteral("WebSocket not served"),
                                                       QStringLiteral("This server does not accept WebSocket connections."));
    makeResponder(request, socket).write(problem.body, {{"Content-Type", problem.contentType}},
                                         QHttpServerResponder::StatusCode::BadRequest);
}

void HttpWorker::write(Exchange &exchange, const HttpResponse &response)
{
    const double seconds = double(steadyNowNs() - exchange.receivedAtNs) / 1e9;
    if (auto *stats = static_cast<Metrics::Route *>(exchange.routeStats.load())) {
        stats->latency.observe(seconds);
        if (response.status >= 100 && response.status < 600)
            stats->byStatus[size_t(response.status)].fetch_add(1, std::memory_order_relaxed);
    }
    if (Log::enabled(Log::Level::Debug) || response.status >= 500) {
        Log::write(response.status >= 500 ? Log::Level::Error : Log::Level::Debug, QStringLiteral("http.request"),
                   {{QStringLiteral("method"), QString::fromLatin1(exchange.method)},
                    {QStringLiteral("path"), exchange.path},
                    {QStringLiteral("status"), response.status},
                    {QStringLiteral("durationMs"), seconds * 1000.0},
                    {QStringLiteral("requestId"), QString::fromLatin1(exchange.requestId)},
                    {QStringLiteral("traceId"), QString::fromLatin1(exchange.traceparent.mid(3, 32))}});
    }
    // The connection may have closed while the answer was being prepared; QtHttpServer
    // deletes its request object when the socket disconnects, so check before touching it.
    QTcpSocket *socket = exchange.socket.data();
    if (!socket || socket->state() != QAbstractSocket::ConnectedState || !exchange.request)
        return;
    QHttpServerResponder responder = makeResponder(*exchange.request, socket);
    responder.writeStatusLine(statusCode(response.status));
    if (!response.contentType.isEmpty())
        responder.writeHeader("Content-Type", response.contentType);
    const bool noBody = exchange.method == "HEAD" || response.status == 204 || response.status == 304;
    responder.writeHeader("Content-Length", QByteArray::number(noBody && exchange.method != "HEAD" ? 0 : response.body.size()));
    responder.writeHeader("X-Request-Id", exchange.requestId);
    responder.writeHeader("traceparent", exchange.traceparent);
    if (!exchange.corsAllowOrigin.isEmpty()) {
        // Never Access-Control-Allow-Credentials: the API takes bearer tokens, not cookies.
        responder.writeHeader("Access-Control-Allow-Origin", exchange.corsAllowOrigin);
        responder.writeHeader("Access-Control-Expose-Headers", "Location, Retry-After, ETag, X-Request-Id, Idempotent-Replayed");
        if (exchange.corsAllowOrigin != "*")
            responder.writeHeader("Vary", "Origin");
    }
    for (const auto &h : response.headers)
        responder.writeHeader(h.first, h.second);
    responder.writeBody(noBody ? QByteArray() : response.body);
}
