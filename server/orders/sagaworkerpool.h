#pragma once

#include <QSet>
#include <QString>

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

// The saga workers: threads of their own (payment calls block for seconds; HTTP and
// database-pool threads must not). Orders are queued by id, at most once while queued
// or running, so the journal's wake-ups and the database poll can both offer the same
// order without it running twice at once in this process. Admin jobs (refund,
// compensate) go to the same threads. They are named fs-saga-1, fs-saga-2...
class SagaWorkerPool
{
public:
    using ProcessOrder = std::function<void(const QString &orderId)>;
    SagaWorkerPool(int threads, ProcessOrder process);
    ~SagaWorkerPool();

    void start();
    // Finishes the orders running now, drops what is queued (the poll finds it again
    // after a restart) and joins the threads.
    void stop();

    void enqueue(const QString &orderId);
    void post(std::function<void()> job);
    bool isBusyWith(const QString &orderId) const;
    int backlog() const;

private:
    void run();

    const int m_threadCount;
    ProcessOrder m_process;
    mutable std::mutex m_mutex;
    std::condition_variable m_cv;
    std::deque<QString> m_orders;
    std::deque<std::function<void()>> m_jobs;
    QSet<QString> m_known; // queued or running
    bool m_stopping = false;
    std::vector<std::thread> m_threads;
};
