#include "concurrentclient.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonDocument>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>

#include <memory>

#include <sys/resource.h>

QJsonObject RawResponse::json() const
{
    return QJsonDocument::fromJson(body).object();
}

ConcurrentClient::ConcurrentClient(QHostAddress address, quint16 port, int connections)
    : m_address(std::move(address))
    , m_port(port)
    , m_connections(qMax(1, connections))
{
    // Both ends of every connection may live in this process (an in-process server):
    // the default soft limit of 1,024 descriptors is too low; take the hard limit.
    rlimit limit{};
    if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        ::setrlimit(RLIMIT_NOFILE, &limit);
    }
}

namespace {

QByteArray serialize(const RawRequest &r)
{
    QByteArray out = r.method + ' ' + r.path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n";
    for (const auto &h : r.headers)
        out += h.first + ": " + h.second + "\r\n";
    if (!r.body.isEmpty() || r.method == "POST" || r.method == "PUT")
        out += "Content-Type: application/json\r\nContent-Length: " + QByteArray::number(r.body.size()) + "\r\n";
    out += "\r\n" + r.body;
    return out;
}

// Parses one answer from the front of `buffer`; returns false if it is not complete.
bool parseResponse(QByteArray &buffer, RawResponse *out)
{
    const int headerEnd = buffer.indexOf("\r\n\r\n");
    if (headerEnd < 0)
        return false;
    const QList<QByteArray> lines = buffer.left(headerEnd).split('\n');
    RawResponse r;
    const QList<QByteArray> statusLine = lines.value(0).trimmed().split(' ');
    r.status = statusLine.value(1).toInt();
    qint64 length = 0;
    for (int i = 1; i < lines.size(); ++i) {
        const int colon = lines[i].indexOf(':');
        if (colon < 0)
            continue;
        const QByteArray name = lines[i].left(colon).trimmed().toLower();
        const QByteArray value = lines[i].mid(colon + 1).trimmed();
        r.headers.insert(name, value);
        if (name == "content-length")
            length = value.toLongLong();
    }
    if (buffer.size() < headerEnd + 4 + length)
        return false;
    r.body = buffer.mid(headerEnd + 4, length);
    buffer.remove(0, int(headerEnd + 4 + length));
    *out = r;
    return true;
}

} // namespace

QList<RawResponse> ConcurrentClient::run(const QList<RawRequest> &requests, int timeoutMs)
{
    QList<RawResponse> results(requests.size());
    if (requests.isEmpty())
        return results;
    struct Connection
    {
        std::unique_ptr<QTcpSocket> socket;
        QByteArray buffer;
        int current = -1;
    };
    const int count = qMin(m_connections, int(requests.size()));
    std::vector<Connection> connections(static_cast<size_t>(count));
    int next = 0;
    int done = 0;
    int connected = 0;
    int closed = 0;
    QEventLoop loop;

    auto sendNext = [&](Connection &c) {
        if (next >= requests.size()) {
            c.current = -1;
            c.socket->disconnectFromHost();
            return;
        }
        c.current = next++;
        c.socket->write(serialize(requests[c.current]));
    };
    auto finishCurrent = [&](Connection &c, const QString &error) {
        if (c.current < 0)
            return;
        results[c.current].error = error;
        c.current = -1;
        if (++done == requests.size())
            loop.quit();
    };

    for (Connection &c : connections) {
        c.socket = std::make_unique<QTcpSocket>();
        Connection *cp = &c;
        QObject::connect(c.socket.get(), &QTcpSocket::connected, &loop, [&] {
            if (++connected == count) {
                for (Connection &each : connections) // everyone fires at once
                    sendNext(each);
            }
        });
        QObject::connect(c.socket.get(), &QTcpSocket::readyRead, &loop, [&, cp] {
            cp->buffer += cp->socket->readAll();
            RawResponse r;
            while (cp->current >= 0 && parseResponse(cp->buffer, &r)) {
                results[cp->current] = r;
                if (m_onAnswer)
                    m_onAnswer(cp->current, r);
                cp->current = -1;
                if (++done == requests.size()) {
                    loop.quit();
                    return;
                }
                sendNext(*cp);
            }
        });
        QObject::connect(c.socket.get(), &QTcpSocket::errorOccurred, &loop, [&, cp](QAbstractSocket::SocketError) {
            if (cp->socket->state() != QAbstractSocket::ConnectedState && connected < count) {
                // could not connect: count it so the burst still starts
                ++connected;
                if (connected == count) {
                    for (Connection &each : connections)
                        if (each.socket->state() == QAbstractSocket::ConnectedState)
                            sendNext(each);
                }
            }
            finishCurrent(*cp, cp->socket->errorString());
            // When every connection is gone, what was never sent cannot be answered.
            if (++closed == count) {
                while (next < requests.size()) {
                    results[next++].error = QStringLiteral("not sent: every connection closed");
                    ++done;
                }
                loop.quit();
            }
        });
        if (!m_source.isNull())
            c.socket->bind(m_source);
        c.socket->connectToHost(m_address, m_port);
    }
    QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
    loop.exec();
    for (Connection &c : connections) {
        c.socket->disconnect();
        c.socket->abort();
    }
    return results;
}

QList<int> retryWithSameKeys(ConcurrentClient &client, const QList<RawRequest> &requests, QList<int> pending, int rounds,
                             int pauseMs, const std::function<bool(int request, const RawResponse &answer)> &file)
{
    for (int round = 0; round < rounds && !pending.isEmpty(); ++round) {
        if (pauseMs > 0)
            QTest::qWait(pauseMs);
        QList<int> sent;
        std::swap(sent, pending);
        QList<RawRequest> again;
        for (int i : std::as_const(sent))
            again.append(requests[i]);
        const QList<RawResponse> answers = client.run(again, 30000);
        for (int k = 0; k < sent.size(); ++k) {
            if (file(sent[k], answers.value(k)))
                pending.append(sent[k]);
        }
    }
    return pending;
}
