#include "httpresponse.h"

#include <QHash>
#include <QJsonDocument>

#include <utility>

HttpResponse HttpResponse::json(const QJsonObject &object, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(object).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse HttpResponse::json(const QJsonArray &array, int status)
{
    HttpResponse r;
    r.status = status;
    r.body = QJsonDocument(array).toJson(QJsonDocument::Compact);
    return r;
}

HttpResponse HttpResponse::text(const QByteArray &text, const QByteArray &contentType, int status)
{
    HttpResponse r;
    r.status = status;
    r.contentType = contentType;
    r.body = text;
    return r;
}

HttpResponse HttpResponse::empty(int status)
{
    HttpResponse r;
    r.status = status;
    r.contentType.clear();
    return r;
}

HttpResponse HttpResponse::problem(int status, const QString &type, const QString &title, const QString &detail,
                                   const QJsonObject &extra)
{
    QJsonObject body = extra;
    body.insert(QStringLiteral("type"), QStringLiteral("/problems/") + type);
    body.insert(QStringLiteral("title"), title);
    body.insert(QStringLiteral("status"), status);
    if (!detail.isEmpty())
        body.insert(QStringLiteral("detail"), detail);
    HttpResponse r = json(body, status);
    r.contentType = "application/problem+json";
    return r;
}

HttpResponse &HttpResponse::withHeader(QByteArray name, QByteArray value) &
{
    headers.append({std::move(name), std::move(value)});
    return *this;
}

HttpResponse &&HttpResponse::withHeader(QByteArray name, QByteArray value) &&
{
    headers.append({std::move(name), std::move(value)});
    return std::move(*this);
}

QByteArray HttpResponse::headerValue(const QByteArray &name) const
{
    for (const auto &h : headers) {
        if (h.first.compare(name, Qt::CaseInsensitive) == 0)
            return h.second;
    }
    return {};
}

namespace Problem {

HttpResponse badRequest(const QString &detail, const QJsonObject &extra)
{
    return HttpResponse::problem(400, QStringLiteral("bad-request"), QStringLiteral("Bad request"), detail, extra);
}

HttpResponse validation(const QJsonObject &fieldErrors)
{
    QStringList fields = fieldErrors.keys();
    return HttpResponse::problem(422, QStringLiteral("validation"), QStringLiteral("Invalid fields"),
                                 QStringLiteral("Check: ") + fields.join(QStringLiteral(", ")),
                                 {{QStringLiteral("errors"), fieldErrors}});
}

HttpResponse notFound(const QString &detail)
{
    return HttpResponse::problem(404, QStringLiteral("not-found"), QStringLiteral("Not found"), detail);
}

HttpResponse unauthorized(const QString &detail)
{
    return HttpResponse::problem(401, QStringLiteral("unauthorized"), QStringLiteral("Authentication required"), detail)
        .withHeader("WWW-Authenticate", "Bearer");
}

HttpResponse forbidden(const QString &detail)
{
    return HttpResponse::problem(403, QStringLiteral("forbidden"), QStringLiteral("Forbidden"), detail);
}

HttpResponse conflict(const QString &type, const QString &title, const QString &detail)
{
    return HttpResponse::problem(409, type, title, detail);
}

HttpResponse unavailable(const QString &detail)
{
    return HttpResponse::problem(503, QStringLiteral("unavailable"), QStringLiteral("Service unavailable"), detail)
        .withHeader("Retry-After", "1");
}

HttpResponse tooManyRequests(const QString &detail, int retryAfterSeconds)
{
    return HttpResponse::problem(429, QStringLiteral("rate-limited"), QStringLiteral("Too many requests"), detail,
                                 {{QStringLiteral("retryAfterSeconds"), retryAfterSeconds}})
        .withHeader("Retry-After", QByteArray::number(qMax(1, retryAfterSeconds)));
}

HttpResponse remembered(const QString &key, const std::function<HttpResponse()> &make)
{
    constexpr qsizetype capacity = 512;
    thread_local QHash<QString, HttpResponse> answers;
    const auto it = answers.constFind(key);
    if (it != answers.constEnd())
        return *it;
    if (answers.size() >= capacity)
        answers.clear();
    return *answers.insert(key, make());
}

} // namespace Problem
