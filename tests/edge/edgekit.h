#pragma once

#include <QByteArray>
#include <QList>
#include <QProcess>
#include <QStringList>
#include <QTemporaryDir>

#include "sanitizerslowdown.h"

#include <atomic>
#include <thread>
#include <vector>

// Tools for the hostile-client suite: the flashsale binary as a child process (so that
// its memory and CPU can be read from /proc), raw loopback connections that do what
// attackers do, and a well-behaved client that measures its latency meanwhile.
namespace Edge {

// `flashsale --headless --no-demo` with an INI file of its own, its log in a file, and
// optionally a lower descriptor limit (RLIMIT_NOFILE) set in the child before it starts.
class ServerUnderAttack
{
public:
    ServerUnderAttack();
    ~ServerUnderAttack();
    // `demo`: seed the demo shop (products, shoppers, sale 1) as a first start does.
    bool start(const QByteArray &iniText, QString *error, int descriptorLimit = 0, bool demo = false);
    quint16 port() const { return m_port; }
    QString dataDir() const { return m_dir.filePath(QStringLiteral("data")); }
    qint64 pid() const { return m_process.processId(); }
    qint64 rssKiB() const;      // VmRSS
    qint64 peakRssKiB() const;  // VmHWM
    double cpuSeconds() const;  // user + system
    QByteArray log() const;     // what it wrote to standard error so far
    bool running() const { return m_process.state() == QProcess::Running; }

private:
    QTemporaryDir m_dir;
    QProcess m_process;
    quint16 m_port = 0;
};

// A blocking TCP connection to 127.0.0.1:port, from `source` (another loopback address
// keeps a client apart from per-address limits). -1 on failure.
int connectFrom(quint16 port, const char *source = "127.0.0.1", int timeoutMs = 5000);
bool sendAll(int fd, const QByteArray &bytes, int timeoutMs = 5000);
// Sends what it can without waiting; returns how many bytes went (or -1: closed/reset).
qint64 sendSome(int fd, const QByteArray &bytes);

struct Reading
{
    QByteArray bytes;
    enum End { Eof, Reset, TimedOut } end = TimedOut;
    qint64 elapsedMs = 0;
    int status() const; // of the first answer, 0 if none
};
// Reads until the peer closes or `timeoutMs` passes.
Reading readUntilClose(int fd, int timeoutMs);
// Reads one whole answer (head and Content-Length body) within `timeoutMs`.
Reading readAnswer(int fd, int timeoutMs);
// True when the peer has closed (EOF or reset) without waiting.
bool peerClosed(int fd);
void closeAll(std::vector<int> &fds);

// Sends GET /health/live on one kept-alive connection every `intervalMs` from its own
// thread and loopback address, and keeps every latency. With a control port it sends the
// same request to that server (one nobody attacks) right after each one, so that the
// machine's own slowness at the same moments is measured beside the attacked server's.
class WellBehavedClient
{
public:
    explicit WellBehavedClient(quint16 port, int intervalMs = 10, const char *source = "127.0.0.2");
    ~WellBehavedClient();
    void setControl(quint16 port) { m_controlPort = port; } // before start()
    void start();
    void stop();
    double p99Ms() const { return p99(m_latenciesMs); }
    double controlP99Ms() const { return m_controlPort ? p99(m_controlLatenciesMs) : 0; }
    int answered() const { return int(m_latenciesMs.size()); }
    int failures() const { return m_failures; }

private:
    // One request on `fd` (connecting first when it is -1); the latency, or -1 on failure
    // (and `fd` closed and -1 again).
    double exchange(int &fd, quint16 port) const;
    static double p99(const std::vector<double> &latenciesMs);
    void run();
    quint16 m_port;
    quint16 m_controlPort = 0;
    int m_intervalMs;
    const char *m_source;
    std::thread m_thread;
    std::atomic_bool m_stop{false};
    std::vector<double> m_latenciesMs;
    std::vector<double> m_controlLatenciesMs;
    int m_failures = 0;
};

// The well-behaved client's p99 with nothing else going on, measured for `ms` first.
double quietP99Ms(quint16 port, int ms = 2000);
// Whether `p99` under attack is the server's normal latency: under 50 ms, or, when the
// machine itself is too busy for that (other work on the same 2 cores: the quiet p99
// before the attack, or the control server's p99 during it, is above 25 ms), under twice
// the slower of those plus 10 ms. In a sanitizer build the 50 ms is times
// Sanitizer::slowdown. `why` says which bound applied.
bool withinNormalLatency(double p99, double quietP99, double controlP99, QString *why);

// Raises this process's descriptor limit to its hard limit; returns the new soft limit.
qint64 raiseDescriptorLimit();

} // namespace Edge
