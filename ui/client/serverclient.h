#pragma once

#include "apiresult.h"
#include "auditentry.h"
#include "clusterstatus.h"
#include "health.h"
#include "metricssnapshot.h"
#include "order.h"
#include "product.h"
#include "queuestats.h"
#include "reconciliation.h"
#include "sale.h"
#include "session.h"

#include <QList>
#include <QObject>
#include <QUrl>

#include <functional>

// The one way the console reaches the sale server. Every operation is asynchronous: it
// starts a request and returns at once; `done` runs later on the GUI thread with the
// result. `context` plays the part it plays in QObject::connect: if it is destroyed
// before the answer arrives, `done` is not called, so a closed dialog never hears back.
class ServerClient : public QObject
{
    Q_OBJECT

public:
    template<typename T>
    using Handler = std::function<void(const Api::Result<T> &)>;

    explicit ServerClient(QObject *parent = nullptr)
        : QObject(parent)
    {
    }

    virtual QUrl baseUrl() const = 0;
    // Points the client at another server; the session ends.
    virtual void setBaseUrl(const QUrl &url) = 0;
    // The signed-in merchant's e-mail, empty when nobody is signed in.
    virtual QString userEmail() const = 0;
    bool isLoggedIn() const { return !userEmail().isEmpty(); }

    // POST /token with the password grant; the client keeps the tokens and refreshes
    // the access token before it expires.
    virtual void login(const QString &email, const QString &password, QObject *context, Handler<Api::Session> done) = 0;
    virtual void logout() = 0;

    virtual void listSales(QObject *context, Handler<QList<Api::Sale>> done) = 0;
    virtual void getSale(qint64 saleId, QObject *context, Handler<Api::Sale> done) = 0;
    virtual void createSale(const Api::SaleDraft &draft, QObject *context, Handler<Api::Sale> done) = 0;

    virtual void listProducts(QObject *context, Handler<QList<Api::Product>> done) = 0;
    virtual void createProduct(const Api::ProductDraft &draft, QObject *context, Handler<Api::Product> done) = 0;
    virtual void updateProduct(qint64 productId, const Api::ProductDraft &draft, QObject *context, Handler<Api::Product> done) = 0;
    virtual void getStock(qint64 productId, QObject *context, Handler<Api::StockLevel> done) = 0;

    virtual void checkHealth(QObject *context, Handler<Api::Health> done) = 0;

    // GET /metrics, parsed.
    virtual void getMetrics(QObject *context, Handler<Api::MetricsSnapshot> done) = 0;
    // Admin: the waiting room of a sale, and changes to its admission.
    virtual void getQueueStats(qint64 saleId, QObject *context, Handler<Api::QueueStats> done) = 0;
    virtual void changeQueueSettings(qint64 saleId, const Api::QueueSettingsChange &change, QObject *context,
                                     Handler<Api::QueueStats> done) = 0;
    // Admin, audited: moves the start (or the end) of the sale to now.
    virtual void startSaleNow(qint64 saleId, QObject *context, Handler<Api::Sale> done) = 0;
    virtual void endSaleNow(qint64 saleId, QObject *context, Handler<Api::Sale> done) = 0;
    virtual void listAudit(qint64 saleId, QObject *context, Handler<QList<Api::AuditEntry>> done) = 0;
    // Admin: every order, narrowed by `filter`; one order; the order pipeline's actions.
    virtual void listOrders(const Api::OrderFilter &filter, QObject *context, Handler<QList<Api::Order>> done) = 0;
    virtual void getOrder(const QString &orderId, QObject *context, Handler<Api::Order> done) = 0;
    virtual void refundOrder(const QString &orderId, QObject *context, Handler<Api::Order> done) = 0;
    virtual void compensateOrder(const QString &orderId, QObject *context, Handler<Api::Order> done) = 0;
    virtual void getReconciliation(QObject *context, Handler<Api::Reconciliation> done) = 0;
    // Admin: every node of the cluster, its leases and each sale's stock over all nodes
    // (GET /admin/cluster); a single node answers that it is not clustered.
    virtual void getClusterStatus(QObject *context, Handler<Api::ClusterStatus> done) = 0;
    // ws://host/notifications with the admin's access token: every domain event, live.
    // The server closes it (4001) when that token expires, unless the socket is sent each
    // refreshed token ({"type": "renew", "accessToken": ...}; see accessTokenRenewed).
    virtual QUrl notificationsUrl() const = 0;

Q_SIGNALS:
    void baseUrlChanged(const QUrl &url);
    // The access token was refreshed within the same session.
    void accessTokenRenewed(const QByteArray &accessToken);
    // Signed in, signed out, or the session could not be kept alive.
    void sessionChanged();
    // The refresh grant failed: the merchant must sign in again.
    void sessionExpired(const Api::Error &error);
};
