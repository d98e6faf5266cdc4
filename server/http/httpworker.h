#pragma once

#include "responder.h"

#include <QAbstractHttpServer>

struct HttpContext;

// One HTTP thread: accepts on its own SO_REUSEPORT socket, parses requests with
// QtHttpServer, hands them to the shared HttpContext and writes answers that come back
// from any thread.
class HttpWorker : public QAbstractHttpServer
{
    Q_OBJECT

public:
    HttpWorker(const HttpContext &context, qintptr listenDescriptor);
    ~HttpWorker() override;

    // Called in the worker's own thread once it runs.
    Q_INVOKABLE bool startListening();
    // Writes an answer; must run in this worker's thread.
    void write(Exchange &exchange, const HttpResponse &response);

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override;
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override;

private:
    const HttpContext &m_context;
    qintptr m_descriptor;
};
