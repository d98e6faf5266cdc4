#include "connectionstatus.h"

#include "client/poller.h"
#include "client/serverclient.h"
#include "widgets/statecolors.h"

#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>

using namespace std::chrono_literals;

namespace {

void setTextColor(QLabel *label, const QColor &color)
{
    QPalette p = label->palette();
    p.setColor(QPalette::WindowText, color);
    label->setPalette(p);
}
} // namespace

ConnectionStatus::ConnectionStatus(ServerClient *client, QWidget *parent)
    : QWidget(parent)
    , m_client(client)
    , m_server(new QLabel(this))
    , m_reachability(new QLabel(this))
    , m_user(new QLabel(this))
{
    m_server->setObjectName(QStringLiteral("serverStatus"));
    m_reachability->setObjectName(QStringLiteral("reachabilityStatus"));
    m_user->setObjectName(QStringLiteral("userStatus"));
    m_server->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(16);
    const auto separator = [this] {
        auto *line = new QFrame(this);
        line->setFrameShape(QFrame::VLine);
        line->setFrameShadow(QFrame::Sunken);
        return line;
    };
    layout->addWidget(m_server);
    layout->addWidget(separator());
    layout->addWidget(m_reachability);
    layout->addWidget(separator());
    layout->addWidget(m_user);
    layout->addStretch();

    m_poller = new Poller(2s, [this] {
        m_client->checkHealth(this, [this](const Api::Result<Api::Health> &result) {
            m_poller->finished();
            showReachability(result.ok(), result.ok() ? QString() : result.error().message());
        });
    }, this);

    connect(m_client, &ServerClient::baseUrlChanged, this, [this] {
        showServer();
        m_reachability->setText(tr("Checking…"));
        m_poller->pollNow();
    });
    connect(m_client, &ServerClient::sessionChanged, this, &ConnectionStatus::showUser);

    showServer();
    showUser();
    m_reachability->setText(tr("Checking…"));
    m_reachability->setAccessibleName(m_reachability->text());
    m_poller->start();
}

void ConnectionStatus::setServerNote(const QString &note)
{
    m_note = note;
    showServer();
}

QString ConnectionStatus::serverText() const
{
    return m_server->text();
}

QString ConnectionStatus::reachabilityText() const
{
    return m_reachability->text();
}

QString ConnectionStatus::userText() const
{
    return m_user->text();
}

void ConnectionStatus::showServer()
{
    const QString url = m_client->baseUrl().toString();
    m_server->setText(m_note.isEmpty() ? tr("Server: %1").arg(url) : tr("Server: %1 (%2)").arg(url, m_note));
    m_server->setAccessibleName(m_server->text());
}

void ConnectionStatus::showUser()
{
    m_user->setText(m_client->isLoggedIn() ? tr("Signed in as %1").arg(m_client->userEmail()) : tr("Not signed in"));
    m_user->setAccessibleName(m_user->text());
}

void ConnectionStatus::showReachability(bool reachable, const QString &why)
{
    m_reachability->setText(reachable ? tr("● Reachable") : tr("● Unreachable"));
    m_reachability->setToolTip(why);
    m_reachability->setAccessibleName(reachable ? tr("Server reachable") : tr("Server unreachable: %1").arg(why));
    setTextColor(m_reachability, reachable ? StateColors::running() : StateColors::failing());
    if (reachable != m_reachable) {
        m_reachable = reachable;
        Q_EMIT reachabilityChanged(reachable);
    }
}
