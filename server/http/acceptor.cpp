#include "acceptor.h"

#include "httpwire.h"
#include "telemetry/logger.h"

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

constexpr int acceptsPerWake = 64; // then let the thread's other connections run
constexpr int retryMs = 100;

// Every HTTP thread runs out at once: the log says so once for the process.
std::atomic_bool exhaustedNow{false};

int openSpare()
{
    return ::open("/dev/null", O_RDONLY | O_CLOEXEC);
}

} // namespace

Acceptor::Acceptor(int listenDescriptor, Handler handler, QObject *parent)
    : QObject(parent)
    , m_fd(listenDescriptor)
    , m_spare(openSpare())
    , m_handler(std::move(handler))
    , m_notifier(listenDescriptor, QSocketNotifier::Read)
{
    m_retry.setSingleShot(true);
    m_retry.setInterval(retryMs);
    connect(&m_retry, &QTimer::timeout, this, [this] { m_notifier.setEnabled(true); });
    connect(&m_notifier, &QSocketNotifier::activated, this, [this] { acceptReady(); });
}

Acceptor::~Acceptor()
{
    m_notifier.setEnabled(false);
    ::close(m_fd);
    if (m_spare >= 0)
        ::close(m_spare);
}

void Acceptor::acceptReady()
{
    for (int i = 0; i < acceptsPerWake; ++i) {
        const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            if (exhaustedNow.load(std::memory_order_relaxed) && exhaustedNow.exchange(false))
                Log::info(QStringLiteral("http.accept.resumed"));
            if (m_spare < 0)
                m_spare = openSpare();
            m_handler(fd);
            continue;
        }
        switch (errno) {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            exhausted(errno);
            return;
        default: // EAGAIN: nothing more waiting
            return;
        }
    }
}

void Acceptor::exhausted(int error)
{
    if (!exhaustedNow.exchange(true)) {
        Log::error(QStringLiteral("http.accept.exhausted"),
                   {{QStringLiteral("error"), QString::fromLocal8Bit(std::strerror(error))},
                    {QStringLiteral("retryMs"), retryMs}});
    }
    // Shed the connection at the head of the queue with a short answer rather than leave
    // it waiting: give back the spare descriptor, take the connection with it, answer,
    // close, and take the spare again.
    if (m_spare >= 0) {
        ::close(m_spare);
        m_spare = -1;
        const int fd = ::accept4(m_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            static const QByteArray answer = HttpWire::refusal(503, "overloaded", "Server busy", "The server has no room for a new connection.");
            [[maybe_unused]] const ssize_t n = ::send(fd, answer.constData(), size_t(answer.size()), MSG_NOSIGNAL);
            ::close(fd);
        }
        m_spare = openSpare();
    }
    m_notifier.setEnabled(false);
    m_retry.start();
}
