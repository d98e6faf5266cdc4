#pragma once

#include "workload.h"

#include <QString>

#include <deque>
#include <vector>

class RunMetrics;

enum class LoadModel { Closed, Open };

struct LoadPlan
{
    LoadModel model = LoadModel::Closed;
    int connections = 100;
    double rate = 0;          // open model: requests per second, sent at evenly spaced intended times
    double maxSeconds = 30;   // the phase ends by then (closed model: sooner once the workload is done)
    double requestTimeoutSeconds = 30;
};

// The project's own HTTP/1.1 load generator: one thread, non-blocking sockets on epoll
// (edge-triggered), keep-alive connections to 127.0.0.1, one request in flight per
// connection. Closed model: each free connection sends the workload's next request at
// once. Open model: requests are due at a constant rate whatever the server does; a due
// request waits for a free connection and its latency counts from when it was due, so a
// slow server cannot hide its stalls (no coordinated omission).
class LoadGenerator
{
public:
    // `databasePid`: PostgreSQL's process, whose CPU (with its backends') each phase also
    // reports; 0 when the database is inside the server (SQLite).
    LoadGenerator(quint16 port, qint64 serverPid, qint64 databasePid = 0);
    ~LoadGenerator();
    LoadGenerator(const LoadGenerator &) = delete;
    LoadGenerator &operator=(const LoadGenerator &) = delete;

    void run(Workload &workload, const LoadPlan &plan, RunMetrics &metrics);

private:
    struct Connection
    {
        int fd = -1;
        bool connected = false;
        bool busy = false;
        bool closeAfter = false;
        Outgoing request;
        size_t written = 0;
        qint64 startNs = 0;
        std::string in;
    };

    bool open(int index);
    void closeConnection(int index);
    void reopenIdle(int index);
    void send(int index, Outgoing &&request, qint64 nowNs);
    void flush(int index);
    void readable(int index, qint64 nowNs);
    void finish(int index, int status, std::string_view body, qint64 nowNs);
    void progressLine(qint64 nowNs, bool last);

    quint16 m_port;
    qint64 m_serverPid;
    qint64 m_databasePid;
    int m_epoll = -1;
    std::vector<Connection> m_connections;
    std::vector<int> m_idle;
    std::deque<Outgoing> m_backlog;
    Workload *m_workload = nullptr;
    RunMetrics *m_metrics = nullptr;
    const LoadPlan *m_plan = nullptr;
    qint64 m_t0 = 0;
    qint64 m_done = 0;
    int m_busy = 0;
    qint64 m_lastDone = 0;
    qint64 m_errors = 0;
    qint64 m_connectFailures = 0;
    bool m_tty = false;
};
