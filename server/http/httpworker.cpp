#include "httpworker.h"

#include "acceptor.h"
#include "connectionbudget.h"
#include "httpconnection.h"
#include "httpwire.h"
#include "requesttarget.h"
#include "router.h"
#include "telemetry/logger.h"
#include "telemetry/metrics.h"

#include <QTcpSocket>
#include <QThread>
#include <QWebSocket>
#include <QWebSocketServer>

#include <algorithm>
#include <chrono>
#include <sys/socket.h>
#include <unistd.h>

namespace {

qint64 steadyNowNs()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
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
    copy->connection = connection;
    copy->sequence = sequence;
    copy->keepAlive = keepAlive;
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
    if (AnswerBatch::hold(m_exchange, response))
        return;
    QMetaObject::invokeMethod(worker, [exchange = m_exchange, response = std::move(response)] {
        if (exchange->worker)
            exchange->worker->write(*exchange, response);
    }, Qt::QueuedConnection);
}

namespace {

thread_local AnswerBatch *openBatch = nullptr;

} // namespace

AnswerBatch::AnswerBatch()
    : m_outer(openBatch)
{
    openBatch = this;
}

AnswerBatch::~AnswerBatch()
{
    openBatch = m_outer;
    // Grouped by HTTP thread, each group in the order the answers were sent.
    std::vector<std::pair<HttpWorker *, std::vector<Held>>> byWorker;
    for (Held &held : m_held) {
        HttpWorker *worker = held.exchange->worker.data();
        if (!worker)
            continue; // server stopping
        auto it = std::find_if(byWorker.begin(), byWorker.end(), [worker](const auto &group) { return group.first == worker; });
        if (it == byWorker.end())
            it = byWorker.insert(byWorker.end(), {worker, {}});
        it->second.push_back(std::move(held));
    }
    for (auto &[worker, answers] : byWorker) {
        QMetaObject::invokeMethod(worker, [answers = std::move(answers)] {
            for (const Held &held : answers) {
                if (held.exchange->worker)
                    held.exchange->worker->write(*held.exchange, held.response);
            }
        }, Qt::QueuedConnection);
    }
}

bool AnswerBatch::hold(const std::shared_ptr<Exchange> &exchange, HttpResponse &response)
{
    if (!openBatch)
        return false;
    openBatch->m_held.push_back(Held{exchange, std::move(response)});
    return true;
}

HttpWorker::HttpWorker(const HttpContext &context, qintptr listenDescriptor)
    : m_context(context)
    , m_descriptor(listenDescriptor)
{
}

HttpWorker::~HttpWorker() = default;

bool HttpWorker::startListening()
{
    m_acceptor = new Acceptor(int(m_descriptor), [this](int fd) { accepted(fd); }, this);
    if (m_context.webSocketHandler) {
        m_webSockets = new QWebSocketServer(QStringLiteral("FlashSale"), QWebSocketServer::NonSecureMode, this);
        m_webSockets->setHandshakeTimeout(m_context.connection.headerTimeoutMs);
        connect(m_webSockets, &QWebSocketServer::newConnection, this, [this] {
            while (m_webSockets->hasPendingConnections()) {
                std::unique_ptr<QWebSocket> socket(m_webSockets->nextPendingConnection());
                // QtWebSockets would take messages of up to 2 GiB: a client sends one
                // small message (its access token), so a small bound, before and after
                // sign-in. Set before the event loop reads a frame.
                const auto limit = quint64(m_context.connection.maxWebSocketMessageBytes);
                socket->setMaxAllowedIncomingFrameSize(limit);
                socket->setMaxAllowedIncomingMessageSize(limit);
                m_context.webSocketHandler(std::move(socket));
            }
        });
    }
    return true;
}

