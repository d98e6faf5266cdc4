#pragma once

#include "telemetry/threadname.h"

#include <QByteArray>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

// A thread of its own that runs `work` at once and then every `periodMs` (or sooner when
// woken) until stopped, then `finish` once, on the same thread. For background jobs
// that keep a database connection of their own (connections must not cross threads).
// The thread carries `name` (at most 15 characters), e.g. "fs-outbox".
class PeriodicThread
{
public:
    PeriodicThread(QByteArray name, int periodMs, std::function<void()> work, std::function<void()> finish = {})
        : m_name(std::move(name))
        , m_periodMs(qMax(1, periodMs))
        , m_work(std::move(work))
        , m_finish(std::move(finish))
    {
    }
    ~PeriodicThread() { stop(); }
    PeriodicThread(const PeriodicThread &) = delete;
    PeriodicThread &operator=(const PeriodicThread &) = delete;

    void start()
    {
        std::lock_guard lock(m_mutex);
        if (m_thread.joinable())
            return;
        m_stopping = false;
        m_thread = std::thread([this] {
            nameCurrentThread(m_name);
            run();
        });
    }

    // Lets the current round end, runs `finish` and joins the thread.
    void stop()
    {
        {
            std::lock_guard lock(m_mutex);
            if (!m_thread.joinable())
                return;
            m_stopping = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

    // True once stop() was called: a round that loops may end early.
    bool stopRequested()
    {
        std::lock_guard lock(m_mutex);
        return m_stopping;
    }

    // Woken rounds start at least `gapMs` after the previous round started, so the work of
    // many wakes in quick succession is done in one round, not one round per wake. Set
    // before start(); 0 (the default) runs a woken round at once.
    void setWakeGap(int gapMs) { m_wakeGap = std::chrono::milliseconds(qMax(0, gapMs)); }

    // Runs the next round now (or after the wake gap) rather than at the end of the period.
    void wake()
    {
        {
            std::lock_guard lock(m_mutex);
            m_woken = true;
        }
        m_wake.notify_all();
    }

private:
    void run()
    {
        for (;;) {
            const auto started = std::chrono::steady_clock::now();
            m_work();
            std::unique_lock lock(m_mutex);
            m_wake.wait_for(lock, std::chrono::milliseconds(m_periodMs), [this] { return m_stopping || m_woken; });
            if (m_woken && m_wakeGap.count() > 0)
                m_wake.wait_until(lock, started + m_wakeGap, [this] { return m_stopping; });
            if (m_stopping)
                break;
            m_woken = false;
        }
        if (m_finish)
            m_finish();
    }

    const QByteArray m_name;
    const int m_periodMs;
    std::chrono::milliseconds m_wakeGap{0};
    std::function<void()> m_work;
    std::function<void()> m_finish;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stopping = false;
    bool m_woken = false;
    std::thread m_thread;
};
