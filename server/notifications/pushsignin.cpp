#include "pushsignin.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QUrlQuery>

namespace PushSignIn {

QByteArray tokenFromUrl(const QUrl &requestUrl)
{
    return QUrlQuery(requestUrl).queryItemValue(QStringLiteral("access_token")).toUtf8();
}

Message readMessage(const QString &text)
{
    const QJsonObject o = QJsonDocument::fromJson(text.toUtf8()).object();
    Message m;
    m.accessToken = o.value(QStringLiteral("accessToken")).toString().toUtf8();
    m.renew = o.value(QStringLiteral("type")).toString() == QLatin1String("renew");
    return m;
}

} // namespace PushSignIn
