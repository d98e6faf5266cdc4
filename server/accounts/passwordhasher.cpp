#include "passwordhasher.h"

#include "sodiumsupport.h"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

namespace {

quint64 clampOps(quint64 ops)
{
    return std::clamp<quint64>(ops, crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_OPSLIMIT_MAX);
}

quint64 clampMemBytes(quint64 kib)
{
    const quint64 maxBytes = std::min<quint64>(crypto_pwhash_MEMLIMIT_MAX, quint64(4) << 40); // 4 TiB is plenty
    const quint64 bytes = kib > maxBytes / 1024 ? maxBytes : kib * 1024;
    return std::clamp<quint64>(bytes, crypto_pwhash_MEMLIMIT_MIN, maxBytes);
}

// libsodium reads the hash as a C string of at most crypto_pwhash_STRBYTES.
bool plausibleHash(const QByteArray &encodedHash)
{
    return !encodedHash.isEmpty() && encodedHash.size() < qsizetype(crypto_pwhash_STRBYTES);
}

} // namespace

PasswordHasher::PasswordHasher(quint64 opsLimit, quint64 memLimitKiB)
    : m_opsLimit(clampOps(opsLimit))
    , m_memLimitBytes(clampMemBytes(memLimitKiB))
{
    if (!Sodium::initialize())
        throw std::runtime_error("libsodium could not be initialized");
    // A hash of a random secret nobody knows, with the same costs as real ones.
    m_dummyHash = hash(QString::fromLatin1(Sodium::randomBytes(32).toBase64()));
}

QByteArray PasswordHasher::hash(const QString &password) const
{
    const QByteArray utf8 = password.toUtf8();
    char out[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str_alg(out, utf8.constData(), quint64(utf8.size()), m_opsLimit, size_t(m_memLimitBytes),
                              crypto_pwhash_ALG_ARGON2ID13) != 0)
        throw std::runtime_error("Argon2id hashing failed (out of memory?)");
    return QByteArray(out);
}

bool PasswordHasher::verify(const QByteArray &encodedHash, const QString &password) const
{
    if (!plausibleHash(encodedHash))
        return false;
    const QByteArray utf8 = password.toUtf8();
    return crypto_pwhash_str_verify(encodedHash.constData(), utf8.constData(), quint64(utf8.size())) == 0;
}

void PasswordHasher::verifyDummy(const QString &password) const
{
    (void)verify(m_dummyHash, password);
}

bool PasswordHasher::needsRehash(const QByteArray &encodedHash) const
{
    if (!plausibleHash(encodedHash))
        return true;
    return crypto_pwhash_str_needs_rehash(encodedHash.constData(), m_opsLimit, size_t(m_memLimitBytes)) != 0;
}
