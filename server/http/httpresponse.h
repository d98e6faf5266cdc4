#pragma once

#include <QByteArray>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>

// An answer ready to be written: status, headers and body. Errors are RFC 9457
// problem details (application/problem+json).
struct HttpResponse
{
    int status = 200;
    QByteArray contentType = "application/json";
    QByteArray body;
    QList<QPair<QByteArray, QByteArray>> headers;

    static HttpResponse json(const QJsonObject &object, int status = 200);
    static HttpResponse json(const QJsonArray &array, int status = 200);
    static HttpResponse text(const QByteArray &text, const QByteArray &contentType, int status = 200);
    static HttpResponse empty(int status);
    // `type` is a short slug such as "sold-out"; it becomes /problems/sold-out.
    static HttpResponse problem(int status, const QString &type, const QString &title,
                                const QString &detail = {}, const QJsonObject &extra = {});

    // The name and value are taken, and on a temporary the chain yields the temporary
    // itself, so `send(HttpResponse::json(..).withHeader("Location", ..))` moves every byte
    // into the responder: the thread that built the answer (a journal's) keeps no share of
    // it once the HTTP thread has it, and the last owner frees it where it was written.
    HttpResponse &withHeader(QByteArray name, QByteArray value) &;
    HttpResponse &&withHeader(QByteArray name, QByteArray value) &&;
    QByteArray headerValue(const QByteArray &name) const;
};

// Common problems, so every module says them the same way.
namespace Problem {
HttpResponse badRequest(const QString &detail, const QJsonObject &extra = {});
HttpResponse validation(const QJsonObject &fieldErrors); // 422 with {errors: {field: message}}
HttpResponse notFound(const QString &detail = {});
HttpResponse unauthorized(const QString &detail);
HttpResponse forbidden(const QString &detail);
HttpResponse conflict(const QString &type, const QString &title, const QString &detail);
HttpResponse unavailable(const QString &detail);
HttpResponse tooManyRequests(const QString &detail, int retryAfterSeconds);
// A refusal given thousands of times a second in the same words (sold out, limit
// reached, not admitted): built by `make` the first time this thread needs `key`, then
// copied (the body is shared, not rebuilt). The key must name everything the answer
// says. At most a few hundred answers are kept per thread.
HttpResponse remembered(const QString &key, const std::function<HttpResponse()> &make);
} // namespace Problem
