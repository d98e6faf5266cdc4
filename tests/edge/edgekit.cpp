#include "edgekit.h"

#include "sanitizerreport.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QRegularExpression>
#include <QThread>

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

namespace Edge {

namespace {

qint64 procStatusKiB(qint64 pid, const char *key)
{
    QFile f(QStringLiteral("/proc/%1/status").arg(pid));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(int(qstrlen(key))).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

qint64 nowMs()
{
    static QElapsedTimer clock = [] { QElapsedTimer t; t.start(); return t; }();
    return clock.elapsed();
}

} // namespace

ServerUnderAttack::ServerUnderAttack() = default;

ServerUnderAttack::~ServerUnderAttack()
{
    if (m_process.state() != QProcess::NotRunning) {
        m_process.terminate();
        if (!m_process.waitForFinished(20000))
            m_process.kill();
        m_process.waitForFinished(5000);
    }
    SanitizerReport::failOnFile(m_dir.filePath(QStringLiteral("server.log")), QStringLiteral("the server under attack"));
}

bool ServerUnderAttack::start(const QByteArray &iniText, QString *error, int descriptorLimit, bool demo)
{
    const QString binary = qEnvironmentVariable("FLASHSALE_BINARY");
    if (binary.isEmpty()) {
        *error = QStringLiteral("FLASHSALE_BINARY is not set (run the tests through CTest)");
        return false;
    }
    const QString ini = m_dir.filePath(QStringLiteral("edge.ini"));
    QFile f(ini);
    if (!f.open(QIODevice::WriteOnly) || f.write(iniText) != iniText.size()) {
        *error = QStringLiteral("cannot write %1").arg(ini);
        return false;
    }
    f.close();
    m_process.setStandardErrorFile(m_dir.filePath(QStringLiteral("server.log")));
    if (descriptorLimit > 0) {
        m_process.setChildProcessModifier([descriptorLimit] {
            const rlimit limit{rlim_t(descriptorLimit), rlim_t(descriptorLimit)};
            ::setrlimit(RLIMIT_NOFILE, &limit);
        });
    }
    QStringList args = {QStringLiteral("--headless"), QStringLiteral("--port"), QStringLiteral("0"),
                        QStringLiteral("--data-dir"), m_dir.filePath(QStringLiteral("data")),
                        QStringLiteral("--config"), ini, QStringLiteral("--threads"), QStringLiteral("2")};
    if (!demo)
        args.append(QStringLiteral("--no-demo"));
    m_process.start(binary, args);
    if (!m_process.waitForStarted(5000)) {
        *error = m_process.errorString();
        return false;
    }
    static const QRegularExpression serving(QStringLiteral("serving at http://[^:]+:(\\d+)"));
    QByteArray out;
    QDeadlineTimer deadline(60000);
    while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
        m_process.waitForReadyRead(100);
        out += m_process.readAllStandardOutput();
        const auto m = serving.match(QString::fromUtf8(out));
        if (m.hasMatch()) {
            m_port = quint16(m.captured(1).toUInt());
            return true;
        }
    }
    *error = QStringLiteral("the server did not start: %1 %2").arg(QString::fromUtf8(out), QString::fromUtf8(log().right(2000)));
    return false;
}

qint64 ServerUnderAttack::rssKiB() const { return procStatusKiB(pid(), "VmRSS:"); }
qint64 ServerUnderAttack::peakRssKiB() const { return procStatusKiB(pid(), "VmHWM:"); }

double ServerUnderAttack::cpuSeconds() const
{
    QFile f(QStringLiteral("/proc/%1/stat").arg(pid()));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray stat = f.readAll();
    const QList<QByteArray> fields = stat.mid(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state (field 3); utime and stime are fields 14 and 15.
    return double(fields.value(11).toLongLong() + fields.value(12).toLongLong()) / double(::sysconf(_SC_CLK_TCK));
}

QByteArray ServerUnderAttack::log() const
{
    QFile f(m_dir.filePath(QStringLiteral("server.log")));
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

int connectFrom(quint16 port, const char *source, int timeoutMs)
{
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sockaddr_in from{};
    from.sin_family = AF_INET;
    ::inet_pton(AF_INET, source, &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(port);
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    const timeval tv{timeoutMs / 1000, (timeoutMs % 1000) * 1000};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    // Binding first is slow (a port search per connection): only for another source.
    const bool otherSource = qstrcmp(source, "127.0.0.1") != 0;
    if ((otherSource && ::bind(fd, reinterpret_cast<sockaddr *>(&from), sizeof from) != 0)
        || ::connect(fd, reinterpret_cast<sockaddr *>(&to), sizeof to) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

bool sendAll(int fd, const QByteArray &bytes, int timeoutMs)
{
    qint64 sent = 0;
    const qint64 end = nowMs() + timeoutMs;
    while (sent < bytes.size()) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, int(qMax<qint64>(0, end - nowMs()))) <= 0)
            return false;
        const ssize_t n = ::send(fd, bytes.constData() + sent, size_t(bytes.size() - sent), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            return false;
        }
        sent += n;
    }
    return true;
}

qint64 sendSome(int fd, const QByteArray &bytes)
{
    const ssize_t n = ::send(fd, bytes.constData(), size_t(bytes.size()), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0)
        return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
    return n;
}

int Reading::status() const
{
    static const QRegularExpression line(QStringLiteral("^HTTP/1\\.[01] (\\d{3}) "));
    // Skip interim answers (100 Continue).
    qsizetype at = 0;
    while (at < bytes.size()) {
        const auto m = line.match(QString::fromLatin1(bytes.mid(at, 16)));
        if (!m.hasMatch())
            return 0;
        const int s = m.captured(1).toInt();
        if (s >= 200)
            return s;
        const qsizetype headEnd = bytes.indexOf("\r\n\r\n", at);
        if (headEnd < 0)
            return s;
        at = headEnd + 4;
    }
    return 0;
}

Reading readUntilClose(int fd, int timeoutMs)
{
    Reading r;
    const qint64 start = nowMs();
    char buffer[65536];
    for (;;) {
        const qint64 left = start + timeoutMs - nowMs();
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, int(left)) <= 0) {
            r.end = Reading::TimedOut;
            break;
        }
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n == 0) {
            r.end = Reading::Eof;
            break;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            r.end = Reading::Reset;
            break;
        }
        r.bytes.append(buffer, n);
    }
    r.elapsedMs = nowMs() - start;
    return r;
}

