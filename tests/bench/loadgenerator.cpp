#include "loadgenerator.h"

#include "processstats.h"
#include "runmetrics.h"

#include <QTextStream>

#include <algorithm>

#include <arpa/inet.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr qint64 second = 1000000000;

// Status code and, once complete, the length of the whole answer (0: not yet).
struct Parsed
{
    int status = 0;
    size_t total = 0;
    size_t bodyStart = 0;
    bool close = false;
    bool bad = false;
};

Parsed parseAnswer(const std::string &in)
{
    Parsed p;
    const size_t end = in.find("\r\n\r\n");
    if (end == std::string::npos) {
        p.bad = in.size() > 64 * 1024;
        return p;
    }
    if (in.compare(0, 5, "HTTP/") != 0 || in.size() < 12) {
        p.bad = true;
        return p;
    }
    p.status = std::atoi(in.c_str() + 9);
    size_t length = 0;
    size_t line = in.find("\r\n") + 2;
    while (line < end) {
        const size_t eol = in.find("\r\n", line);
        const char *h = in.c_str() + line;
        if (::strncasecmp(h, "content-length:", 15) == 0)
            length = size_t(std::strtoull(h + 15, nullptr, 10));
        else if (::strncasecmp(h, "connection:", 11) == 0 && in.compare(line + 11, 6, " close") == 0)
            p.close = true;
        line = eol + 2;
    }
    p.bodyStart = end + 4;
    if (in.size() >= p.bodyStart + length)
        p.total = p.bodyStart + length;
    return p;
}

} // namespace

LoadGenerator::LoadGenerator(quint16 port, qint64 serverPid, qint64 databasePid)
    : m_port(port)
    , m_serverPid(serverPid)
    , m_databasePid(databasePid)
    , m_epoll(::epoll_create1(EPOLL_CLOEXEC))
    , m_tty(::isatty(STDERR_FILENO))
{
}

LoadGenerator::~LoadGenerator()
{
    for (int i = 0; i < int(m_connections.size()); ++i)
        closeConnection(i);
    if (m_epoll >= 0)
        ::close(m_epoll);
}

bool LoadGenerator::open(int index)
{
    Connection &c = m_connections[size_t(index)];
    c = Connection{};
    c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (c.fd < 0)
        return false;
    const int one = 1;
    ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(m_port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(c.fd, reinterpret_cast<sockaddr *>(&a), sizeof a) != 0 && errno != EINPROGRESS) {
        ::close(c.fd);
        c.fd = -1;
        return false;
    }
    epoll_event ev{};
    ev.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;
    ev.data.u32 = quint32(index);
    ::epoll_ctl(m_epoll, EPOLL_CTL_ADD, c.fd, &ev);
    return true;
}

void LoadGenerator::closeConnection(int index)
{
    Connection &c = m_connections[size_t(index)];
    if (c.fd >= 0) {
        ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, c.fd, nullptr);
        ::close(c.fd);
    }
    c.fd = -1;
    c.connected = false;
}

void LoadGenerator::send(int index, Outgoing &&request, qint64 nowNs)
{
    Connection &c = m_connections[size_t(index)];
    c.request = std::move(request);
    c.written = 0;
    c.busy = true;
    ++m_busy;
    c.in.clear();
    c.startNs = m_plan->model == LoadModel::Open && c.request.intendedNs > 0 ? c.request.intendedNs : nowNs;
    if (c.connected)
        flush(index);
}

