#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

// What a push client sends: its access token in the WebSocket URL (?access_token=...),
// or in a text message, {"accessToken": "..."} to sign in, {"type": "renew",
// "accessToken": "..."} to renew a session before its token expires. Anything else reads
// as no token and no renewal.
namespace PushSignIn {

struct Message
{
    QByteArray accessToken; // empty when there is none
    bool renew = false;     // "type": "renew"
};

QByteArray tokenFromUrl(const QUrl &requestUrl);
Message readMessage(const QString &text);

} // namespace PushSignIn
