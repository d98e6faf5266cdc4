#pragma once

#include "core/periodicthread.h"
#include "orders/outboxdispatcher.h"

#include <QSet>

#include <functional>

class Database;

// Cluster mode: a shopper's WebSocket is on one node, but the event about their order
// may be written by any node and delivered by any node's dispatcher. So every node
// follows the outbox itself, by event id, and pushes each new event to its own
// listeners. Ids are handed out before commit, so a later commit can carry a lower id:
// the follower re-reads a window of `slack` ids below the highest it saw and skips the
// ones it already pushed. Starts at the end of the outbox (live messages only).
class OutboxFollower
{
public:
    using Push = std::function<void(const OutboxDispatcher::Event &event)>;
    OutboxFollower(const Database &database, int pollMs, Push push);
    void start() { m_thread.start(); }
    void stop() { m_thread.stop(); }

private:
    void poll();

    static constexpr qint64 slack = 2000;
    const Database &m_db;
    Push m_push;
    bool m_started = false;
    qint64 m_highest = 0;
    QSet<qint64> m_pushed; // ids in the window
    PeriodicThread m_thread; // last: stops before the members it uses go
};
