#include "pushsession.h"

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

    const QByteArray fromUrl = PushSignIn::tokenFromUrl(m_socket->requestUrl());
    if (!fromUrl.isEmpty()) {
        authenticate(fromUrl);
        return;
    }
    connect(m_socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
        if (m_registered)
            return; // shoppers only listen
        authenticate(PushSignIn::tokenFromMessage(text));
    });
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
    deliver(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("welcome")},
                                      {QStringLiteral("userId"), principal.userId},
                                      {QStringLiteral("role"), principal.role}}).toJson(QJsonDocument::Compact));
}

void PushSession::refuse(const QString &reason)
{
    Log::debug(QStringLiteral("push.refused"), {{QStringLiteral("reason"), reason}});
    m_socket->close(QWebSocketProtocol::CloseCodePolicyViolated, reason);
}

void PushSession::deliver(const QByteArray &message)
{
    if (m_socket->state() == QAbstractSocket::ConnectedState)
        m_socket->sendTextMessage(QString::fromUtf8(message));
}
