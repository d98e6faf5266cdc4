#include "secretkeyfile.h"

#include "telemetry/logger.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QSaveFile>

namespace {

constexpr QFileDevice::Permissions ownerOnly = QFileDevice::ReadOwner | QFileDevice::WriteOwner;

bool readKey(const QString &path, QByteArray *key, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.read(SecretKeyFile::KeyBytes + 1);
    if (bytes.size() != SecretKeyFile::KeyBytes) {
        *error = QStringLiteral("%1 holds %2 bytes, not %3; delete it to make a new one (admission tokens "
                                "already handed out will be refused)").arg(path).arg(bytes.size()).arg(SecretKeyFile::KeyBytes);
        return false;
    }
    if (file.permissions() != ownerOnly && !file.setPermissions(ownerOnly)) {
        *error = QStringLiteral("cannot make %1 readable by its owner only").arg(path);
        return false;
    }
    *key = bytes;
    return true;
}

} // namespace

namespace SecretKeyFile {

bool loadOrCreate(const QString &folder, const QString &name, QByteArray *key, QString *error)
{
    if (!QDir().mkpath(folder)) {
        *error = QStringLiteral("cannot create folder %1").arg(folder);
        return false;
    }
    const QString path = QDir(folder).absoluteFilePath(name);
    if (QFile::exists(path))
        return readKey(path, key, error);
    QByteArray fresh(KeyBytes, Qt::Uninitialized);
    QRandomGenerator::system()->generate(fresh.begin(), fresh.end());
    // QSaveFile writes beside the final name and renames on commit: never half a key.
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || !file.setPermissions(ownerOnly) || file.write(fresh) != fresh.size()
        || !file.commit()) {
        *error = QStringLiteral("cannot write %1: %2").arg(path, file.errorString());
        return false;
    }
    Log::info(QStringLiteral("waitingRoom.key.created"), {{QStringLiteral("path"), path}});
    *key = fresh;
    return true;
}

} // namespace SecretKeyFile
