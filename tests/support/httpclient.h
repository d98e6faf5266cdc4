#pragma once

#include <QByteArray>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QUrl>

// The answer to one request, with its JSON body parsed on demand.
struct HttpResult
{
    int status = 0; // 0: no answer (connection error or time-out)
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QString networkError;

    QJsonObject json() const;
    QJsonArray jsonArray() const;
    QByteArray header(const QByteArray &lowerName) const { return headers.value(lowerName); }
    bool isProblem() const; // application/problem+json with type, title, status
};

// A blocking HTTP client for tests: real sockets, waits in a local event loop.
class HttpClient
{
public:
    explicit HttpClient(QUrl baseUrl);

    void setBearer(const QByteArray &token) { m_bearer = token; }
    HttpResult get(const QString &path, const QHash<QByteArray, QByteArray> &headers = {});
    HttpResult post(const QString &path, const QJsonObject &body, const QHash<QByteArray, QByteArray> &headers = {});
    HttpResult request(const QByteArray &method, const QString &path, const QByteArray &body,
                       const QHash<QByteArray, QByteArray> &headers = {});

    // Registers a shopper and logs in; returns the access token (empty on failure).
    QByteArray registerAndLogin(const QString &email, const QString &password = QStringLiteral("correct horse 42"),
                                const QString &name = QStringLiteral("Test Shopper"));
    QByteArray login(const QString &email, const QString &password);
    // One unlabelled sample of GET /metrics (Prometheus text), or -1 when it is not there.
    double metric(const QByteArray &name);

private:
    QUrl m_base;
    QByteArray m_bearer;
    QNetworkAccessManager m_nam;
};
