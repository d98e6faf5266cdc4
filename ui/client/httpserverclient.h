#pragma once

#include "serverclient.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonDocument>
#include <QPointer>
#include <QTimer>

#include <optional>

class QNetworkAccessManager;

// ServerClient over HTTP with QNetworkAccessManager: every call is asynchronous and
// answers on the thread that owns the client (the GUI thread). Keeps the access and
// refresh tokens of the signed-in merchant, refreshes the access token before it
// expires, and retries a request once after a refresh when the server answers 401.
class HttpServerClient final : public ServerClient
{
    Q_OBJECT

public:
    explicit HttpServerClient(const QUrl &baseUrl, QObject *parent = nullptr);
    ~HttpServerClient() override;

    QUrl baseUrl() const override { return m_baseUrl; }
    void setBaseUrl(const QUrl &url) override;
    QString userEmail() const override { return m_email; }

    void login(const QString &email, const QString &password, QObject *context, Handler<Api::Session> done) override;
    void logout() override;

    void listSales(QObject *context, Handler<QList<Api::Sale>> done) override;
    void getSale(qint64 saleId, QObject *context, Handler<Api::Sale> done) override;
    void createSale(const Api::SaleDraft &draft, QObject *context, Handler<Api::Sale> done) override;

    void listProducts(QObject *context, Handler<QList<Api::Product>> done) override;
    void createProduct(const Api::ProductDraft &draft, QObject *context, Handler<Api::Product> done) override;
    void updateProduct(qint64 productId, const Api::ProductDraft &draft, QObject *context, Handler<Api::Product> done) override;
    void getStock(qint64 productId, QObject *context, Handler<Api::StockLevel> done) override;

    void checkHealth(QObject *context, Handler<Api::Health> done) override;

    void getMetrics(QObject *context, Handler<Api::MetricsSnapshot> done) override;
    void getQueueStats(qint64 saleId, QObject *context, Handler<Api::QueueStats> done) override;
    void changeQueueSettings(qint64 saleId, const Api::QueueSettingsChange &change, QObject *context,
                             Handler<Api::QueueStats> done) override;
    void startSaleNow(qint64 saleId, QObject *context, Handler<Api::Sale> done) override;
    void endSaleNow(qint64 saleId, QObject *context, Handler<Api::Sale> done) override;
    void listAudit(qint64 saleId, QObject *context, Handler<QList<Api::AuditEntry>> done) override;
    void listOrders(const Api::OrderFilter &filter, QObject *context, Handler<QList<Api::Order>> done) override;
    void getOrder(const QString &orderId, QObject *context, Handler<Api::Order> done) override;
    void refundOrder(const QString &orderId, QObject *context, Handler<Api::Order> done) override;
    void compensateOrder(const QString &orderId, QObject *context, Handler<Api::Order> done) override;
    void getReconciliation(QObject *context, Handler<Api::Reconciliation> done) override;
    void getClusterStatus(QObject *context, Handler<Api::ClusterStatus> done) override;
    QUrl notificationsUrl() const override;

private:
    struct Request
    {
        static Request get(const QString &path, bool authenticated = false);
        static Request withBody(const QByteArray &method, const QString &path, const QJsonObject &body, bool authenticated);

        QByteArray method;
        QString path; // may carry a query: /sales?all=true
        QByteArray body; // compact JSON, empty for none
        bool authenticated = false;
        int timeoutMs = 15000;
    };
    struct Reply
    {
        int status = 0; // 0: no HTTP answer
        QByteArray body;
        QString networkError;
    };
    // The caller's context object, and whether there was one at all.
    struct Context
    {
        explicit Context(QObject *object)
            : pointer(object)
            , given(object != nullptr)
        {
        }
        bool alive() const { return !given || !pointer.isNull(); }
        QPointer<QObject> pointer;
        bool given;
    };
    using ReplyHandler = std::function<void(const Reply &)>;
    template<typename T>
    using Parser = std::function<std::optional<T>(const QJsonDocument &)>;

    template<typename T>
    void fetch(const Request &request, QObject *context, Handler<T> done, Parser<T> parse);
    void send(const Request &request, const Context &context, ReplyHandler handler);
    void sendOnce(const Request &request, const Context &context, ReplyHandler handler);
    QUrl urlFor(const QString &path) const;

    void acceptTokens(const QJsonObject &answer);
    void refreshSession(std::function<void(bool refreshed)> then);
    void scheduleRefresh();
    void endSession();

    QNetworkAccessManager *m_network; // child of this client
    QTimer m_refreshTimer;
    QUrl m_baseUrl;
    QString m_email;
    QByteArray m_accessToken;
    QString m_refreshToken;
    QDateTime m_accessExpiry;
    quint64 m_sessionGeneration = 0; // answers for an ended session are ignored
    bool m_refreshing = false;
    QList<std::function<void(bool)>> m_waitingForRefresh;
};
