#pragma once

#include <QByteArray>
#include <QString>

// The secret that signs access tokens: 32 random bytes in <dataDir>/jwt-signing.key,
// readable by the owner only (0600). Made on first start, read on every later one, so
// tokens stay valid across restarts. It lives in the data folder, never in the source.
// Nodes behind one load balancer must verify each other's tokens: they share the key
// through the database (SharedKey, table shared_keys), so nothing is copied by hand.
namespace SigningKey {

constexpr int KeyBytes = 32;
QString fileName(); // "jwt-signing.key"

// Reads the key from `folder`, creating the folder and a new key if there is none.
// Returns false with `error` set if the file cannot be made or read, or has the wrong size.
bool loadOrCreate(const QString &folder, QByteArray *key, QString *error);

} // namespace SigningKey
