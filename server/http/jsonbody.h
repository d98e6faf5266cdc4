#pragma once

#include "httpresponse.h"

#include <QDateTime>
#include <QJsonObject>

#include <optional>

struct HttpRequest;

// Reads a JSON object body and its fields, collecting one message per bad field so the
// caller can answer every problem at once (422 with {errors: {field: message}}).
class JsonBody
{
public:
    // Fails with a 400 problem when the body is not a JSON object.
    static std::optional<JsonBody> parse(const HttpRequest &request, HttpResponse *problem);

    QString requiredString(const QString &field, int maxLength = 1000);
    QString optionalString(const QString &field, const QString &fallback = {}, int maxLength = 1000);
    qint64 requiredInteger(const QString &field, qint64 min, qint64 max);
    qint64 optionalInteger(const QString &field, qint64 fallback, qint64 min, qint64 max);
    // A decimal amount of money, returned in cents.
    qint64 requiredMoneyCents(const QString &field, qint64 maxCents = 100000000000LL);
    QDateTime requiredTime(const QString &field); // ISO 8601 with an offset or Z
    bool optionalBool(const QString &field, bool fallback);

    void addError(const QString &field, const QString &message);
    bool hasErrors() const { return !m_errors.isEmpty(); }
    const QJsonObject &errors() const { return m_errors; }
    HttpResponse problem() const;
    const QJsonObject &object() const { return m_object; }

private:
    explicit JsonBody(QJsonObject object) : m_object(std::move(object)) {}
    QJsonObject m_object;
    QJsonObject m_errors;
};
