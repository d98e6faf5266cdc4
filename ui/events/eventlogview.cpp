#include "eventlogview.h"

#include "client/jsonfields.h"
#include "client/serverclient.h"

#include <QHeaderView>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QTreeWidget>
#include <QVBoxLayout>

using namespace std::chrono_literals;

namespace {
constexpr int maxEvents = 5000;

// "orderId=…, userId=7, status=Confirmed": the event's fields but its envelope.
QString details(const QJsonObject &event)
{
    QStringList parts;
    for (auto it = event.begin(); it != event.end(); ++it) {
        if (it.key() == QLatin1String("type") || it.key() == QLatin1String("at") || it.key() == QLatin1String("eventId"))
            continue;
        const QJsonValue v = it.value();
        const QString text = v.isDouble() ? QString::number(v.toDouble(), 'g', 12)
                           : v.isBool()   ? (v.toBool() ? QStringLiteral("true") : QStringLiteral("false"))
                           : v.isString() ? v.toString()
                                          : QString::fromUtf8(QJsonDocument(v.toObject()).toJson(QJsonDocument::Compact));
        parts.append(it.key() + QLatin1Char('=') + text);
    }
    return parts.join(QStringLiteral(", "));
}
} // namespace

EventLogView::EventLogView(ServerClient *client, qint64 saleId, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_saleId(saleId)
    , m_connection(new QLabel(this))
    , m_log(new QTreeWidget(this))
{
    m_connection->setAccessibleName(tr("Live event feed connection"));
    m_log->setObjectName(QStringLiteral("eventLog"));
    m_log->setAccessibleName(tr("Domain events of the sale"));
    m_log->setRootIsDecorated(false);
    m_log->setUniformRowHeights(true);
    m_log->setAlternatingRowColors(true);
    m_log->setHeaderLabels({tr("Time"), tr("Event"), tr("Details")});
    m_log->header()->setSectionResizeMode(0, QHeaderView::ResizeToContents);
    m_log->header()->setSectionResizeMode(1, QHeaderView::ResizeToContents);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_connection);
    layout->addWidget(m_log, 1);

    m_reconnect.setSingleShot(true);
    m_reconnect.setInterval(3s);
    connect(&m_reconnect, &QTimer::timeout, this, &EventLogView::connectToServer);
    connect(&m_socket, &QWebSocket::connected, this, [this] { setConnectionText(tr("Live: receiving the sale's events.")); });
    connect(&m_socket, &QWebSocket::disconnected, this, [this] {
        setConnectionText(tr("Not connected to the live feed; retrying…"));
        m_reconnect.start();
    });
    connect(&m_socket, &QWebSocket::textMessageReceived, this, &EventLogView::received);
    connect(m_client, &ServerClient::sessionChanged, this, [this] { m_socket.close(); });
    // The server ends the feed when its access token expires: each refreshed one renews it.
    connect(m_client, &ServerClient::accessTokenRenewed, this, [this](const QByteArray &token) {
        if (m_socket.state() == QAbstractSocket::ConnectedState)
            m_socket.sendTextMessage(QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("type"), QStringLiteral("renew")},
                                                                                 {QStringLiteral("accessToken"), QString::fromLatin1(token)}})
                                                           .toJson(QJsonDocument::Compact)));
    });
    setConnectionText(tr("Connecting to the live feed…"));
    connectToServer();
}

EventLogView::~EventLogView()
{
    m_socket.disconnect(this); // closing must not schedule a reconnect on a timer already gone
    m_socket.abort();
}

void EventLogView::connectToServer()
{
    if (!m_client->isLoggedIn()) {
        setConnectionText(tr("Sign in as an administrator to see the live events."));
        m_reconnect.start();
        return;
    }
    m_socket.open(m_client->notificationsUrl());
}

int EventLogView::eventCount() const
{
    return m_log->topLevelItemCount();
}

void EventLogView::setConnectionText(const QString &text)
{
    m_connection->setText(text);
    m_connection->setAccessibleDescription(text);
}

void EventLogView::received(const QString &text)
{
    const QJsonObject event = QJsonDocument::fromJson(text.toUtf8()).object();
    if (Api::JsonFields::integer(event, QStringLiteral("saleId")) != m_saleId)
        return; // another sale's, or the welcome
    const QDateTime at = Api::JsonFields::dateTime(event, QStringLiteral("at"));
    auto *item = new QTreeWidgetItem({QLocale().toString((at.isValid() ? at : QDateTime::currentDateTimeUtc()).toLocalTime().time(), QStringLiteral("HH:mm:ss.zzz")),
                                      event.value(QStringLiteral("type")).toString(), details(event)});
    m_log->insertTopLevelItem(0, item); // newest first
    while (m_log->topLevelItemCount() > maxEvents)
        delete m_log->takeTopLevelItem(m_log->topLevelItemCount() - 1);
    Q_EMIT eventReceived(event);
}
