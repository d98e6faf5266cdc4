#pragma once

#include "responder.h"

#include <QObject>

#include <memory>

struct FramedRequest;
struct HttpContext;
class Acceptor;
class HttpConnection;
class QWebSocketServer;

// One HTTP thread: accepts on its own SO_REUSEPORT socket, holds each connection to the
// limits (HttpConnection), hands whole requests to the shared HttpContext, writes the
// answers that come back from any thread, and passes WebSocket upgrades to its
// WebSocket server. Created, run and destroyed inside its thread (HttpServerPool).
class HttpWorker : public QObject
{
    Q_OBJECT

public:
    HttpWorker(const HttpContext &context, qintptr listenDescriptor);
    ~HttpWorker() override;

    // Called in the worker's own thread once it runs.
    bool startListening();
    // Writes an answer; must run in this worker's thread.
    void write(Exchange &exchange, const HttpResponse &response);

private:
    void accepted(int descriptor);
    void handleRequest(HttpConnection *connection, quint64 sequence, FramedRequest framed);

    const HttpContext &m_context;
    qintptr m_descriptor;
    Acceptor *m_acceptor = nullptr;          // child
    QWebSocketServer *m_webSockets = nullptr; // child
};