void LoadGenerator::flush(int index)
{
    Connection &c = m_connections[size_t(index)];
    for (int guard = 0; guard < 64 && c.busy && c.written < c.request.bytes.size(); ++guard) {
        const ssize_t n = ::send(c.fd, c.request.bytes.data() + c.written, c.request.bytes.size() - c.written, MSG_NOSIGNAL);
        if (n > 0) {
            c.written += size_t(n);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return; // EPOLLOUT will come
        finish(index, 0, {}, ProcessStats::monotonicNs());
        return;
    }
}

void LoadGenerator::readable(int index, qint64 nowNs)
{
    Connection &c = m_connections[size_t(index)];
    char buffer[16384];
    bool eof = false;
    for (int guard = 0; guard < 1024; ++guard) {
        const ssize_t n = ::recv(c.fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            c.in.append(buffer, size_t(n));
            continue;
        }
        if (n == 0)
            eof = true;
        else if (errno != EAGAIN && errno != EWOULDBLOCK)
            eof = true;
        break;
    }
    if (c.busy && !c.in.empty()) {
        const Parsed p = parseAnswer(c.in);
        if (p.bad) {
            finish(index, 0, {}, nowNs);
            return;
        }
        if (p.total > 0) {
            c.closeAfter = p.close;
            const std::string_view body(c.in.data() + p.bodyStart, p.total - p.bodyStart);
            finish(index, p.status, body, nowNs);
            if (eof && m_connections[size_t(index)].connected)
                closeConnection(index);
            return;
        }
    }
    if (eof) {
        if (c.busy)
            finish(index, 0, {}, nowNs);
        else
            reopenIdle(index);
    }
}

void LoadGenerator::reopenIdle(int index)
{
    // The server closed a connection that had nothing in flight (its idle or header
    // time-out): it is no longer free to send on; a new one takes its place and becomes
    // free once connected.
    m_idle.erase(std::remove(m_idle.begin(), m_idle.end(), index), m_idle.end());
    closeConnection(index);
    if (!open(index))
        ++m_connectFailures;
}

void LoadGenerator::finish(int index, int status, std::string_view body, qint64 nowNs)
{
    Connection &c = m_connections[size_t(index)];
    if (!c.busy)
        return;
    c.busy = false;
    --m_busy;
    const qint64 latency = std::max<qint64>(0, (nowNs - c.startNs) / 1000);
    m_metrics->record(c.request.endpoint, status, latency, (nowNs - m_t0) / second);
    ++m_done;
    if (isError(status))
        ++m_errors;
    Answer a{status, body, latency};
    const Outgoing request = std::move(c.request);
    m_workload->answered(request, a, nowNs);
    c.in.clear();
    if (status == 0 || c.closeAfter) {
        closeConnection(index);
        if (!open(index))
            ++m_connectFailures;
        return; // becomes idle once connected
    }
    m_idle.push_back(index);
}

void LoadGenerator::progressLine(qint64 nowNs, bool last)
{
    const double t = double(nowNs - m_t0) / 1e9;
    // The last line gives the phase's average; the others the last second's count.
    const qint64 rps = last ? qint64(double(m_done) / qMax(0.001, t)) : m_done - m_lastDone;
    m_lastDone = m_done;
    const QString line = QStringLiteral("[%1] %2 s  done %3  rps %4  errors %5  open %6/%7  %8")
                             .arg(m_metrics->phase())
                             .arg(t, 0, 'f', 0)
                             .arg(m_done)
                             .arg(rps)
                             .arg(m_errors)
                             .arg(m_connections.size() - size_t(std::count_if(m_connections.begin(), m_connections.end(),
                                                                             [](const Connection &c) { return !c.connected; })))
                             .arg(m_connections.size())
                             .arg(m_workload->progress());
    if (m_tty) {
        std::fprintf(stderr, "\r\033[K%s%s", line.toLocal8Bit().constData(), last ? "\n" : "");
    } else if (last || (qint64(t) % 5) == 0) {
        std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
    }
    std::fflush(stderr);
}

void LoadGenerator::run(Workload &workload, const LoadPlan &plan, RunMetrics &metrics)
{
    m_workload = &workload;
    m_metrics = &metrics;
    m_plan = &plan;
    m_done = m_lastDone = m_errors = 0;
    m_busy = 0;
    m_backlog.clear();
    m_idle.clear();
    const int count = qBound(1, plan.connections, 60000);
    m_connections.assign(size_t(count), Connection{});
    const double cpu0 = ProcessStats::selfCpuSeconds();
    const double serverCpu0 = ProcessStats::cpuSeconds(m_serverPid);
    const std::map<QString, double> threadsCpu0 = ProcessStats::cpuSecondsByThread(m_serverPid);
    const double databaseCpu0 = m_databasePid > 0 ? ProcessStats::treeCpuSeconds(m_databasePid) : -1;
    m_t0 = ProcessStats::monotonicNs();
    const qint64 deadline = m_t0 + qint64(plan.maxSeconds * 1e9);
    const qint64 interval = plan.model == LoadModel::Open && plan.rate > 0 ? qint64(1e9 / plan.rate) : 0;
    qint64 nextDue = m_t0;
    qint64 nextSecond = m_t0 + second;
    int opened = 0;
    std::vector<epoll_event> events(4096);

    for (qint64 loops = 0; loops < qint64(1) << 40; ++loops) {
        qint64 now = ProcessStats::monotonicNs();
        // Open connections in slices so the server's accept backlog is not flooded.
        for (int k = 0; k < 256 && opened < count; ++k, ++opened) {
            if (!open(opened))
                ++m_connectFailures;
        }
        const bool sending = now < deadline;
        if (interval > 0 && sending) {
            for (int k = 0; k < 100000 && nextDue <= now; ++k, nextDue += interval) {
                Outgoing o;
                if (m_backlog.size() < 1000000 && workload.next(now, o)) {
                    o.intendedNs = nextDue;
                    m_backlog.push_back(std::move(o));
                } else {
                    ++metrics.dropped;
                }
            }
        }
        // Give free connections work.
        while (!m_idle.empty()) {
            Outgoing o;
            if (interval > 0) {
                if (m_backlog.empty())
                    break;
                o = std::move(m_backlog.front());
                m_backlog.pop_front();
            } else if (!sending || !workload.next(now, o)) {
                break;
            }
            const int index = m_idle.back();
            m_idle.pop_back();
            send(index, std::move(o), now);
        }
        const bool anyBusy = m_busy > 0;
        if (interval == 0 && workload.done(now) && !anyBusy)
            break;
        if (!sending && (!anyBusy || now > deadline + 10 * second) && m_backlog.empty())
            break;
        if (!sending && now > deadline + 10 * second)
            break;
        // 1 ms also in the open model: due sends are caught up in a batch on the next
        // turn and their latency still counts from when they were due, so waking later
        // only makes the figures worse, never better; spinning would take a core from
        // the server on this 2-core machine.
        const int timeoutMs = 1;
        const int n = ::epoll_wait(m_epoll, events.data(), int(events.size()), timeoutMs);
        now = ProcessStats::monotonicNs();
        for (int i = 0; i < n; ++i) {
            const int index = int(events[size_t(i)].data.u32);
            Connection &c = m_connections[size_t(index)];
            if (c.fd < 0)
                continue;
            const quint32 e = events[size_t(i)].events;
            if (!c.connected && (e & EPOLLOUT) && !(e & (EPOLLERR | EPOLLHUP))) {
                c.connected = true;
                if (c.busy)
                    flush(index);
                else
                    m_idle.push_back(index);
            }
            if (e & EPOLLIN)
                readable(index, now);
            if (c.fd >= 0 && (e & EPOLLOUT) && c.busy && c.connected)
                flush(index);
            if (c.fd >= 0 && (e & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) && !(e & EPOLLIN)) {
                const bool wasConnected = c.connected;
                if (c.busy) {
                    finish(index, 0, {}, now);
                } else if (m_connectFailures < 100000) {
                    if (!wasConnected)
                        ++m_connectFailures;
                    reopenIdle(index);
                } else {
                    closeConnection(index);
                }
            }
        }
        if (now >= nextSecond) {
            const qint64 s = (now - m_t0) / second;
            // Answers overdue beyond the time-out count as no answer.
            const qint64 tooOld = now - qint64(plan.requestTimeoutSeconds * 1e9);
            for (int i = 0; i < count; ++i) {
                Connection &c = m_connections[size_t(i)];
                if (c.busy && c.startNs < tooOld)
                    finish(i, 0, {}, now);
            }
            workload.eachSecond(s, metrics);
            progressLine(now, false);
            nextSecond += second;
        }
    }
    const qint64 end = ProcessStats::monotonicNs();
    workload.eachSecond((end - m_t0) / second, metrics);
    progressLine(end, true);
    metrics.elapsedSeconds = double(end - m_t0) / 1e9;
    metrics.generatorCpuSeconds = ProcessStats::selfCpuSeconds() - cpu0;
    metrics.serverCpuSeconds = ProcessStats::cpuSeconds(m_serverPid) - serverCpu0;
    for (const auto &[kind, seconds] : ProcessStats::cpuSecondsByThread(m_serverPid)) {
        const auto before = threadsCpu0.find(kind);
        metrics.serverCpuByThread[kind] = seconds - (before == threadsCpu0.end() ? 0.0 : before->second);
    }
    if (databaseCpu0 >= 0) {
        const double databaseCpu = ProcessStats::treeCpuSeconds(m_databasePid);
        metrics.databaseCpuSeconds = databaseCpu >= 0 ? databaseCpu - databaseCpu0 : -1;
    }
    metrics.serverPeakRssKiB = ProcessStats::peakRssKiB(m_serverPid);
    metrics.connections = count;
    metrics.model = plan.model == LoadModel::Open ? QStringLiteral("open") : QStringLiteral("closed");
    metrics.targetRate = plan.rate;
    // Requests still due or in flight are abandoned: close every connection.
    for (int i = 0; i < count; ++i) {
        if (m_connections[size_t(i)].busy)
            finish(i, 0, {}, end);
        closeConnection(i);
    }
    m_idle.clear();
    m_backlog.clear();
}
