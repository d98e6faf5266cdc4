#pragma once

#include <QByteArray>

// The few libsodium services the accounts module needs, behind Qt types.
namespace Sodium {

// Initializes libsodium once for the process (thread-safe). False if it cannot run,
// for example without a source of randomness.
bool initialize();

// `count` bytes from the operating system's cryptographic random source.
// Throws std::runtime_error if libsodium could not be initialized.
QByteArray randomBytes(int count);

// Compares in time that depends only on the length, never on where the bytes differ.
bool equalConstantTime(const QByteArray &a, const QByteArray &b);

} // namespace Sodium
