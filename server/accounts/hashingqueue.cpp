#include "hashingqueue.h"

HashingQueue::HashingQueue(int threads, int capacity)
    : m_capacity(qMax(1, capacity))
{
    m_pool.setMaxThreadCount(qMax(1, threads));
    m_pool.setObjectName(QStringLiteral("pwhash"));
}

HashingQueue::~HashingQueue()
{
    m_pool.waitForDone();
}

bool HashingQueue::tryPost(std::function<void()> job)
{
    if (m_pending.fetch_add(1) >= m_capacity) {
        m_pending.fetch_sub(1);
        return false;
    }
    m_pool.start([this, job = std::move(job)] {
        // Counted out however the job ends (answerFromJob catches, but a job need not use it).
        struct Done
        {
            std::atomic_int &pending;
            ~Done() { pending.fetch_sub(1); }
        } done{m_pending};
        job();
    });
    return true;
}

void HashingQueue::drain()
{
    m_pool.waitForDone();
}
