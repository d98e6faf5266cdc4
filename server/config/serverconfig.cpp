#include "serverconfig.h"

#include <QDir>
#include <QSettings>
#include <QThread>

namespace {

template<typename T>
void read(const QSettings &ini, const char *key, T &target)
{
    const QString k = QString::fromLatin1(key);
    if (ini.contains(k))
        target = ini.value(k).value<T>();
}

} // namespace

ServerConfig ServerConfig::fromIni(const QString &path, QStringList *warnings)
{
    ServerConfig c;
    if (path.isEmpty())
        return c;
    QSettings ini(path, QSettings::IniFormat);
    static const QStringList known = {
        QStringLiteral("server/bind"), QStringLiteral("server/port"),
        QStringLiteral("server/threads"), QStringLiteral("server/maxBodyBytes"),
        QStringLiteral("server/dataDir"), QStringLiteral("server/logLevel"),
        QStringLiteral("database/url"), QStringLiteral("database/poolSize"),
        QStringLiteral("auth/accessTokenTtlSeconds"), QStringLiteral("auth/refreshTokenTtlSeconds"),
        QStringLiteral("auth/argon2OpsLimit"), QStringLiteral("auth/argon2MemLimitKiB"),
        QStringLiteral("auth/maxFailedLogins"), QStringLiteral("auth/lockoutSeconds"),
        QStringLiteral("auth/tokenRateLimitAttempts"), QStringLiteral("auth/tokenRateLimitWindowSeconds"),
        QStringLiteral("purchase/rateLimitSeconds"), QStringLiteral("purchase/reservationTtlSeconds"),
        QStringLiteral("purchase/groupCommitMaxBatch"), QStringLiteral("purchase/groupCommitMaxDelayMs"),
        QStringLiteral("demo/seed"), QStringLiteral("demo/saleStartDelaySeconds"),
    };
    if (warnings) {
        for (const QString &key : ini.allKeys()) {
            if (!known.contains(key))
                warnings->append(QStringLiteral("unknown configuration key %1 in %2").arg(key, path));
        }
    }
    QString bind;
    read(ini, "server/bind", bind);
    if (!bind.isEmpty())
        c.http.bind = QHostAddress(bind);
    int port = c.http.port;
    read(ini, "server/port", port);
    c.http.port = quint16(port);
    read(ini, "server/threads", c.http.threads);
    read(ini, "server/maxBodyBytes", c.http.maxBodyBytes);
    read(ini, "server/dataDir", c.dataDir);
    read(ini, "server/logLevel", c.logLevel);
    read(ini, "database/url", c.database.url);
    read(ini, "database/poolSize", c.database.poolSize);
    read(ini, "auth/accessTokenTtlSeconds", c.auth.accessTokenTtlSeconds);
    read(ini, "auth/refreshTokenTtlSeconds", c.auth.refreshTokenTtlSeconds);
    read(ini, "auth/argon2OpsLimit", c.auth.argon2OpsLimit);
    read(ini, "auth/argon2MemLimitKiB", c.auth.argon2MemLimitKiB);
    read(ini, "auth/maxFailedLogins", c.auth.maxFailedLogins);
    read(ini, "auth/lockoutSeconds", c.auth.lockoutSeconds);
    read(ini, "auth/tokenRateLimitAttempts", c.auth.tokenRateLimitAttempts);
    read(ini, "auth/tokenRateLimitWindowSeconds", c.auth.tokenRateLimitWindowSeconds);
    read(ini, "purchase/rateLimitSeconds", c.purchase.rateLimitSeconds);
    read(ini, "purchase/reservationTtlSeconds", c.purchase.reservationTtlSeconds);
    read(ini, "purchase/groupCommitMaxBatch", c.purchase.groupCommitMaxBatch);
    read(ini, "purchase/groupCommitMaxDelayMs", c.purchase.groupCommitMaxDelayMs);
    read(ini, "demo/seed", c.demo.seed);
    read(ini, "demo/saleStartDelaySeconds", c.demo.saleStartDelaySeconds);
    return c;
}

QString ServerConfig::effectiveDatabaseUrl() const
{
    if (!database.url.isEmpty())
        return database.url;
    return QStringLiteral("sqlite:") + QDir(dataDir).filePath(QStringLiteral("flashsale.db"));
}

int ServerConfig::effectiveThreads() const
{
    return http.threads > 0 ? http.threads : qMax(1, QThread::idealThreadCount());
}
