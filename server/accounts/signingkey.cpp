#include "signingkey.h"

#include "sodiumsupport.h"
#include "telemetry/logger.h"

#include <QDir>
#include <QFile>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace {

QString systemError(const QString &what, const QString &path)
{
    return QStringLiteral("%1 %2: %3").arg(what, path, QString::fromLocal8Bit(std::strerror(errno)));
}

bool writeAll(int fd, const QByteArray &bytes)
{
    qsizetype done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.constData() + done, size_t(bytes.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

// Writes a new key next to the final name, then links it into place: the final name
// appears complete or not at all, and a key another process made first is kept.
// Returns false only on a real failure; *existed tells that another key won.
bool createKeyFile(const QString &path, const QByteArray &key, bool *existed, QString *error)
{
    const QString temporary = path + QStringLiteral(".new-") + QString::number(::getpid());
    const QByteArray tmp = QFile::encodeName(temporary);
    const int fd = ::open(tmp.constData(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) {
        *error = systemError(QStringLiteral("cannot create"), temporary);
        return false;
    }
    const bool written = ::fchmod(fd, 0600) == 0 && writeAll(fd, key) && ::fsync(fd) == 0;
    const int savedErrno = errno;
    ::close(fd);
    if (!written) {
        errno = savedErrno;
        *error = systemError(QStringLiteral("cannot write"), temporary);
        ::unlink(tmp.constData());
        return false;
    }
    const int linked = ::link(tmp.constData(), QFile::encodeName(path).constData());
    const int linkErrno = errno;
    ::unlink(tmp.constData());
    if (linked != 0) {
        if (linkErrno == EEXIST) {
            *existed = true;
            return true;
        }
        errno = linkErrno;
        *error = systemError(QStringLiteral("cannot create"), path);
        return false;
    }
    *existed = false;
    return true;
}

bool readKeyFile(const QString &path, QByteArray *key, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("cannot read %1: %2").arg(path, file.errorString());
        return false;
    }
    const QByteArray bytes = file.read(SigningKey::KeyBytes + 1);
    if (bytes.size() != SigningKey::KeyBytes) {
        *error = QStringLiteral("%1 holds %2 bytes, not %3: restore it from a backup, or delete it to make a new "
                                "key (every token issued so far will be refused)")
                     .arg(path).arg(bytes.size()).arg(SigningKey::KeyBytes);
        return false;
    }
    // Whoever could read the key could mint admin tokens: keep it to the owner.
    const QFileDevice::Permissions others = QFileDevice::ReadGroup | QFileDevice::WriteGroup | QFileDevice::ExeGroup
                                            | QFileDevice::ReadOther | QFileDevice::WriteOther | QFileDevice::ExeOther;
    if (file.permissions() & others) {
        if (::chmod(QFile::encodeName(path).constData(), 0600) != 0) {
            *error = systemError(QStringLiteral("cannot restrict the permissions of"), path);
            return false;
        }
        Log::warning(QStringLiteral("accounts.signingKey.permissionsTightened"), {{QStringLiteral("path"), path}});
    }
    *key = bytes;
    return true;
}

} // namespace

namespace SigningKey {

QString fileName()
{
    return QStringLiteral("jwt-signing.key");
}

bool loadOrCreate(const QString &folder, QByteArray *key, QString *error)
{
    if (!QDir().mkpath(folder)) {
        *error = QStringLiteral("cannot create folder %1").arg(folder);
        return false;
    }
    const QString path = QDir(folder).absoluteFilePath(fileName());
    if (QFile::exists(path))
        return readKeyFile(path, key, error);
    const QByteArray fresh = Sodium::randomBytes(KeyBytes);
    bool existed = false;
    if (!createKeyFile(path, fresh, &existed, error))
        return false;
    if (existed)
        return readKeyFile(path, key, error);
    Log::info(QStringLiteral("accounts.signingKey.created"), {{QStringLiteral("path"), path}});
    *key = fresh;
    return true;
}

} // namespace SigningKey
