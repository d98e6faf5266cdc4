#include "reuseportsocket.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace {

// `address`:`port` as the kernel takes it for bind(); returns its length.
socklen_t socketAddress(const QHostAddress &address, quint16 port, sockaddr_storage *storage)
{
    if (address.protocol() == QAbstractSocket::IPv6Protocol) {
        auto *a = reinterpret_cast<sockaddr_in6 *>(storage);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(port);
        const Q_IPV6ADDR raw = address.toIPv6Address();
        std::memcpy(&a->sin6_addr, &raw, sizeof raw);
        return sizeof(sockaddr_in6);
    }
    auto *a = reinterpret_cast<sockaddr_in *>(storage);
    a->sin_family = AF_INET;
    a->sin_port = htons(port);
    a->sin_addr.s_addr = htonl(address.toIPv4Address());
    return sizeof(sockaddr_in);
}

} // namespace

qintptr openReusePortListener(const QHostAddress &address, quint16 port, quint16 *boundPort, QString *error)
{
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof one);
    sockaddr_storage storage{};
    const socklen_t length = socketAddress(address, port, &storage);
    if (::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 || ::listen(fd, 4096) != 0) {
        *error = QStringLiteral("cannot listen on %1:%2: %3")
                     .arg(address.toString()).arg(port).arg(QString::fromLocal8Bit(std::strerror(errno)));
        ::close(fd);
        return -1;
    }
    sockaddr_storage actual{};
    socklen_t actualLength = sizeof actual;
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&actual), &actualLength);
    *boundPort = ntohs(v6 ? reinterpret_cast<sockaddr_in6 *>(&actual)->sin6_port
                          : reinterpret_cast<sockaddr_in *>(&actual)->sin_port);
    return fd;
}

bool portTakenByAnotherProcess(const QHostAddress &address, quint16 port)
{
    if (port == 0)
        return false;
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return false;
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one); // TIME_WAIT leftovers are no owner
    sockaddr_storage storage{};
    const socklen_t length = socketAddress(address, port, &storage);
    const bool taken = ::bind(fd, reinterpret_cast<sockaddr *>(&storage), length) != 0 && errno == EADDRINUSE;
    ::close(fd);
    return taken;
}
