#include "pushsignin.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace PushSignIn {

QByteArray tokenFromUrl(const QUrl &requestUrl)
{
    return QUrlQuery(requestUrl).queryItemValue(QStringLiteral("access_token")).toUtf8();
}

QByteArray tokenFromMessage(const QString &text)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    return o.value(QStringLiteral("accessToken")).toString().toUtf8();
}

} // namespace PushSignIn
