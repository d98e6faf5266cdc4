#include "httpserverpool.h"

#include "httpworker.h"
#include "reuseportsocket.h"

#include <unistd.h>

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
    quint16 bound = port;
    for (int i = 0; i < threads; ++i) {
        quint16 actual = 0;
        const qintptr fd = openReusePortListener(address, bound, &actual, error);
        if (fd < 0) {
            stop();
            return 0;
        }
        bound = actual;
        auto thread = std::make_unique<QThread>();
        thread->setObjectName(QStringLiteral("http-%1").arg(i));
        auto *worker = new HttpWorker(m_context, fd);
        worker->moveToThread(thread.get());
        thread->start();
        bool ok = false;
        QMetaObject::invokeMethod(worker, &HttpWorker::startListening, Qt::BlockingQueuedConnection, &ok);
        m_workers.append(worker);
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
    for (int i = 0; i < m_workers.size(); ++i) {
        HttpWorker *worker = m_workers.at(i);
        QMetaObject::invokeMethod(worker, [worker] { delete worker; }, Qt::BlockingQueuedConnection);
        m_threads[size_t(i)]->quit();
        m_threads[size_t(i)]->wait();
    }
    m_workers.clear();
    m_threads.clear();
}
