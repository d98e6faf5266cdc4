#pragma once

#include <QByteArray>
#include <QString>

// Argon2id password hashes through libsodium (crypto_pwhash_str). The stored string
// carries its own salt and cost, so hashes made with older settings still verify.
// Immutable once built; every method is safe from any thread. Hashing is slow on
// purpose: call it on a database thread, never on an HTTP thread.
class PasswordHasher
{
public:
    // Costs below libsodium's minimum (1 pass, 8 KiB) are raised to it.
    PasswordHasher(quint64 opsLimit, quint64 memLimitKiB);

    // "$argon2id$v=19$m=...,t=...,p=1$salt$hash". Throws std::runtime_error if libsodium
    // fails (it can run out of memory).
    QByteArray hash(const QString &password) const;
    bool verify(const QByteArray &encodedHash, const QString &password) const;
    // Does the work of one verify against a hash no password matches, so that a login
    // for an e-mail without an account takes as long as one with a wrong password.
    void verifyDummy(const QString &password) const;
    // True when `encodedHash` was made with other costs than this hasher's.
    bool needsRehash(const QByteArray &encodedHash) const;

    quint64 opsLimit() const { return m_opsLimit; }
    quint64 memLimitBytes() const { return m_memLimitBytes; }

private:
    quint64 m_opsLimit;
    quint64 m_memLimitBytes;
    QByteArray m_dummyHash;
};
