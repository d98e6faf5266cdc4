#pragma once

#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QUrl>
#include <QWebSocket>

// A shopper's (or admin's) live channel: a real WebSocket to ws://HOST/notifications,
// authenticated by access token, collecting every message it receives.
class PushListener
{
public:
    PushListener(const QUrl &base, const QByteArray &token)
    {
        QUrl url = base;
        url.setScheme(QStringLiteral("ws"));
        url.setPath(QStringLiteral("/notifications"));
        if (!token.isEmpty())
            url.setQuery(QStringLiteral("access_token=") + QString::fromLatin1(token));
        QObject::connect(&socket, &QWebSocket::textMessageReceived, [this](const QString &text) {
            messages.append(QJsonDocument::fromJson(text.toUtf8()).object());
        });
        QObject::connect(&socket, &QWebSocket::disconnected, [this] { closed = true; });
        socket.open(url);
    }
    bool has(const QString &type, const QString &orderId = {}) const
    {
        for (const QJsonObject &m : messages) {
            if (m.value(QStringLiteral("type")).toString() == type
                && (orderId.isEmpty() || m.value(QStringLiteral("orderId")).toString() == orderId))
                return true;
        }
        return false;
    }
    QWebSocket socket;
    QList<QJsonObject> messages;
    bool closed = false;
};
