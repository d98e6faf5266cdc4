#include "sagaworkerpool.h"

#include "telemetry/threadname.h"

SagaWorkerPool::SagaWorkerPool(int threads, ProcessOrder process)
    : m_threadCount(qMax(1, threads))
    , m_process(std::move(process))
{
}

SagaWorkerPool::~SagaWorkerPool()
{
    stop();
}

void SagaWorkerPool::start()
{
    std::lock_guard lock(m_mutex);
    if (!m_threads.empty())
        return;
    m_stopping = false;
    for (int i = 0; i < m_threadCount; ++i) {
        m_threads.emplace_back([this, i] {
            nameCurrentThread("fs-saga-" + QByteArray::number(i + 1));
            run();
        });
    }
}

void SagaWorkerPool::stop()
{
    {
        std::lock_guard lock(m_mutex);
        m_stopping = true;
        m_orders.clear();
        m_known.clear();
    }
    m_cv.notify_all();
    for (std::thread &t : m_threads)
        t.join();
    m_threads.clear();
    // Admin jobs still queued answer their callers (503) when destroyed unanswered.
    std::lock_guard lock(m_mutex);
    m_jobs.clear();
}

void SagaWorkerPool::enqueue(const QString &orderId)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping || m_known.contains(orderId))
            return;
        m_known.insert(orderId);
        m_orders.push_back(orderId);
    }
    m_cv.notify_one();
}

void SagaWorkerPool::post(std::function<void()> job)
{
    {
        std::lock_guard lock(m_mutex);
        if (m_stopping)
            return;
        m_jobs.push_back(std::move(job));
    }
    m_cv.notify_one();
}

bool SagaWorkerPool::isBusyWith(const QString &orderId) const
{
    std::lock_guard lock(m_mutex);
    return m_known.contains(orderId);
}

int SagaWorkerPool::backlog() const
{
    std::lock_guard lock(m_mutex);
    return int(m_orders.size() + m_jobs.size());
}

void SagaWorkerPool::run()
{
    for (;;) {
        std::function<void()> job;
        QString orderId;
        {
            std::unique_lock lock(m_mutex);
            m_cv.wait(lock, [this] { return m_stopping || !m_jobs.empty() || !m_orders.empty(); });
            if (m_stopping)
                return;
            if (!m_jobs.empty()) { // admin jobs first: someone waits for the answer
                job = std::move(m_jobs.front());
                m_jobs.pop_front();
            } else {
                orderId = m_orders.front();
                m_orders.pop_front();
            }
        }
        if (job) {
            job();
            continue;
        }
        m_process(orderId);
        std::lock_guard lock(m_mutex);
        m_known.remove(orderId);
    }
}
