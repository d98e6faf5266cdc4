#include "commitlossproxy.h"

#include <QHostAddress>
#include <QMetaObject>
#include <QSet>
#include <QTcpServer>
#include <QTcpSocket>
#include <QtEndian>

namespace {

constexpr quint32 SslRequestCode = 80877103;
constexpr quint32 GssEncRequestCode = 80877104;

} // namespace

// One client connection and its upstream connection to PostgreSQL.
class CommitLossRelay : public QObject
{
public:
    CommitLossRelay(CommitLossProxy &proxy, QTcpSocket *client)
        : m_proxy(proxy)
        , m_client(client)
        , m_upstream(new QTcpSocket(this))
    {
        client->setParent(this);
        connect(m_upstream, &QTcpSocket::connected, this, [this] { pump(); });
        connect(m_client, &QTcpSocket::readyRead, this, [this] { pump(); });
        connect(m_upstream, &QTcpSocket::readyRead, this, [this] {
            const QByteArray answer = m_upstream->readAll();
            if (!m_losing)
                m_client->write(answer);
        });
        connect(m_client, &QTcpSocket::disconnected, this, [this] {
            if (!m_losing)
                finish();
        });
        connect(m_upstream, &QTcpSocket::disconnected, this, [this] { finish(); });
        connect(m_upstream, &QTcpSocket::errorOccurred, this, [this] { finish(); });
        m_upstream->connectToHost(QHostAddress::LocalHost, m_proxy.m_postgresPort);
    }

private:
    // Parses what the client sent into whole messages and forwards them.
    void pump()
    {
        if (m_losing || m_upstream->state() != QAbstractSocket::ConnectedState)
            return; // held until connected
        m_pending += m_client->readAll();
        qsizetype at = 0;
        for (;;) {
            const qsizetype header = m_startupDone ? 5 : 4;
            if (m_pending.size() - at < header)
                break;
            const char type = m_startupDone ? m_pending.at(at) : '\0';
            const quint32 length = qFromBigEndian<quint32>(m_pending.constData() + at + (m_startupDone ? 1 : 0));
            const qsizetype whole = (m_startupDone ? 1 : 0) + qsizetype(length);
            if (m_pending.size() - at < whole)
                break;
            const QByteArray body = m_pending.mid(at + header, whole - header);
            const qsizetype end = at + whole;
            if (!m_startupDone) {
                const quint32 code = body.size() >= 4 ? qFromBigEndian<quint32>(body.constData()) : 0;
                m_startupDone = code != SslRequestCode && code != GssEncRequestCode; // the startup message itself
            } else if (type == 'Q' || type == 'P') {
                if (carriesMarker(body))
                    m_marked = true;
                const bool commit = type == 'Q' && body.trimmed().toUpper().startsWith("COMMIT");
                const bool rollback = type == 'Q' && body.trimmed().toUpper().startsWith("ROLLBACK");
                if (commit && m_marked && m_proxy.takeArmed()) {
                    m_upstream->write(m_pending.constData(), end);
                    loseTheAnswer();
                    return;
                }
                if (commit || rollback)
                    m_marked = false;
            }
            at = end;
        }
        if (at > 0) {
            m_upstream->write(m_pending.constData(), at);
            m_pending.remove(0, at);
        }
    }

    // True when a statement runs the marked SQL: its text holds the marker, or it executes
    // a statement prepared from such a text. Qt's PostgreSQL driver sends "PREPARE name AS
    // sql" once per statement it keeps, then "EXECUTE name (values)" for every run.
    bool carriesMarker(const QByteArray &body)
    {
        const QByteArray text = body.trimmed();
        const auto nameAfter = [&text](qsizetype from) {
            qsizetype end = from;
            while (end < text.size() && text.at(end) != ' ' && text.at(end) != '(' && text.at(end) != '\0')
                ++end;
            return text.mid(from, end - from);
        };
        if (text.startsWith("EXECUTE "))
            return m_markedStatements.contains(nameAfter(8));
        if (text.startsWith("DEALLOCATE "))
            m_markedStatements.remove(nameAfter(11));
        if (!text.contains(m_proxy.m_marker))
            return false;
        if (text.startsWith("PREPARE "))
            m_markedStatements.insert(nameAfter(8));
        return true;
    }

    // The COMMIT is on its way to PostgreSQL: let it arrive (then FIN, so PostgreSQL reads
    // it and commits), and break the client's side at once, before any answer.
    void loseTheAnswer()
    {
        m_losing = true;
        m_proxy.m_lost.fetch_add(1);
        m_client->abort();
        m_upstream->disconnectFromHost(); // writes what is buffered first
    }

    void finish()
    {
        if (m_finished)
            return;
        m_finished = true;
        m_client->abort();
        if (m_upstream->state() != QAbstractSocket::UnconnectedState) {
            // PostgreSQL closes its side once it has read everything; the relay goes then.
            connect(m_upstream, &QTcpSocket::disconnected, this, &QObject::deleteLater);
            m_upstream->disconnectFromHost();
            if (m_upstream->state() != QAbstractSocket::UnconnectedState)
                return;
        }
        deleteLater();
    }

    CommitLossProxy &m_proxy;
    QTcpSocket *m_client;
    QTcpSocket *m_upstream;
    QByteArray m_pending;
    bool m_startupDone = false;
    bool m_marked = false; // the current transaction contains the marker
    QSet<QByteArray> m_markedStatements; // prepared statements whose SQL holds the marker
    bool m_losing = false; // the answer to a COMMIT is being lost
    bool m_finished = false;
};

CommitLossProxy::CommitLossProxy(quint16 postgresPort, QByteArray marker)
    : m_postgresPort(postgresPort)
    , m_marker(std::move(marker))
{
}

CommitLossProxy::~CommitLossProxy()
{
    if (!m_thread.isRunning())
        return;
    // The relays and their sockets end on their own thread.
    QMetaObject::invokeMethod(m_context.get(), [this] { qDeleteAll(m_context->children()); }, Qt::BlockingQueuedConnection);
    m_thread.quit();
    m_thread.wait();
}

bool CommitLossProxy::takeArmed()
{
    int armed = m_armed.load();
    while (armed > 0) {
        if (m_armed.compare_exchange_weak(armed, armed - 1))
            return true;
    }
    return false;
}

bool CommitLossProxy::start(QString *error)
{
    m_context = std::make_unique<QObject>();
    m_context->moveToThread(&m_thread);
    m_thread.setObjectName(QStringLiteral("commitlossproxy"));
    m_thread.start();
    bool ok = false;
    QMetaObject::invokeMethod(
        m_context.get(),
        [this, &ok, error] {
            auto *listener = new QTcpServer(m_context.get());
            QObject::connect(listener, &QTcpServer::newConnection, listener, [this, listener] {
                while (QTcpSocket *client = listener->nextPendingConnection())
                    (new CommitLossRelay(*this, client))->setParent(listener);
            });
            ok = listener->listen(QHostAddress::LocalHost, 0);
            if (ok)
                m_port = listener->serverPort();
            else
                *error = listener->errorString();
        },
        Qt::BlockingQueuedConnection);
    return ok;
}
