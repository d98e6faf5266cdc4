#pragma once

#include <QHostAddress>
#include <QList>
#include <QString>
#include <QThread>

#include <memory>

struct HttpContext;
class HttpWorker;

// The HTTP threads: one event loop and one QtHttpServer each, all accepting on the same
// port (SO_REUSEPORT), sharing one read-only HttpContext.
class HttpServerPool
{
public:
    explicit HttpServerPool(const HttpContext &context);
    ~HttpServerPool();

    // Returns the bound port, or 0 with `error` set.
    quint16 start(const QHostAddress &address, quint16 port, int threads, QString *error);
    void stop();
    int threadCount() const { return int(m_threads.size()); }

private:
    const HttpContext &m_context;
    std::vector<std::unique_ptr<QThread>> m_threads;
};
