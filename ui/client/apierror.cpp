#include "apierror.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

namespace {

QString fieldMessage(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isArray()) { // some servers send a list of messages per field
        QStringList parts;
        for (const QJsonValue &v : value.toArray())
            parts.append(v.toString());
        parts.removeAll(QString());
        return parts.join(QStringLiteral(" "));
    }
    return {};
}

} // namespace

namespace Api {

QString Error::message() const
{
    if (!detail.isEmpty())
        return detail;
    if (!title.isEmpty())
        return title;
    switch (kind) {
    case Kind::None:
        return {};
    case Kind::Network:
        return QCoreApplication::translate("ApiError", "The server did not answer.");
    case Kind::InvalidResponse:
        return QCoreApplication::translate("ApiError", "The server sent an answer the console does not understand.");
    case Kind::Http:
        break;
    }
    return QCoreApplication::translate("ApiError", "The server answered with status %1.").arg(status);
}

Error Error::network(const QString &reason)
{
    Error e;
    e.kind = Kind::Network;
    e.detail = reason;
    return e;
}

Error Error::invalidResponse(const QString &reason)
{
    Error e;
    e.kind = Kind::InvalidResponse;
    e.detail = reason;
    return e;
}

Error Error::fromHttp(int status, const QByteArray &body)
{
    Error e;
    e.kind = Kind::Http;
    e.status = status;
    const QJsonObject problem = QJsonDocument::fromJson(body).object();
    e.type = problem.value(QStringLiteral("type")).toString();
    e.title = problem.value(QStringLiteral("title")).toString();
    e.detail = problem.value(QStringLiteral("detail")).toString();
    const QJsonObject errors = problem.value(QStringLiteral("errors")).toObject();
    for (auto it = errors.constBegin(); it != errors.constEnd(); ++it) {
        const QString message = fieldMessage(it.value());
        if (!message.isEmpty())
            e.fieldErrors.insert(it.key(), message);
    }
    return e;
}

} // namespace Api