Reading readAnswer(int fd, int timeoutMs)
{
    Reading r;
    const qint64 start = nowMs();
    char buffer[65536];
    for (;;) {
        const qsizetype headEnd = r.bytes.indexOf("\r\n\r\n");
        if (headEnd >= 0 && r.status() >= 200) {
            static const QRegularExpression length(QStringLiteral("(?i)\r\ncontent-length: *(\\d+)"));
            const qsizetype finalStart = r.bytes.lastIndexOf("HTTP/1.", headEnd);
            const qsizetype finalEnd = r.bytes.indexOf("\r\n\r\n", finalStart);
            if (finalEnd >= 0) {
                const auto m = length.match(QString::fromLatin1(r.bytes.mid(finalStart, finalEnd - finalStart + 2)));
                const qint64 body = m.hasMatch() ? m.captured(1).toLongLong() : 0;
                if (r.bytes.size() >= finalEnd + 4 + body) {
                    r.elapsedMs = nowMs() - start;
                    return r;
                }
            }
        }
        const qint64 left = start + timeoutMs - nowMs();
        pollfd p{fd, POLLIN, 0};
        if (left <= 0 || ::poll(&p, 1, int(left)) <= 0) {
            r.end = Reading::TimedOut;
            break;
        }
        const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
        if (n == 0) {
            r.end = Reading::Eof;
            break;
        }
        if (n < 0) {
            if (errno == EAGAIN || errno == EINTR)
                continue;
            r.end = Reading::Reset;
            break;
        }
        r.bytes.append(buffer, n);
    }
    r.elapsedMs = nowMs() - start;
    return r;
}

