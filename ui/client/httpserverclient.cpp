#include "httpserverclient.h"

#include "jsonfields.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <utility>

namespace {

constexpr int healthTimeoutMs = 1800; // under the status bar's 2 s poll
constexpr int metricsTimeoutMs = 3000;
constexpr int clusterTimeoutMs = 3000; // polled every second: a late answer is worth little
constexpr qint64 minimumRefreshDelayMs = 1000;
constexpr qint64 retryRefreshAfterMs = 10000;

template<typename T>
std::function<std::optional<T>(const QJsonDocument &)> objectOf(std::optional<T> (*fromJson)(const QJsonObject &))
{
    return [fromJson](const QJsonDocument &doc) -> std::optional<T> {
        if (!doc.isObject())
            return std::nullopt;
        return fromJson(doc.object());
    };
}

template<typename T>
std::function<std::optional<QList<T>>(const QJsonDocument &)> listOf(std::optional<T> (*fromJson)(const QJsonObject &))
{
    return [fromJson](const QJsonDocument &doc) -> std::optional<QList<T>> {
        return Api::JsonFields::list<T>(doc.isArray() ? QJsonValue(doc.array()) : QJsonValue(), fromJson);
    };
}

} // namespace

HttpServerClient::Request HttpServerClient::Request::get(const QString &path, bool authenticated)
{
    Request r;
    r.method = "GET";
    r.path = path;
    r.authenticated = authenticated;
    return r;
}

HttpServerClient::Request HttpServerClient::Request::withBody(const QByteArray &method, const QString &path,
                                                              const QJsonObject &body, bool authenticated)
{
    Request r;
    r.method = method;
    r.path = path;
    r.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    r.authenticated = authenticated;
    return r;
}

HttpServerClient::HttpServerClient(const QUrl &baseUrl, QObject *parent)
    : ServerClient(parent)
    , m_network(new QNetworkAccessManager(this))
    , m_baseUrl(baseUrl)
{
    m_refreshTimer.setSingleShot(true);
    m_refreshTimer.setTimerType(Qt::VeryCoarseTimer);
    connect(&m_refreshTimer, &QTimer::timeout, this, [this] { refreshSession({}); });
}

HttpServerClient::~HttpServerClient() = default;

void HttpServerClient::setBaseUrl(const QUrl &url)
{
    if (url == m_baseUrl)
        return;
    endSession();
    m_baseUrl = url;
    Q_EMIT baseUrlChanged(m_baseUrl);
    Q_EMIT sessionChanged();
}

QUrl HttpServerClient::urlFor(const QString &path) const
{
    QUrl url = m_baseUrl;
    const int q = path.indexOf(QLatin1Char('?'));
    QString basePath = url.path();
    if (basePath.endsWith(QLatin1Char('/')))
        basePath.chop(1);
    url.setPath(basePath + (q < 0 ? path : path.left(q)));
    url.setQuery(q < 0 ? QString() : path.mid(q + 1));
    return url;
}

