#pragma once

#include "principal.h"
#include "telemetry/tracecontext.h"

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QUrlQuery>

#include <optional>

// A request as the connection's RequestFramer read it, so that it can travel to worker
// threads and be answered later. Header names are lower case.
struct HttpRequest
{
    QByteArray method;
    QString path;
    QStringList segments;
    QUrlQuery query;
    QHash<QByteArray, QByteArray> headers;
    QByteArray body;
    QHostAddress remoteAddress;
    QByteArray requestId;
    TraceContext trace;
    QHash<QString, QString> params; // captured {name} segments of the route
    std::optional<Principal> principal;
    qint64 receivedAtNs = 0;        // steady clock

    QByteArray header(const QByteArray &lowerCaseName) const { return headers.value(lowerCaseName); }
    QString param(const QString &name) const { return params.value(name); }
};
