#include "poller.h"

#include <utility>

Poller::Poller(std::chrono::milliseconds interval, std::function<void()> work, QObject *parent)
    : QObject(parent)
    , m_work(std::move(work))
{
    m_timer.setSingleShot(true);
    m_timer.setInterval(interval);
    connect(&m_timer, &QTimer::timeout, this, &Poller::pollNow);
}

void Poller::start()
{
    m_running = true;
    pollNow();
}

void Poller::stop()
{
    m_running = false;
    m_timer.stop();
}

void Poller::pollNow()
{
    if (m_busy) {
        m_again = true;
        return;
    }
    m_timer.stop();
    m_busy = true;
    m_work();
}

void Poller::finished()
{
    m_busy = false;
    if (std::exchange(m_again, false)) {
        pollNow();
        return;
    }
    if (m_running)
        m_timer.start();
}
