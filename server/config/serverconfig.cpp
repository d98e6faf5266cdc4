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
        QStringLiteral("server/threads"), QStringLiteral("server/maxBodyBytes"), QStringLiteral("server/trustedProxies"),
        QStringLiteral("server/dataDir"), QStringLiteral("server/logLevel"),
        QStringLiteral("limits/maxRequestLineBytes"), QStringLiteral("limits/maxHeaderBytes"),
        QStringLiteral("limits/maxHeaderCount"), QStringLiteral("limits/headerTimeoutMs"),
        QStringLiteral("limits/bodyTimeoutMs"), QStringLiteral("limits/idleTimeoutMs"),
        QStringLiteral("limits/maxPipelinedRequests"), QStringLiteral("limits/maxConnections"),
        QStringLiteral("limits/maxConnectionsPerAddress"), QStringLiteral("limits/maxWebSocketMessageBytes"),
        QStringLiteral("server/metricsToken"),
        QStringLiteral("database/url"), QStringLiteral("database/poolSize"),
        QStringLiteral("auth/accessTokenTtlSeconds"), QStringLiteral("auth/refreshTokenTtlSeconds"),
        QStringLiteral("auth/argon2OpsLimit"), QStringLiteral("auth/argon2MemLimitKiB"),
        QStringLiteral("auth/maxFailedLogins"), QStringLiteral("auth/lockoutSeconds"),
        QStringLiteral("auth/tokenRateLimitAttempts"), QStringLiteral("auth/tokenRateLimitWindowSeconds"),
        QStringLiteral("purchase/rateLimitSeconds"), QStringLiteral("purchase/reservationTtlSeconds"),
        QStringLiteral("purchase/groupCommitMaxBatch"), QStringLiteral("purchase/groupCommitMaxDelayMs"),
        QStringLiteral("demo/seed"), QStringLiteral("demo/saleStartDelaySeconds"),
        QStringLiteral("waitingRoom/required"), QStringLiteral("waitingRoom/admissionRatePerSecond"),
        QStringLiteral("waitingRoom/overbookingFactor"), QStringLiteral("waitingRoom/admissionTokenTtlSeconds"),
        QStringLiteral("waitingRoom/admissionIntervalMs"), QStringLiteral("waitingRoom/preQueueOrder"),
        QStringLiteral("waitingRoom/joinLimitPerShopper"), QStringLiteral("waitingRoom/joinLimitPerAddress"),
        QStringLiteral("waitingRoom/joinLimitWindowSeconds"), QStringLiteral("waitingRoom/proofOfWork"),
        QStringLiteral("waitingRoom/proofOfWorkBits"), QStringLiteral("waitingRoom/challengeTtlSeconds"),
        QStringLiteral("waitingRoom/humanMinMs"), QStringLiteral("waitingRoom/requireVerifiedAccount"),
        QStringLiteral("waitingRoom/minAccountAgeSeconds"), QStringLiteral("waitingRoom/groupCommitMaxBatch"),
        QStringLiteral("orders/workers"), QStringLiteral("orders/pollIntervalMs"), QStringLiteral("orders/outboxPollMs"),
        QStringLiteral("orders/reconcileIntervalSeconds"),
        QStringLiteral("payments/gateway"), QStringLiteral("payments/url"), QStringLiteral("payments/timeoutMs"),
        QStringLiteral("payments/maxRetries"), QStringLiteral("payments/backoffBaseMs"), QStringLiteral("payments/backoffMaxMs"),
        QStringLiteral("payments/breakerFailureThreshold"), QStringLiteral("payments/breakerWindowSeconds"),
        QStringLiteral("payments/breakerOpenSeconds"), QStringLiteral("payments/simulatedLatencyMs"),
        QStringLiteral("payments/simulatedFailureRate"), QStringLiteral("payments/simulatedErrorRate"),
        QStringLiteral("payments/simulatedTimeoutRate"),
        QStringLiteral("cluster/nodeId"), QStringLiteral("cluster/advertiseUrl"), QStringLiteral("cluster/leaseTtlSeconds"),
        QStringLiteral("cluster/heartbeatMs"), QStringLiteral("cluster/leaseHorizonSeconds"), QStringLiteral("cluster/leaseMaxChunk"),
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
    // A comma in an INI value makes QSettings return a list.
    for (const QString &entry : ini.value(QStringLiteral("server/trustedProxies")).toStringList()) {
        const QHostAddress proxy(entry.trimmed());
        if (!proxy.isNull())
            c.http.trustedProxies.append(proxy);
        else if (warnings && !entry.trimmed().isEmpty())
            warnings->append(QStringLiteral("server/trustedProxies: %1 is not an IP address").arg(entry));
    }
    read(ini, "server/dataDir", c.dataDir);
    read(ini, "limits/maxRequestLineBytes", c.limits.maxRequestLineBytes);
    read(ini, "limits/maxHeaderBytes", c.limits.maxHeaderBytes);
    read(ini, "limits/maxHeaderCount", c.limits.maxHeaderCount);
    read(ini, "limits/headerTimeoutMs", c.limits.headerTimeoutMs);
    read(ini, "limits/bodyTimeoutMs", c.limits.bodyTimeoutMs);
    read(ini, "limits/idleTimeoutMs", c.limits.idleTimeoutMs);
    read(ini, "limits/maxPipelinedRequests", c.limits.maxPipelinedRequests);
    read(ini, "limits/maxConnections", c.limits.maxConnections);
    read(ini, "limits/maxConnectionsPerAddress", c.limits.maxConnectionsPerAddress);
    read(ini, "limits/maxWebSocketMessageBytes", c.limits.maxWebSocketMessageBytes);
    read(ini, "server/metricsToken", c.http.metricsToken);
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
    read(ini, "waitingRoom/required", c.waitingRoom.required);
    read(ini, "waitingRoom/admissionRatePerSecond", c.waitingRoom.admissionRatePerSecond);
    read(ini, "waitingRoom/overbookingFactor", c.waitingRoom.overbookingFactor);
    read(ini, "waitingRoom/admissionTokenTtlSeconds", c.waitingRoom.admissionTokenTtlSeconds);
    read(ini, "waitingRoom/admissionIntervalMs", c.waitingRoom.admissionIntervalMs);
    read(ini, "waitingRoom/preQueueOrder", c.waitingRoom.preQueueOrder);
    read(ini, "waitingRoom/joinLimitPerShopper", c.waitingRoom.joinLimitPerShopper);
    read(ini, "waitingRoom/joinLimitPerAddress", c.waitingRoom.joinLimitPerAddress);
    read(ini, "waitingRoom/joinLimitWindowSeconds", c.waitingRoom.joinLimitWindowSeconds);
    read(ini, "waitingRoom/proofOfWork", c.waitingRoom.proofOfWork);
    read(ini, "waitingRoom/proofOfWorkBits", c.waitingRoom.proofOfWorkBits);
    read(ini, "waitingRoom/challengeTtlSeconds", c.waitingRoom.challengeTtlSeconds);
    read(ini, "waitingRoom/humanMinMs", c.waitingRoom.humanMinMs);
    read(ini, "waitingRoom/requireVerifiedAccount", c.waitingRoom.requireVerifiedAccount);
    read(ini, "waitingRoom/minAccountAgeSeconds", c.waitingRoom.minAccountAgeSeconds);
    read(ini, "waitingRoom/groupCommitMaxBatch", c.waitingRoom.groupCommitMaxBatch);
    read(ini, "orders/workers", c.orders.workers);
    read(ini, "orders/pollIntervalMs", c.orders.pollIntervalMs);
    read(ini, "orders/outboxPollMs", c.orders.outboxPollMs);
    read(ini, "orders/reconcileIntervalSeconds", c.orders.reconcileIntervalSeconds);
    read(ini, "payments/gateway", c.payments.gateway);
    read(ini, "payments/url", c.payments.url);
    read(ini, "payments/timeoutMs", c.payments.timeoutMs);
    read(ini, "payments/maxRetries", c.payments.maxRetries);
    read(ini, "payments/backoffBaseMs", c.payments.backoffBaseMs);
    read(ini, "payments/backoffMaxMs", c.payments.backoffMaxMs);
    read(ini, "payments/breakerFailureThreshold", c.payments.breakerFailureThreshold);
    read(ini, "payments/breakerWindowSeconds", c.payments.breakerWindowSeconds);
    read(ini, "payments/breakerOpenSeconds", c.payments.breakerOpenSeconds);
    read(ini, "payments/simulatedLatencyMs", c.payments.simulatedLatencyMs);
    read(ini, "payments/simulatedFailureRate", c.payments.simulatedFailureRate);
    read(ini, "payments/simulatedErrorRate", c.payments.simulatedErrorRate);
    read(ini, "payments/simulatedTimeoutRate", c.payments.simulatedTimeoutRate);
    read(ini, "cluster/nodeId", c.cluster.nodeId);
    read(ini, "cluster/advertiseUrl", c.cluster.advertiseUrl);
    read(ini, "cluster/leaseTtlSeconds", c.cluster.leaseTtlSeconds);
    read(ini, "cluster/heartbeatMs", c.cluster.heartbeatMs);
    read(ini, "cluster/leaseHorizonSeconds", c.cluster.leaseHorizonSeconds);
    read(ini, "cluster/leaseMaxChunk", c.cluster.leaseMaxChunk);
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
