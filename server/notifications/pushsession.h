#pragma once

#include <QObject>
#include <QTimer>

#include <memory>

class Authenticator;
class PushHub;
class QWebSocket;

// One shopper's (or admin's) live connection, on the HTTP thread that accepted it.
// Authenticated by the access token, from the URL (?access_token=...) or as the first
// message ({"accessToken": "..."}); until then it receives nothing, and it is closed if
// no valid token arrives within 5 s. It lives no longer than its token: at the token's
// expiry it is closed with 4001 "access token expired", unless the client has renewed
// it by sending {"type": "renew", "accessToken": "<a fresh token of the same account>"}
// (answered {"type": "renewed", "expiresAt": ...}); a renewal that is not valid, or is
// another account's, closes it with 1008. Deletes itself when the socket disconnects or
// the thread ends.
class PushSession : public QObject
{
    Q_OBJECT

public:
    PushSession(std::unique_ptr<QWebSocket> socket, PushHub &hub, const Authenticator *authenticator);
    ~PushSession() override;

    // On the session's thread (PushHub queues it there).
    void deliver(const QByteArray &message);

    static constexpr int ExpiredCloseCode = 4001;

private:
    void authenticate(const QByteArray &token);
    void renew(const QByteArray &token);
    void refuse(const QString &reason);
    void expireAt(qint64 expiresAtSeconds);

    QWebSocket *m_socket; // child of this
    PushHub &m_hub;
    const Authenticator *m_authenticator;
    QTimer m_authTimeout;
    QTimer m_expiry;
    qint64 m_userId = 0;
    bool m_registered = false;
};
