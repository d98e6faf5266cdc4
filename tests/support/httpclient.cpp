#include "httpclient.h"

#include "exchangerecorder.h"

#include <QBuffer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QNetworkReply>
#include <QTimer>

QJsonObject HttpResult::json() const
{
    return QJsonDocument::fromJson(body).object();
}

QJsonArray HttpResult::jsonArray() const
{
    return QJsonDocument::fromJson(body).array();
}

bool HttpResult::isProblem() const
{
    const QJsonObject o = json();
    return header("content-type").startsWith("application/problem+json") && o.contains(QStringLiteral("type"))
        && o.contains(QStringLiteral("title")) && o.value(QStringLiteral("status")).toInt() == status;
}

HttpClient::HttpClient(QUrl baseUrl)
    : m_base(std::move(baseUrl))
{
}

HttpResult HttpClient::get(const QString &path, const QHash<QByteArray, QByteArray> &headers)
{
    return request("GET", path, {}, headers);
}

HttpResult HttpClient::post(const QString &path, const QJsonObject &body, const QHash<QByteArray, QByteArray> &headers)
{
    return request("POST", path, QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
}

HttpResult HttpClient::request(const QByteArray &method, const QString &path, const QByteArray &body,
                               const QHash<QByteArray, QByteArray> &headers)
{
    QUrl url = m_base;
    const int q = path.indexOf(QLatin1Char('?'));
    url.setPath(q < 0 ? path : path.left(q));
    if (q >= 0)
        url.setQuery(path.mid(q + 1));
    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    if (!body.isEmpty())
        req.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
    if (!m_bearer.isEmpty())
        req.setRawHeader("Authorization", "Bearer " + m_bearer);
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        req.setRawHeader(it.key(), it.value());
    QBuffer *buffer = new QBuffer;
    buffer->setData(body);
    buffer->open(QIODevice::ReadOnly);
    QNetworkReply *reply = m_nam.sendCustomRequest(req, method, buffer);
    buffer->setParent(reply);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    QTimer::singleShot(30000, &loop, &QEventLoop::quit);
    loop.exec();
    HttpResult r;
    if (!reply->isFinished()) {
        reply->abort();
        r.networkError = QStringLiteral("timed out");
    }
    r.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    r.body = reply->readAll();
    for (const auto &h : reply->rawHeaderPairs())
        r.headers.insert(h.first.toLower(), h.second);
    if (reply->error() != QNetworkReply::NoError && r.status == 0)
        r.networkError = reply->errorString();
    if (r.status != 0)
        ExchangeRecorder::record(method, url, r.status, r.header("content-type"), r.body);
    reply->deleteLater();
    return r;
}

QByteArray HttpClient::login(const QString &email, const QString &password)
{
    const HttpResult r = post(QStringLiteral("/token"), {{QStringLiteral("username"), email},
                                                         {QStringLiteral("password"), password}});
    return r.status == 200 ? r.json().value(QStringLiteral("accessToken")).toString().toUtf8() : QByteArray();
}

QByteArray HttpClient::registerAndLogin(const QString &email, const QString &password, const QString &name)
{
    post(QStringLiteral("/users"), {{QStringLiteral("email"), email},
                                   {QStringLiteral("password"), password},
                                   {QStringLiteral("name"), name}});
    return login(email, password);
}

double HttpClient::metric(const QByteArray &name)
{
    for (const QByteArray &line : get(QStringLiteral("/metrics")).body.split('\n')) {
        if (line.startsWith(name + ' '))
            return line.mid(name.size() + 1).toDouble();
    }
    return -1;
}