void HttpWorker::accepted(int descriptor)
{
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    ::getpeername(descriptor, reinterpret_cast<sockaddr *>(&address), &length);
    const QHostAddress peer(reinterpret_cast<const sockaddr *>(&address));
    const ConnectionBudget::Verdict verdict = m_context.budget->take(peer);
    if (verdict != ConnectionBudget::Verdict::Granted) {
        // Refused before any byte is read: a short answer and the door.
        static const QByteArray serverFull = HttpWire::refusal(503, "overloaded", "Server busy",
                                                               "The server holds as many connections as it may.");
        static const QByteArray addressFull = HttpWire::refusal(429, "too-many-connections", "Too many connections",
                                                                "This address holds as many connections as it may.");
        const QByteArray &answer = verdict == ConnectionBudget::Verdict::ServerFull ? serverFull : addressFull;
        [[maybe_unused]] const ssize_t n = ::send(descriptor, answer.constData(), size_t(answer.size()), MSG_NOSIGNAL);
        ::close(descriptor);
        return;
    }
    auto *socket = new QTcpSocket;
    if (!socket->setSocketDescriptor(descriptor)) {
        ::close(descriptor);
        delete socket;
        m_context.budget->give(peer);
        return;
    }
    ConnectionBudget *budget = m_context.budget.get();
    // The budget follows the socket, also after a WebSocket upgrade took it over.
    connect(socket, &QObject::destroyed, [budget, peer] { budget->give(peer); });
    HttpConnection::Sinks sinks;
    sinks.request = [this](HttpConnection *connection, quint64 sequence, FramedRequest framed) {
        handleRequest(connection, sequence, std::move(framed));
    };
    sinks.mayUpgrade = [this](const FramedRequest &request) {
        const qsizetype question = request.target.indexOf('?');
        const QByteArray path = question < 0 ? request.target : request.target.left(question);
        return m_webSockets != nullptr && path == m_context.connection.webSocketPath;
    };
    sinks.upgrade = [this](QTcpSocket *upgraded) {
        m_webSockets->handleConnection(upgraded);
        Q_EMIT upgraded->readyRead(); // the handshake is already in its buffer
    };
    new HttpConnection(socket, m_context.connection, std::move(sinks), this);
}

void HttpWorker::handleRequest(HttpConnection *connection, quint64 sequence, FramedRequest framed)
{
    HttpRequest r;
    r.receivedAtNs = steadyNowNs();
    r.method = framed.method;
    RequestTarget target = RequestTarget::parse(framed.target);
    r.path = std::move(target.path);
    r.segments = std::move(target.segments);
    r.query = std::move(target.query);
    r.headers.reserve(framed.headers.size());
    for (const auto &h : std::as_const(framed.headers))
        r.headers.insert(h.first, h.second);
    r.body = std::move(framed.body);
    r.remoteAddress = m_context.clientAddress(connection->socket()->peerAddress(), r.header("x-forwarded-for"));
    r.trace = TraceContext::fromHeader(r.header("traceparent"));
    const QByteArray givenId = r.header("x-request-id");
    r.requestId = isSafeRequestId(givenId) ? givenId : r.trace.spanId;

    auto exchange = std::make_shared<Exchange>();
    exchange->connection = connection;
    exchange->sequence = sequence;
    exchange->keepAlive = framed.keepAlive;
    exchange->worker = this;
    exchange->method = r.method;
    exchange->path = r.path;
    exchange->requestId = r.requestId;
    exchange->traceparent = r.trace.traceparent();
    exchange->receivedAtNs = r.receivedAtNs;
    m_context.dispatch(r, Responder(std::move(exchange)));
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
    // The connection may have closed while the answer was being prepared.
    HttpConnection *connection = exchange.connection.data();
    if (!connection)
        return;
    HttpWire::Options options;
    options.headRequest = exchange.method == "HEAD";
    options.close = !exchange.keepAlive;
    options.extraHeaders = {{"X-Request-Id", exchange.requestId}, {"traceparent", exchange.traceparent}};
    if (!exchange.corsAllowOrigin.isEmpty()) {
        // Never Access-Control-Allow-Credentials: the API takes bearer tokens, not cookies.
        options.extraHeaders.append(qMakePair(QByteArray("Access-Control-Allow-Origin"), exchange.corsAllowOrigin));
        options.extraHeaders.append(qMakePair(QByteArray("Access-Control-Expose-Headers"),
                                               QByteArray("Location, Retry-After, ETag, X-Request-Id, Idempotent-Replayed")));
        if (exchange.corsAllowOrigin != "*")
            options.extraHeaders.append(qMakePair(QByteArray("Vary"), QByteArray("Origin")));
    }
    connection->answer(exchange.sequence, HttpWire::encode(response, options));
}
