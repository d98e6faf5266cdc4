#pragma once

#include <QThreadPool>

#include <atomic>
#include <functional>

// Where sign-up passwords are hashed (Argon2id): threads of their own, never the database
// pool or the HTTP threads, so that a flood of sign-ups costs sign-ins and the shop
// nothing but the cores these threads use; and a bounded number of jobs waiting or
// running, so that a flood cannot queue without end. tryPost() refuses at once when the
// queue is full (the caller answers 503 with Retry-After). Thread-safe.
class HashingQueue
{
public:
    HashingQueue(int threads, int capacity);
    ~HashingQueue(); // waits for the jobs already taken

    // Runs `job` on a hashing thread, or returns false when `capacity` jobs are waiting
    // or running already.
    bool tryPost(std::function<void()> job);
    int pending() const { return m_pending.load(); }
    int capacity() const { return m_capacity; }
    void drain();

private:
    QThreadPool m_pool;
    const int m_capacity;
    std::atomic_int m_pending{0};
};
