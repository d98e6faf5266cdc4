#include "httpserverpool.h"

#include "httpworker.h"
#include "reuseportsocket.h"

#include <QSemaphore>

#include <atomic>

#include <unistd.h>

namespace {

// An HTTP thread. The worker is created, runs and is destroyed inside run(), so every
// object QtHttpServer makes for it (sockets, its WebSocket server) belongs to this
// thread; creating it elsewhere and moving it left the WebSocket server behind.
class HttpThread : public QThread
{
public:
    HttpThread(const HttpContext &context, qintptr descriptor)
        : m_context(context)
        , m_descriptor(descriptor)
    {
    }
    // Starts the thread and waits until it listens (or failed to).
    bool startListening()
    {
        start();
        m_ready.acquire();
        return m_listening.load(std::memory_order_acquire); // QSemaphore orders it, unseen by TSan
    }
    // After wait(): everything this thread did happens before what the caller does next.
    // QThread::wait() guarantees that, but inside Debian's uninstrumented Qt, where
    // ThreadSanitizer cannot see it: the stop that follows destroyed what this thread had
    // written (the token endpoint's per-address counts) and was reported as a race. This
    // release and its acquire are an edge the sanitizer sees.
    void joined() const { (void)m_ended.load(std::memory_order_acquire); }

protected:
    void run() override
    {
        {
            HttpWorker worker(m_context, m_descriptor);
            m_listening.store(worker.startListening(), std::memory_order_release);
            m_ready.release();
            if (m_listening.load(std::memory_order_relaxed))
                exec();
        }
        m_ended.store(true, std::memory_order_release);
    }

private:
    const HttpContext &m_context;
    const qintptr m_descriptor;
    QSemaphore m_ready;
    std::atomic<bool> m_listening{false};
    std::atomic<bool> m_ended{false};
};

} // namespace

HttpServerPool::HttpServerPool(const HttpContext &context)
    : m_context(context)
{
}

HttpServerPool::~HttpServerPool()
{
    stop();
}

quint16 HttpServerPool::start(const QHostAddress &address, quint16 port, int threads, QString *error)
{
    if (portTakenByAnotherProcess(address, port)) {
        *error = QStringLiteral("port %1 on %2 is already in use by another process (another FlashSale?); "
                                "SO_REUSEPORT would let both listen and split the shoppers between them")
                     .arg(port)
                     .arg(address.toString());
        return 0;
    }
    quint16 bound = port;
    for (int i = 0; i < threads; ++i) {
        quint16 actual = 0;
        const qintptr fd = openReusePortListener(address, bound, &actual, error);
        if (fd < 0) {
            stop();
            return 0;
        }
        bound = actual;
        auto thread = std::make_unique<HttpThread>(m_context, fd);
        thread->setObjectName(QStringLiteral("http-%1").arg(i));
        const bool ok = thread->startListening();
        m_threads.push_back(std::move(thread));
        if (!ok) {
            *error = QStringLiteral("an HTTP thread could not listen");
            stop();
            return 0;
        }
    }
    return bound;
}

void HttpServerPool::stop()
{
    for (const auto &thread : m_threads) {
        thread->quit(); // the worker is destroyed when run() returns
        thread->wait();
        static_cast<const HttpThread &>(*thread).joined();
    }
    m_threads.clear();
}
