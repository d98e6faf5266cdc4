// WebSocket messages of the push channel (server/notifications/pushsignin.cpp): how a
// client signs in, by its first text message {"accessToken": "..."} or by the URL's
// ?access_token=, or renews its session ({"type": "renew", "accessToken": "..."}), and
// the token then verified as PushSession verifies it (JwtCodec with a fixed key). The
// first byte picks the message (even) or the URL query (odd).
#include "accounts/jwt.h"
#include "fuzzcheck.h"
#include "notifications/pushsignin.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>

#include <cstdint>

namespace {

constexpr qint64 now = 1796126400; // 2026-12-01T12:00:00Z

const JwtCodec &codec()
{
    static const JwtCodec c(QByteArray(32, 'k'), QStringLiteral("flashsale-fuzz"));
    return c;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const QByteArray rest(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    QByteArray token;
    if (data[0] % 2 == 0) {
        // QtWebSockets hands over text messages as UTF-8 decoded into a QString.
        const PushSignIn::Message message = PushSignIn::readMessage(QString::fromUtf8(rest));
        // Only a message that says so renews: a JSON object whose type decodes to "renew"
        // (escapes included: {"type":"rene\\w"} is one to Qt's parser).
        FUZZ_CHECK(!message.renew
                   || QJsonDocument::fromJson(QString::fromUtf8(rest).toUtf8()).object().value(QStringLiteral("type")).toString() == QLatin1String("renew"));
        token = message.accessToken;
    } else {
        token = PushSignIn::tokenFromUrl(QUrl(QStringLiteral("ws://127.0.0.1:8080/notifications?") + QString::fromUtf8(rest)));
    }
    if (token.isEmpty())
        return 0;
    AccessClaims claims;
    const JwtCodec::Failure failure = codec().verify(token, now, &claims);
    FUZZ_CHECK(failure != JwtCodec::Failure::None || !claims.subject.isEmpty());
    return 0;
}
