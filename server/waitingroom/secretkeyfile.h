#pragma once

#include <QByteArray>
#include <QString>

// A secret of the waiting room (it signs admission tokens and join challenges): random
// bytes in a file of the data folder, owner-only (0600), made on first start and read on
// every later one, so tokens and challenges stay valid across a restart. Nodes that share
// a sale share the secret through the database (SharedKey): nothing is copied by hand.
namespace SecretKeyFile {

constexpr int KeyBytes = 32;

// Reads `<folder>/<name>`, creating it with fresh random bytes if it does not exist.
bool loadOrCreate(const QString &folder, const QString &name, QByteArray *key, QString *error);

} // namespace SecretKeyFile