void HttpServerClient::sendOnce(const Request &request, const Context &context, ReplyHandler handler)
{
    QNetworkRequest req(urlFor(request.path));
    req.setTransferTimeout(request.timeoutMs);
    req.setRawHeader("Accept", "application/json, application/problem+json");
    if (!request.body.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (request.authenticated && !m_accessToken.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + m_accessToken);

    QNetworkReply *reply = request.body.isEmpty() ? m_network->sendCustomRequest(req, request.method)
                                                  : m_network->sendCustomRequest(req, request.method, request.body);
    connect(reply, &QNetworkReply::finished, this, [reply, context, handler = std::move(handler)] {
        reply->deleteLater();
        if (!context.alive())
            return;
        Reply r;
        r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        r.body = reply->readAll();
        if (r.status == 0)
            r.networkError = reply->errorString();
        handler(r);
    });
}

void HttpServerClient::send(const Request &request, const Context &context, ReplyHandler handler)
{
    if (!request.authenticated) {
        sendOnce(request, context, std::move(handler));
        return;
    }
    const quint64 generation = m_sessionGeneration;
    sendOnce(request, context, [this, request, context, generation, handler](const Reply &reply) {
        const bool mayRefresh = reply.status == 401 && generation == m_sessionGeneration && !m_refreshToken.isEmpty();
        if (!mayRefresh) {
            handler(reply);
            return;
        }
        refreshSession([this, request, context, reply, handler](bool refreshed) {
            if (!context.alive())
                return;
            if (refreshed)
                sendOnce(request, context, handler);
            else
                handler(reply);
        });
    });
}

template<typename T>
void HttpServerClient::fetch(const Request &request, QObject *context, Handler<T> done, Parser<T> parse)
{
    send(request, Context(context), [done = std::move(done), parse = std::move(parse)](const Reply &reply) {
        if (reply.status == 0) {
            done(Api::Result<T>::failure(Api::Error::network(reply.networkError)));
            return;
        }
        if (reply.status < 200 || reply.status > 299) {
            done(Api::Result<T>::failure(Api::Error::fromHttp(reply.status, reply.body)));
            return;
        }
        QJsonParseError jsonError{};
        const QJsonDocument doc = QJsonDocument::fromJson(reply.body, &jsonError);
        std::optional<T> value;
        if (jsonError.error == QJsonParseError::NoError)
            value = parse(doc);
        if (!value) {
            done(Api::Result<T>::failure(Api::Error::invalidResponse(tr("Unexpected answer from the server (status %1).").arg(reply.status))));
            return;
        }
        done(Api::Result<T>::success(std::move(*value)));
    });
}

void HttpServerClient::login(const QString &email, const QString &password, QObject *context, Handler<Api::Session> done)
{
    const Request request = Request::withBody("POST", QStringLiteral("/token"),
                                              {{QStringLiteral("username"), email}, {QStringLiteral("password"), password}}, false);
    // The tokens are kept even if the caller has gone away in the meantime.
    send(request, Context(nullptr), [this, email, guard = Context(context), done](const Reply &reply) {
        Api::Result<Api::Session> result = Api::Result<Api::Session>::failure(Api::Error::network(reply.networkError));
        const QJsonObject answer = QJsonDocument::fromJson(reply.body).object();
        if (reply.status == 200 && !answer.value(QStringLiteral("accessToken")).toString().isEmpty()) {
            endSession();
            m_email = email;
            acceptTokens(answer);
            result = Api::Result<Api::Session>::success(Api::Session{m_email, m_accessExpiry});
            Q_EMIT sessionChanged();
        } else if (reply.status == 200) {
            result = Api::Result<Api::Session>::failure(Api::Error::invalidResponse(tr("The server sent no access token.")));
        } else if (reply.status != 0) {
            result = Api::Result<Api::Session>::failure(Api::Error::fromHttp(reply.status, reply.body));
        }
        if (guard.alive())
            done(result);
    });
}

void HttpServerClient::logout()
{
    const bool wasLoggedIn = isLoggedIn();
    endSession();
    if (wasLoggedIn)
        Q_EMIT sessionChanged();
}

void HttpServerClient::acceptTokens(const QJsonObject &answer)
{
    m_accessToken = answer.value(QStringLiteral("accessToken")).toString().toUtf8();
    const QString refresh = answer.value(QStringLiteral("refreshToken")).toString();
    if (!refresh.isEmpty())
        m_refreshToken = refresh; // the server rotates refresh tokens
    const int expiresIn = answer.value(QStringLiteral("expiresIn")).toInt();
    m_accessExpiry = expiresIn > 0 ? QDateTime::currentDateTimeUtc().addSecs(expiresIn) : QDateTime();
    scheduleRefresh();
}

void HttpServerClient::scheduleRefresh()
{
    m_refreshTimer.stop();
    if (!m_accessExpiry.isValid() || m_refreshToken.isEmpty())
        return;
    const qint64 remainingMs = QDateTime::currentDateTimeUtc().msecsTo(m_accessExpiry);
    // Refresh a minute early, or a fifth of the lifetime early for short-lived tokens.
    const qint64 marginMs = qMin<qint64>(60000, remainingMs / 5);
    m_refreshTimer.start(std::chrono::milliseconds(qMax(minimumRefreshDelayMs, remainingMs - marginMs)));
}

void HttpServerClient::refreshSession(std::function<void(bool)> then)
{
    if (then)
        m_waitingForRefresh.append(std::move(then));
    if (m_refreshing)
        return;
    if (m_refreshToken.isEmpty()) {
        const auto waiting = std::exchange(m_waitingForRefresh, {});
        for (const auto &w : waiting)
            w(false);
        return;
    }
    m_refreshing = true;
    m_refreshTimer.stop();
    const quint64 generation = m_sessionGeneration;
    const Request request = Request::withBody("POST", QStringLiteral("/token"),
                                              {{QStringLiteral("grantType"), QStringLiteral("refresh_token")},
                                               {QStringLiteral("refreshToken"), m_refreshToken}},
                                              false);
    sendOnce(request, Context(nullptr), [this, generation](const Reply &reply) {
        m_refreshing = false;
        const auto waiting = std::exchange(m_waitingForRefresh, {});
        if (generation != m_sessionGeneration) { // signed out or in again meanwhile
            for (const auto &w : waiting)
                w(false);
            return;
        }
        const QJsonObject answer = QJsonDocument::fromJson(reply.body).object();
        const bool refreshed = reply.status == 200 && !answer.value(QStringLiteral("accessToken")).toString().isEmpty();
        if (refreshed) {
            acceptTokens(answer);
            Q_EMIT accessTokenRenewed(m_accessToken);
        } else if (reply.status == 0 || reply.status >= 500 || reply.status == 429) {
            // The server is away or busy: the access token may still be good; try again soon.
            m_refreshTimer.start(std::chrono::milliseconds(retryRefreshAfterMs));
        } else {
            const Api::Error error = Api::Error::fromHttp(reply.status, reply.body);
            endSession();
            Q_EMIT sessionExpired(error);
            Q_EMIT sessionChanged();
        }
        for (const auto &w : waiting)
            w(refreshed);
    });
}

void HttpServerClient::endSession()
{
    ++m_sessionGeneration;
    m_refreshTimer.stop();
    m_email.clear();
    m_accessToken.clear();
    m_refreshToken.clear();
    m_accessExpiry = QDateTime();
}

void HttpServerClient::listSales(QObject *context, Handler<QList<Api::Sale>> done)
{
    fetch<QList<Api::Sale>>(Request::get(QStringLiteral("/sales?all=true")), context, std::move(done), listOf(&Api::Sale::fromJson));
}

void HttpServerClient::getSale(qint64 saleId, QObject *context, Handler<Api::Sale> done)
{
    fetch<Api::Sale>(Request::get(QStringLiteral("/sales/%1").arg(saleId)), context, std::move(done), objectOf(&Api::Sale::fromJson));
}

void HttpServerClient::createSale(const Api::SaleDraft &draft, QObject *context, Handler<Api::Sale> done)
{
    fetch<Api::Sale>(Request::withBody("POST", QStringLiteral("/sales"), draft.toJson(), true), context, std::move(done),
                objectOf(&Api::Sale::fromJson));
}

void HttpServerClient::listProducts(QObject *context, Handler<QList<Api::Product>> done)
{
    fetch<QList<Api::Product>>(Request::get(QStringLiteral("/products")), context, std::move(done), listOf(&Api::Product::fromJson));
}

void HttpServerClient::createProduct(const Api::ProductDraft &draft, QObject *context, Handler<Api::Product> done)
{
    fetch<Api::Product>(Request::withBody("POST", QStringLiteral("/products"), draft.toJson(), true), context, std::move(done),
                   objectOf(&Api::Product::fromJson));
}

void HttpServerClient::updateProduct(qint64 productId, const Api::ProductDraft &draft, QObject *context, Handler<Api::Product> done)
{
    fetch<Api::Product>(Request::withBody("PUT", QStringLiteral("/products/%1").arg(productId), draft.toJson(), true), context,
                   std::move(done), objectOf(&Api::Product::fromJson));
}

void HttpServerClient::getStock(qint64 productId, QObject *context, Handler<Api::StockLevel> done)
{
    fetch<Api::StockLevel>(Request::get(QStringLiteral("/stock/%1").arg(productId)), context, std::move(done),
                      [](const QJsonDocument &doc) -> std::optional<Api::StockLevel> {
                          const QJsonValue level = doc.object().value(QStringLiteral("stockLevel"));
                          if (!level.isDouble())
                              return std::nullopt;
                          return Api::StockLevel{qint64(doc.object().value(QStringLiteral("productId")).toDouble()),
                                            qint64(level.toDouble())};
                      });
}

void HttpServerClient::checkHealth(QObject *context, Handler<Api::Health> done)
{
    Request request = Request::get(QStringLiteral("/health/ready"));
    request.timeoutMs = healthTimeoutMs;
    fetch<Api::Health>(request, context, std::move(done), [](const QJsonDocument &doc) -> std::optional<Api::Health> {
        if (!doc.isObject())
            return std::nullopt;
        return Api::Health{doc.object().value(QStringLiteral("status")).toString()};
    });
}

void HttpServerClient::getMetrics(QObject *context, Handler<Api::MetricsSnapshot> done)
{
    // Prometheus text, not JSON: read here rather than through fetch().
    Request request = Request::get(QStringLiteral("/metrics"));
    request.timeoutMs = metricsTimeoutMs;
    send(request, Context(context), [done = std::move(done)](const Reply &reply) {
        if (reply.status == 0) {
            done(Api::Result<Api::MetricsSnapshot>::failure(Api::Error::network(reply.networkError)));
            return;
        }
        if (reply.status != 200) {
            done(Api::Result<Api::MetricsSnapshot>::failure(Api::Error::fromHttp(reply.status, reply.body)));
            return;
        }
        std::optional<Api::MetricsSnapshot> snapshot = Api::MetricsSnapshot::parse(reply.body);
        if (!snapshot) {
            done(Api::Result<Api::MetricsSnapshot>::failure(Api::Error::invalidResponse(tr("The metrics are not in the Prometheus text format."))));
            return;
        }
        done(Api::Result<Api::MetricsSnapshot>::success(std::move(*snapshot)));
    });
}

void HttpServerClient::getQueueStats(qint64 saleId, QObject *context, Handler<Api::QueueStats> done)
{
    fetch<Api::QueueStats>(Request::get(QStringLiteral("/sales/%1/queue").arg(saleId), true), context, std::move(done),
                           objectOf(&Api::QueueStats::fromJson));
}

void HttpServerClient::changeQueueSettings(qint64 saleId, const Api::QueueSettingsChange &change, QObject *context,
                                           Handler<Api::QueueStats> done)
{
    fetch<Api::QueueStats>(Request::withBody("PUT", QStringLiteral("/sales/%1/queue/settings").arg(saleId), change.toJson(), true),
                           context, std::move(done), objectOf(&Api::QueueStats::fromJson));
}

void HttpServerClient::startSaleNow(qint64 saleId, QObject *context, Handler<Api::Sale> done)
{
    fetch<Api::Sale>(Request::withBody("POST", QStringLiteral("/sales/%1/start").arg(saleId), {}, true), context, std::move(done),
                     objectOf(&Api::Sale::fromJson));
}

void HttpServerClient::endSaleNow(qint64 saleId, QObject *context, Handler<Api::Sale> done)
{
    fetch<Api::Sale>(Request::withBody("POST", QStringLiteral("/sales/%1/end").arg(saleId), {}, true), context, std::move(done),
                     objectOf(&Api::Sale::fromJson));
}

void HttpServerClient::listAudit(qint64 saleId, QObject *context, Handler<QList<Api::AuditEntry>> done)
{
    fetch<QList<Api::AuditEntry>>(Request::get(QStringLiteral("/admin/audit?saleId=%1").arg(saleId), true), context, std::move(done),
                                  listOf(&Api::AuditEntry::fromJson));
}

void HttpServerClient::listOrders(const Api::OrderFilter &filter, QObject *context, Handler<QList<Api::Order>> done)
{
    fetch<QList<Api::Order>>(Request::get(QStringLiteral("/orders?") + filter.query(), true), context, std::move(done),
                             listOf(&Api::Order::fromJson));
}

void HttpServerClient::getOrder(const QString &orderId, QObject *context, Handler<Api::Order> done)
{
    fetch<Api::Order>(Request::get(QStringLiteral("/orders/%1").arg(QString::fromLatin1(QUrl::toPercentEncoding(orderId))), true),
                      context, std::move(done), objectOf(&Api::Order::fromJson));
}

void HttpServerClient::refundOrder(const QString &orderId, QObject *context, Handler<Api::Order> done)
{
    Request request = Request::withBody("POST", QStringLiteral("/orders/%1/refund").arg(QString::fromLatin1(QUrl::toPercentEncoding(orderId))),
                                        {}, true);
    request.timeoutMs = 30000; // the payment gateway may take a while
    fetch<Api::Order>(request, context, std::move(done), objectOf(&Api::Order::fromJson));
}

void HttpServerClient::compensateOrder(const QString &orderId, QObject *context, Handler<Api::Order> done)
{
    fetch<Api::Order>(Request::withBody("POST", QStringLiteral("/orders/%1/compensate").arg(QString::fromLatin1(QUrl::toPercentEncoding(orderId))),
                                        {}, true),
                      context, std::move(done), objectOf(&Api::Order::fromJson));
}

void HttpServerClient::getReconciliation(QObject *context, Handler<Api::Reconciliation> done)
{
    fetch<Api::Reconciliation>(Request::get(QStringLiteral("/admin/reconciliation"), true), context, std::move(done),
                               [](const QJsonDocument &doc) -> std::optional<Api::Reconciliation> {
                                   const QJsonObject o = doc.object();
                                   if (!o.value(QStringLiteral("discrepancy")).isDouble())
                                       return std::nullopt;
                                   return Api::Reconciliation{Api::JsonFields::dateTime(o, QStringLiteral("checkedAt")),
                                                              Api::JsonFields::integer(o, QStringLiteral("discrepancy")),
                                                              Api::JsonFields::integer(o, QStringLiteral("overduePendingReservations"))};
                               });
}

void HttpServerClient::getClusterStatus(QObject *context, Handler<Api::ClusterStatus> done)
{
    Request request = Request::get(QStringLiteral("/admin/cluster"), true);
    request.timeoutMs = clusterTimeoutMs;
    fetch<Api::ClusterStatus>(request, context, std::move(done), objectOf(&Api::ClusterStatus::fromJson));
}

QUrl HttpServerClient::notificationsUrl() const
{
    QUrl url = urlFor(QStringLiteral("/notifications"));
    url.setScheme(url.scheme() == QLatin1String("https") ? QStringLiteral("wss") : QStringLiteral("ws"));
    if (!m_accessToken.isEmpty())
        url.setQuery(QStringLiteral("access_token=") + QString::fromLatin1(m_accessToken));
    return url;
}
