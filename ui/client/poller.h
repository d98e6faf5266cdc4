#pragma once

#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>

// Runs an asynchronous request again and again, never two at once: the next one starts
// an interval after the previous answered. The work starts its request and calls
// finished() from the answer's handler. A pollNow() during a request runs one more
// right after it.
class Poller : public QObject
{
    Q_OBJECT

public:
    Poller(std::chrono::milliseconds interval, std::function<void()> work, QObject *parent);

    void start();
    void stop();
    void pollNow();
    void finished();
    bool isBusy() const { return m_busy; }

private:
    QTimer m_timer;
    std::function<void()> m_work;
    bool m_busy = false;
    bool m_again = false;
    bool m_running = false;
};
