#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

// How a push client signs in: the access token from the WebSocket URL
// (?access_token=...) or from its first text message ({"accessToken": "..."}). Anything
// else reads as no token (the session is then refused).
namespace PushSignIn {

QByteArray tokenFromUrl(const QUrl &requestUrl);
QByteArray tokenFromMessage(const QString &text);

} // namespace PushSignIn
