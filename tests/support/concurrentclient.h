#pragma once

#include <QByteArray>
#include <QHash>
#include <QHostAddress>
#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>

#include <functional>

struct RawRequest
{
    QByteArray method = "GET";
    QByteArray path;
    QList<QPair<QByteArray, QByteArray>> headers;
    QByteArray body;
};

struct RawResponse
{
    int status = 0; // 0: no answer
    QByteArray body;
    QHash<QByteArray, QByteArray> headers; // lower-case names
    QString error;
    QJsonObject json() const;
};

// Many real HTTP/1.1 connections at once, for concurrency proofs. All connections are
// opened first; then each sends its first request at the same moment and, on keep-alive,
// the next one as soon as it has its answer. Answers come back in request order.
class ConcurrentClient
{
public:
    ConcurrentClient(QHostAddress address, quint16 port, int connections);
    QList<RawResponse> run(const QList<RawRequest> &requests, int timeoutMs = 120000);
    // Called on every answer as it arrives (for tests that act in the middle of a burst).
    void setOnAnswer(std::function<void(int index, const RawResponse &answer)> callback) { m_onAnswer = std::move(callback); }
    // Connects from this local address (another loopback address, 127.0.0.2 say, is
    // another client to the server's per-address limits). Null: the kernel chooses.
    void setSourceAddress(const QHostAddress &source) { m_source = source; }

private:
    QHostAddress m_address;
    quint16 m_port;
    int m_connections;
    QHostAddress m_source;
    std::function<void(int, const RawResponse &)> m_onAnswer;
};

// Sends again, with the same idempotency keys, requests that a server answered 503
// ("retry with the same key"), as a shopper who follows that answer does: requests[i] for
// each i in `pending`, on `client`, for at most `rounds` rounds, waiting `pauseMs` before
// each round (a 503's Retry-After asks for 1 s). `file(i, answer)` takes each answer and
// says whether to send request i again. Returns the requests still to send after the last
// round.
QList<int> retryWithSameKeys(ConcurrentClient &client, const QList<RawRequest> &requests, QList<int> pending, int rounds,
                             int pauseMs, const std::function<bool(int request, const RawResponse &answer)> &file);
