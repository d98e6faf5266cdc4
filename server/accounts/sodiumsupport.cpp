#include "sodiumsupport.h"

#include <sodium.h>

#include <stdexcept>

namespace Sodium {

bool initialize()
{
    // sodium_init() is itself thread-safe; the static makes it run once.
    static const bool ready = sodium_init() >= 0;
    return ready;
}

QByteArray randomBytes(int count)
{
    if (!initialize())
        throw std::runtime_error("libsodium could not be initialized");
    QByteArray bytes(count, Qt::Uninitialized);
    randombytes_buf(bytes.data(), size_t(bytes.size()));
    return bytes;
}

bool equalConstantTime(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false; // lengths are public (a signature is always 32 bytes)
    if (a.isEmpty())
        return true;
    return sodium_memcmp(a.constData(), b.constData(), size_t(a.size())) == 0;
}

} // namespace Sodium
