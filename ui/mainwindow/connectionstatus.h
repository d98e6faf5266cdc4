#pragma once

#include <QWidget>

class Poller;
class QLabel;
class ServerClient;

// The status bar's account of the connection: which server the console talks to, whether
// it answers GET /health/ready (asked every two seconds), and who is signed in.
class ConnectionStatus : public QWidget
{
    Q_OBJECT

public:
    explicit ConnectionStatus(ServerClient *client, QWidget *parent = nullptr);

    // Says how the server runs: "embedded", "remote".
    void setServerNote(const QString &note);
    bool isReachable() const { return m_reachable; }

    QString serverText() const;
    QString reachabilityText() const;
    QString userText() const;

Q_SIGNALS:
    void reachabilityChanged(bool reachable);

private:
    void showServer();
    void showUser();
    void showReachability(bool reachable, const QString &why);

    ServerClient *m_client;
    QLabel *m_server;
    QLabel *m_reachability;
    QLabel *m_user;
    Poller *m_poller;
    QString m_note;
    bool m_reachable = false;
};