bool peerClosed(int fd)
{
    char c;
    const ssize_t n = ::recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    if (n == 0)
        return true;
    if (n < 0)
        return errno != EAGAIN && errno != EINTR;
    // Data waiting (an answer such as 408): closed if the end follows it.
    pollfd p{fd, POLLRDHUP, 0};
    return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

void closeAll(std::vector<int> &fds)
{
    for (int fd : fds) {
        if (fd >= 0)
            ::close(fd);
    }
    fds.clear();
}

WellBehavedClient::WellBehavedClient(quint16 port, int intervalMs, const char *source)
    : m_port(port)
    , m_intervalMs(intervalMs)
    , m_source(source)
{
}

WellBehavedClient::~WellBehavedClient() { stop(); }

void WellBehavedClient::start()
{
    m_stop = false;
    m_thread = std::thread([this] { run(); });
}

void WellBehavedClient::stop()
{
    m_stop = true;
    if (m_thread.joinable())
        m_thread.join();
}

double WellBehavedClient::exchange(int &fd, quint16 port) const
{
    static const QByteArray request = "GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
    QElapsedTimer t;
    t.start();
    if (fd < 0)
        fd = connectFrom(port, m_source);
    if (fd >= 0 && sendAll(fd, request, 5000) && readAnswer(fd, 5000).status() == 200)
        return double(t.nsecsElapsed()) / 1e6;
    if (fd >= 0)
        ::close(fd);
    fd = -1;
    return -1;
}

void WellBehavedClient::run()
{
    int fd = -1;
    int controlFd = -1;
    while (!m_stop) {
        const qint64 begin = nowMs();
        const double ms = exchange(fd, m_port);
        if (ms >= 0)
            m_latenciesMs.push_back(ms);
        else
            ++m_failures;
        if (m_controlPort) {
            const double controlMs = exchange(controlFd, m_controlPort);
            if (controlMs >= 0)
                m_controlLatenciesMs.push_back(controlMs);
        }
        const qint64 rest = begin + m_intervalMs - nowMs();
        if (rest > 0)
            QThread::msleep(quint64(rest));
    }
    for (const int open : {fd, controlFd}) {
        if (open >= 0)
            ::close(open);
    }
}

double WellBehavedClient::p99(const std::vector<double> &latenciesMs)
{
    if (latenciesMs.empty())
        return 1e9;
    std::vector<double> sorted = latenciesMs;
    std::sort(sorted.begin(), sorted.end());
    return sorted[std::min(sorted.size() - 1, size_t(double(sorted.size()) * 0.99))];
}

double quietP99Ms(quint16 port, int ms)
{
    WellBehavedClient quiet(port);
    quiet.start();
    QThread::msleep(quint64(ms));
    quiet.stop();
    return quiet.p99Ms();
}

bool withinNormalLatency(double p99, double quietP99, double controlP99, QString *why)
{
    constexpr double absoluteMs = 50.0 * Sanitizer::slowdown;
    const double machine = qMax(quietP99, controlP99);
    const bool quietMachine = machine <= absoluteMs / 2;
    const double bound = quietMachine ? absoluteMs : 2 * machine + 10;
    *why = QStringLiteral("p99 %1 ms under attack, %2 ms quiet before, %3 ms on the control server meanwhile; bound %4 ms (%5)")
               .arg(p99, 0, 'f', 2)
               .arg(quietP99, 0, 'f', 2)
               .arg(controlP99, 0, 'f', 2)
               .arg(bound, 0, 'f', 2)
               .arg(quietMachine ? (Sanitizer::slowdown > 1 ? QStringLiteral("absolute, times the sanitizer's slowdown") : QStringLiteral("absolute"))
                                 : QStringLiteral("machine busy: relative to the slower of quiet and control"));
    return p99 < bound;
}

qint64 raiseDescriptorLimit()
{
    rlimit limit{};
    ::getrlimit(RLIMIT_NOFILE, &limit);
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
    ::getrlimit(RLIMIT_NOFILE, &limit);
    return qint64(limit.rlim_cur);
}

} // namespace Edge
