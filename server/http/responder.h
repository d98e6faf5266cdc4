#pragma once

#include "httpresponse.h"

#include <QByteArray>
#include <QPointer>

#include <atomic>
#include <memory>
#include <vector>

class HttpConnection;
class HttpWorker;
class LatencyHistogram;

// One request waiting for its answer. Lives until the answer is written (or the client
// has gone); the connection belongs to the worker's thread.
struct Exchange
{
    QPointer<HttpConnection> connection;
    quint64 sequence = 0;  // the request's place on its connection; answers go out in this order
    bool keepAlive = true; // false: the answer says Connection: close and the connection ends
    QPointer<HttpWorker> worker;
    std::atomic_bool answered{false};
    std::atomic<void *> routeStats{nullptr}; // Metrics::Route of the matched route
    QByteArray method;
    QString path;
    QByteArray requestId;
    QByteArray traceparent;
    QByteArray corsAllowOrigin; // set by dispatch: the Access-Control-Allow-Origin to send, if any
    qint64 receivedAtNs = 0;
    ~Exchange();
};

// The way a handler answers. Cheap to copy; callable from any thread; the first answer
// wins and is written on the thread that owns the connection, after which the
// connection reads its next request. The HTTP thread is never blocked while waiting.
class Responder
{
public:
    explicit Responder(std::shared_ptr<Exchange> exchange) : m_exchange(std::move(exchange)) {}
    void send(HttpResponse response) const;
    bool isAnswered() const { return m_exchange->answered.load(); }
    const QByteArray &requestId() const { return m_exchange->requestId; }
    Exchange &exchange() const { return *m_exchange; }

private:
    std::shared_ptr<Exchange> m_exchange;
};

// While one is open on a thread, the answers that thread sends to HTTP threads are held,
// and posted when it closes: one queued call per HTTP thread for all of them instead of
// one per answer (a group commit answers hundreds of purchases at once). Answers sent on
// an HTTP thread to its own connections are written at once, as always. Batches nest.
class AnswerBatch
{
public:
    AnswerBatch();
    ~AnswerBatch();
    AnswerBatch(const AnswerBatch &) = delete;
    AnswerBatch &operator=(const AnswerBatch &) = delete;

    // Keeps the answer in the batch open on this thread; false when none is.
    static bool hold(const std::shared_ptr<Exchange> &exchange, HttpResponse &response);

private:
    struct Held
    {
        std::shared_ptr<Exchange> exchange;
        HttpResponse response;
    };
    std::vector<Held> m_held;
    AnswerBatch *m_outer;
};
