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
// no valid token arrives within 5 s. Deletes itself when the socket disconnects or the
// thread ends.
class PushSession : public QObject
{
    Q_OBJECT

public:
    PushSession(std::unique_ptr<QWebSocket> socket, PushHub &hub, const Authenticator *authenticator);
    ~PushSession() override;

    // On the session's thread (PushHub queues it there).
    void deliver(const QByteArray &message);

private:
    void authenticate(const QByteArray &token);
    void refuse(const QString &reason);

    QWebSocket *m_socket; // child of this
    PushHub &m_hub;
    const Authenticator *m_authenticator;
    QTimer m_authTimeout;
    bool m_registered = false;
};
