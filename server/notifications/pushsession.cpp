#include "pushsession.h"

#include "core/timeutil.h"
#include "http/principal.h"
#include "pushhub.h"
#include "pushsignin.h"
#include "telemetry/logger.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QThread>
#include <QWebSocket>

PushSession::PushSession(std::unique_ptr<QWebSocket> socket, PushHub &hub, const Authenticator *authenticator)
    : m_socket(socket.release())
    , m_hub(hub)
    , m_authenticator(authenticator)
{
    m_socket->setParent(this);
    connect(m_socket, &QWebSocket::disconnected, this, &QObject::deleteLater);
    // The HTTP thread may end (server stopping) before the socket disconnects.
    connect(QThread::currentThread(), &QThread::finished, this, [this] { delete this; }, Qt::DirectConnection);
    m_authTimeout.setSingleShot(true);
    connect(&m_authTimeout, &QTimer::timeout, this, [this] { refuse(QStringLiteral("no access token")); });
    m_expiry.setSingleShot(true);
    m_expiry.setTimerType(Qt::PreciseTimer);
    connect(&m_expiry, &QTimer::timeout, this, [this] {
        Log::debug(QStringLiteral("push.expired"), {{QStringLiteral("userId"), m_userId}});
        m_socket->close(QWebSocketProtocol::CloseCode(ExpiredCloseCode), QStringLiteral("access token expired"));
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        const PushSignIn::Message message = PushSignIn::readMessage(text);
        if (!m_registered)
            authenticate(message.accessToken);
        else if (message.renew)
            renew(message.accessToken);
        // anything else from a signed-in client is ignored: shoppers only listen
    });

    const QByteArray fromUrl = PushSignIn::tokenFromUrl(m_socket->requestUrl());
    if (!fromUrl.isEmpty()) {
        authenticate(fromUrl);
        return;
    }
    m_authTimeout.start(5000);
}

PushSession::~PushSession()
{
    m_hub.remove(this);
}

void PushSession::authenticate(const QByteArray &token)
{
    m_authTimeout.stop();
    Principal principal;
    QString reason = QStringLiteral("no authenticator");
    if (token.isEmpty() || !m_authenticator || !m_authenticator->verify(token, &principal, &reason)) {
        refuse(token.isEmpty() ? QStringLiteral("no access token") : reason);
        return;
    }
    m_hub.add(this, principal.userId, principal.isAdmin());
    m_registered = true;
    m_userId = principal.userId;
    expireAt(principal.expiresAt);
    deliver(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("welcome")},
                                      {QStringLiteral("userId"), principal.userId},
                                      {QStringLiteral("role"), principal.role},
                                      {QStringLiteral("expiresAt"), isoUtc(principal.expiresAt * 1000)}})
                .toJson(QJsonDocument::Compact));
}

void PushSession::renew(const QByteArray &token)
{
    Principal principal;
    QString reason = QStringLiteral("no authenticator");
    if (token.isEmpty() || !m_authenticator || !m_authenticator->verify(token, &principal, &reason)) {
        refuse(token.isEmpty() ? QStringLiteral("no access token") : reason);
        return;
    }
    if (principal.userId != m_userId) {
        refuse(QStringLiteral("the token is another account's"));
        return;
    }
    expireAt(principal.expiresAt);
    deliver(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("renewed")},
                                      {QStringLiteral("expiresAt"), isoUtc(principal.expiresAt * 1000)}})
                .toJson(QJsonDocument::Compact));
}

void PushSession::expireAt(qint64 expiresAtSeconds)
{
    // A token without an expiry (none is issued) would keep the session for a day at most.
    const qint64 left = expiresAtSeconds > 0 ? expiresAtSeconds * 1000 - nowMs() : 24LL * 3600 * 1000;
    m_expiry.start(int(qBound<qint64>(0, left, 24LL * 3600 * 1000)));
}

void PushSession::refuse(const QString &reason)
{
    m_expiry.stop();
    Log::debug(QStringLiteral("push.refused"), {{QStringLiteral("reason"), reason}});
    m_socket->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
}

void PushSession::deliver(const QByteArray &message)
{
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(QString::fromUtf8(message));
}
