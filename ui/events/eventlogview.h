#pragma once

#include <QTimer>
#include <QWidget>
#include <QWebSocket>

class QLabel;
class QTreeWidget;
class ServerClient;

// The domain events of one sale as they happen, from the server's WebSocket push
// (admins receive every event). The socket lives on the GUI thread and reconnects a
// few seconds after it drops, with a fresh access token.
class EventLogView : public QWidget
{
    Q_OBJECT

public:
    EventLogView(ServerClient *client, qint64 saleId, QWidget *parent = nullptr);
    ~EventLogView() override;

    QTreeWidget *log() const { return m_log; }
    bool isConnected() const { return m_socket.state() == QAbstractSocket::ConnectedState; }
    // How many events of this sale have arrived.
    int eventCount() const;

    void connectToServer();

Q_SIGNALS:
    void eventReceived(const QJsonObject &event);

private:
    void received(const QString &text);
    void setConnectionText(const QString &text);

    ServerClient *m_client;
    qint64 m_saleId;
    QWebSocket m_socket;
    QTimer m_reconnect;
    QLabel *m_connection;
    QTreeWidget *m_log;
};
