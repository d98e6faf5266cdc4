#include "jsonbody.h"

#include "httprequest.h"

#include <QJsonDocument>
#include <QJsonParseError>

#include <cmath>

std::optional<JsonBody> JsonBody::parse(const HttpRequest &request, HttpResponse *problem)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError) {
        *problem = Problem::badRequest(QStringLiteral("The body is not valid JSON: %1 at offset %2.")
                                           .arg(error.errorString()).arg(error.offset));
        return std::nullopt;
    }
    if (!doc.isObject()) {
        *problem = Problem::badRequest(QStringLiteral("The body must be a JSON object."));
        return std::nullopt;
    }
    return JsonBody(doc.object());
}

void JsonBody::addError(const QString &field, const QString &message)
{
    if (!m_errors.contains(field))
        m_errors.insert(field, message);
}

HttpResponse JsonBody::problem() const
{
    return Problem::validation(m_errors);
}

QString JsonBody::requiredString(const QString &field, int maxLength)
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull()) {
        addError(field, QStringLiteral("is required"));
        return {};
    }
    if (!v.isString()) {
        addError(field, QStringLiteral("must be a string"));
        return {};
    }
    const QString s = v.toString().trimmed();
    if (s.isEmpty())
        addError(field, QStringLiteral("must not be empty"));
    else if (s.size() > maxLength)
        addError(field, QStringLiteral("must be at most %1 characters").arg(maxLength));
    return s;
}

QString JsonBody::optionalString(const QString &field, const QString &fallback, int maxLength)
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return fallback.isNull() ? QString::fromLatin1("") : fallback; // never NULL in SQL
    if (!v.isString()) {
        addError(field, QStringLiteral("must be a string"));
        return fallback;
    }
    if (v.toString().size() > maxLength) {
        addError(field, QStringLiteral("must be at most %1 characters").arg(maxLength));
        return fallback;
    }
    return v.toString().trimmed();
}

qint64 JsonBody::requiredInteger(const QString &field, qint64 min, qint64 max)
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull()) {
        addError(field, QStringLiteral("is required"));
        return min;
    }
    const double d = v.toDouble(std::nan(""));
    if (!v.isDouble() || std::floor(d) != d || std::isnan(d)) {
        addError(field, QStringLiteral("must be a whole number"));
        return min;
    }
    if (d < double(min) || d > double(max)) {
        addError(field, QStringLiteral("must be between %1 and %2").arg(min).arg(max));
        return min;
    }
    return qint64(d);
}

qint64 JsonBody::optionalInteger(const QString &field, qint64 fallback, qint64 min, qint64 max)
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return fallback;
    return requiredInteger(field, min, max);
}

qint64 JsonBody::requiredMoneyCents(const QString &field, qint64 maxCents)
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull()) {
        addError(field, QStringLiteral("is required"));
        return 0;
    }
    if (!v.isDouble()) {
        addError(field, QStringLiteral("must be a number"));
        return 0;
    }
    const double amount = v.toDouble();
    const double cents = std::round(amount * 100.0);
    if (!(amount > 0) || cents > double(maxCents)) {
        addError(field, QStringLiteral("must be more than 0 and at most %1").arg(double(maxCents) / 100.0, 0, 'f', 2));
        return 0;
    }
    if (std::fabs(cents - amount * 100.0) > 1e-6) {
        addError(field, QStringLiteral("must have at most two decimals"));
        return 0;
    }
    return qint64(cents);
}

QDateTime JsonBody::requiredTime(const QString &field)
{
    const QString s = requiredString(field, 64);
    if (s.isEmpty())
        return {};
    QDateTime t = QDateTime::fromString(s, Qt::ISODateWithMs);
    if (!t.isValid() || t.timeSpec() == Qt::LocalTime) {
        addError(field, QStringLiteral("must be an ISO 8601 time with Z or an offset, e.g. 2026-12-01T10:00:00Z"));
        return {};
    }
    return t.toUTC();
}

bool JsonBody::optionalBool(const QString &field, bool fallback)
{
    const QJsonValue v = m_object.value(field);
    if (v.isUndefined() || v.isNull())
        return fallback;
    if (!v.isBool()) {
        addError(field, QStringLiteral("must be true or false"));
        return fallback;
    }
    return v.toBool();
}
