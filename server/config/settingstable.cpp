#include "settingstable.h"

#include <QStringList>
#include <QUrl>

#include <type_traits>
#include <utility>

namespace {

Setting custom(const char *key, const char *meaning, std::function<QVariant(const ServerConfig &)> value,
               std::function<bool(ServerConfig &, const QVariant &, QString *)> store)
{
    return {QString::fromLatin1(key), QString::fromUtf8(meaning), std::move(value), std::move(store)};
}

// A setting held in `Section ServerConfig::*section`, field `T Section::*field`.
template<typename Section, typename T>
Setting field(const char *key, Section ServerConfig::*section, T Section::*member, const char *meaning)
{
    return custom(
        key, meaning, [section, member](const ServerConfig &c) { return QVariant::fromValue((c.*section).*member); },
        [section, member](ServerConfig &c, const QVariant &text, QString *why) {
            if constexpr (std::is_same_v<T, QString>) {
                (c.*section).*member = text.toString();
                return true;
            } else if constexpr (std::is_same_v<T, bool>) {
                const QString t = text.toString().trimmed().toLower();
                const bool yes = t == QLatin1String("true") || t == QLatin1String("1");
                if (!yes && t != QLatin1String("false") && t != QLatin1String("0")) {
                    *why = QStringLiteral("must be true or false; the default is kept");
                    return false;
                }
                (c.*section).*member = yes;
                return true;
            } else {
                QVariant v = text;
                if (!v.convert(QMetaType::fromType<T>())) {
                    *why = QStringLiteral("must be a number; the default is kept");
                    return false;
                }
                (c.*section).*member = v.value<T>();
                return true;
            }
        });
}

// A setting held directly in ServerConfig.
Setting topLevel(const char *key, QString ServerConfig::*member, const char *meaning)
{
    return custom(key, meaning, [member](const ServerConfig &c) { return QVariant(c.*member); },
                  [member](ServerConfig &c, const QVariant &text, QString *) {
                      c.*member = text.toString();
                      return true;
                  });
}

Setting bindAddress()
{
    return custom("server/bind", "Address to listen on.", [](const ServerConfig &c) { return QVariant(c.http.bind.toString()); },
                  [](ServerConfig &c, const QVariant &text, QString *why) {
                      const QString t = text.toString().trimmed();
                      if (t.isEmpty())
                          return true;
                      const QHostAddress a(t);
                      if (a.isNull()) {
                          *why = QStringLiteral("must be an IP address; the default is kept");
                          return false;
                      }
                      c.http.bind = a;
                      return true;
                  });
}

Setting port()
{
    return custom("server/port", "TCP port; 0 takes any free port.", [](const ServerConfig &c) { return QVariant(int(c.http.port)); },
                  [](ServerConfig &c, const QVariant &text, QString *why) {
                      bool ok = false;
                      const int p = text.toString().trimmed().toInt(&ok);
                      if (!ok || p < 0 || p > 65535) {
                          *why = QStringLiteral("must be a port from 0 to 65535; the default is kept");
                          return false;
                      }
                      c.http.port = quint16(p);
                      return true;
                  });
}

Setting trustedProxies()
{
    return custom(
        "server/trustedProxies", "Load balancers whose X-Forwarded-For is believed (comma-separated IPs).",
        [](const ServerConfig &c) {
            QStringList list;
            for (const QHostAddress &a : c.http.trustedProxies)
                list.append(a.toString());
            return QVariant(list.join(QLatin1Char(',')));
        },
        [](ServerConfig &c, const QVariant &text, QString *why) {
            // A comma in an INI value makes QSettings return a list.
            QStringList invalid;
            for (const QString &entry : text.toStringList()) {
                const QHostAddress proxy(entry.trimmed());
                if (!proxy.isNull())
                    c.http.trustedProxies.append(proxy);
                else if (!entry.trimmed().isEmpty())
                    invalid.append(entry.trimmed());
            }
            for (const QString &entry : std::as_const(invalid))
                why->append(QStringLiteral("%1%2: not an IP address, ignored").arg(why->isEmpty() ? QString() : QStringLiteral("\n"), entry));
            return invalid.isEmpty();
        });
}

Setting corsAllowedOrigins()
{
    return custom(
        "server/corsAllowedOrigins", "Origins (scheme://host[:port]) whose pages may call the API through CORS, or *.",
        [](const ServerConfig &c) { return QVariant(c.http.corsAllowedOrigins.join(QLatin1Char(','))); },
        [](ServerConfig &c, const QVariant &text, QString *why) {
            QStringList invalid;
            for (const QString &entry : text.toStringList()) {
                const QString origin = entry.trimmed();
                const QUrl url(origin);
                if (origin == QLatin1String("*")
                    || (url.isValid() && (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https"))
                        && !url.host().isEmpty() && url.path().isEmpty() && !url.hasQuery()))
                    c.http.corsAllowedOrigins.append(origin);
                else if (!origin.isEmpty())
                    invalid.append(origin);
            }
            for (const QString &entry : std::as_const(invalid))
                why->append(QStringLiteral("%1%2: not an origin (scheme://host[:port]), ignored")
                                .arg(why->isEmpty() ? QString() : QStringLiteral("\n"), entry));
            return invalid.isEmpty();
        });
}

std::vector<Setting> makeTable()
{
    using C = ServerConfig;
    return {
        bindAddress(),
        port(),
        field("server/threads", &C::http, &C::Http::threads, "HTTP threads, each with its own event loop; 0: one per core."),
        field("server/maxBodyBytes", &C::http, &C::Http::maxBodyBytes, "Largest request body accepted, in bytes; larger answers 413."),
        trustedProxies(),
        corsAllowedOrigins(),
        field("server/metricsToken", &C::http, &C::Http::metricsToken,
              "A bearer token a Prometheus scraper sends for GET /metrics; empty: only an admin's token or a loopback client."),
        field("limits/maxRequestLineBytes", &C::limits, &C::Limits::maxRequestLineBytes, "Longest request line (method, target, version); longer answers 414."),
        field("limits/maxHeaderBytes", &C::limits, &C::Limits::maxHeaderBytes, "All header lines of one request together; more answers 431."),
        field("limits/maxHeaderCount", &C::limits, &C::Limits::maxHeaderCount, "Header lines in one request; more answers 431."),
        field("limits/headerTimeoutMs", &C::limits, &C::Limits::headerTimeoutMs, "A request's head must arrive within this; later answers 408."),
        field("limits/bodyTimeoutMs", &C::limits, &C::Limits::bodyTimeoutMs, "A request's body must arrive within this after its head; later answers 408."),
        field("limits/idleTimeoutMs", &C::limits, &C::Limits::idleTimeoutMs, "A kept-alive connection with nothing to do is closed after this."),
        field("limits/maxPipelinedRequests", &C::limits, &C::Limits::maxPipelinedRequests, "Requests read ahead of their answers on one connection."),
        field("limits/maxConnections", &C::limits, &C::Limits::maxConnections, "Open connections in all; more answers 503 and closes; 0: no limit."),
        field("limits/maxConnectionsPerAddress", &C::limits, &C::Limits::maxConnectionsPerAddress,
              "Open connections per client address (trusted proxies exempt); more answers 429 and closes; 0: no limit."),
        field("limits/maxWebSocketMessageBytes", &C::limits, &C::Limits::maxWebSocketMessageBytes, "Largest WebSocket message or frame from a client; larger closes it (1009)."),
        topLevel("server/dataDir", &C::dataDir, "Folder for the SQLite database, the signing keys and other local state."),
        topLevel("server/logLevel", &C::logLevel, "debug, info, warning or error."),
        field("database/url", &C::database, &C::Database::url, "sqlite:PATH or postgresql://user:password@host:port/dbname; empty: SQLite in dataDir."),
        field("database/poolSize", &C::database, &C::Database::poolSize, "Threads that run database work."),
        field("auth/accessTokenTtlSeconds", &C::auth, &C::Auth::accessTokenTtlSeconds, "Lifetime of a JWT access token."),
        field("auth/refreshTokenTtlSeconds", &C::auth, &C::Auth::refreshTokenTtlSeconds, "Lifetime of a refresh token."),
        field("auth/refreshReuseIntervalSeconds", &C::auth, &C::Auth::refreshReuseIntervalSeconds,
              "A refresh token used again this soon answers the same new pair; later reuse revokes the chain; 0: always revoke."),
        field("auth/argon2OpsLimit", &C::auth, &C::Auth::argon2OpsLimit, "Argon2id passes."),
        field("auth/argon2MemLimitKiB", &C::auth, &C::Auth::argon2MemLimitKiB, "Argon2id memory in KiB."),
        field("auth/maxFailedLogins", &C::auth, &C::Auth::maxFailedLogins,
              "Wrong passwords in a row for one account from one client address before that address is locked out of it."),
        field("auth/lockoutSeconds", &C::auth, &C::Auth::lockoutSeconds, "The first lockout of an account and address; each next one doubles."),
        field("auth/maxLockoutSeconds", &C::auth, &C::Auth::maxLockoutSeconds, "The longest lockout of an account and address."),
        field("auth/tokenRateLimitAttempts", &C::auth, &C::Auth::tokenRateLimitAttempts, "POST /token attempts per client address per window; 0: off."),
        field("auth/tokenRateLimitWindowSeconds", &C::auth, &C::Auth::tokenRateLimitWindowSeconds, "The window of tokenRateLimitAttempts."),
        field("auth/registrationRateLimitAttempts", &C::auth, &C::Auth::registrationRateLimitAttempts,
              "POST /users per client address per window; 0: off."),
        field("auth/registrationRateLimitWindowSeconds", &C::auth, &C::Auth::registrationRateLimitWindowSeconds,
              "The window of registrationRateLimitAttempts."),
        field("auth/hashingThreads", &C::auth, &C::Auth::hashingThreads,
              "Threads that hash sign-up passwords (Argon2id), apart from the database pool and the HTTP threads."),
        field("auth/hashingQueue", &C::auth, &C::Auth::hashingQueue, "Sign-ups waiting for or in hashing; more are answered 503."),
        field("purchase/rateLimitSeconds", &C::purchase, &C::Purchase::rateLimitSeconds, "One purchase attempt per shopper per this many seconds."),
        field("purchase/reservationTtlSeconds", &C::purchase, &C::Purchase::reservationTtlSeconds, "A reservation not paid by then expires and its units return."),
        field("purchase/retireAfterEndSeconds", &C::purchase, &C::Purchase::retireAfterEndSeconds, "An ended sale's idempotency keys, per-shopper counts and waiting-room tickets leave memory this long after its end; replays are then answered from the journal, and its queue status from then on is 410."),
        field("purchase/groupCommitMaxBatch", &C::purchase, &C::Purchase::groupCommitMaxBatch, "Most reservations in one journal commit."),
        field("orders/workers", &C::orders, &C::Orders::workers, "Saga worker threads (they wait on the payment gateway)."),
        field("orders/pollIntervalMs", &C::orders, &C::Orders::pollIntervalMs, "Scan for orders with work left and expired reservations."),
        field("orders/outboxPollMs", &C::orders, &C::Orders::outboxPollMs, "The outbox dispatcher's scan for undelivered events."),
        field("orders/reconcileIntervalSeconds", &C::orders, &C::Orders::reconcileIntervalSeconds, "Reconciliation period; 0: only on request."),
        field("payments/gateway", &C::payments, &C::Payments::gateway, "simulated or http."),
        field("payments/url", &C::payments, &C::Payments::url, "The external gateway's URL, for http."),
        field("payments/timeoutMs", &C::payments, &C::Payments::timeoutMs, "Longest wait for one gateway call."),
        field("payments/maxRetries", &C::payments, &C::Payments::maxRetries, "Retries of a failed gateway call."),
        field("payments/backoffBaseMs", &C::payments, &C::Payments::backoffBaseMs, "First retry delay (doubles each time)."),
        field("payments/backoffMaxMs", &C::payments, &C::Payments::backoffMaxMs, "Longest retry delay."),
        field("payments/breakerFailureThreshold", &C::payments, &C::Payments::breakerFailureThreshold, "Failures in the window that open the circuit breaker."),
        field("payments/breakerWindowSeconds", &C::payments, &C::Payments::breakerWindowSeconds, "The circuit breaker's window."),
        field("payments/breakerOpenSeconds", &C::payments, &C::Payments::breakerOpenSeconds, "How long the breaker stays open."),
        field("payments/simulatedLatencyMs", &C::payments, &C::Payments::simulatedLatencyMs, "The simulated gateway's latency."),
        field("payments/simulatedFailureRate", &C::payments, &C::Payments::simulatedFailureRate, "Share of declined charges (simulated gateway)."),
        field("payments/simulatedErrorRate", &C::payments, &C::Payments::simulatedErrorRate, "Share of gateway errors, retried (simulated gateway)."),
        field("payments/simulatedTimeoutRate", &C::payments, &C::Payments::simulatedTimeoutRate, "Share of charges whose answer is lost (simulated gateway)."),
        field("waitingRoom/required", &C::waitingRoom, &C::WaitingRoom::required, "Purchases need an admission token."),
        field("waitingRoom/admissionRatePerSecond", &C::waitingRoom, &C::WaitingRoom::admissionRatePerSecond, "A new sale's admission rate."),
        field("waitingRoom/overbookingFactor", &C::waitingRoom, &C::WaitingRoom::overbookingFactor, "Admitted-but-unfinished shoppers allowed per remaining unit."),
        field("waitingRoom/admissionTokenTtlSeconds", &C::waitingRoom, &C::WaitingRoom::admissionTokenTtlSeconds, "How long an admitted shopper has to buy."),
        field("waitingRoom/admissionIntervalMs", &C::waitingRoom, &C::WaitingRoom::admissionIntervalMs, "The admission controller's tick."),
        field("waitingRoom/preQueueOrder", &C::waitingRoom, &C::WaitingRoom::preQueueOrder, "arrival or shuffled: the order of tickets taken before the start."),
        field("waitingRoom/joinLimitPerShopper", &C::waitingRoom, &C::WaitingRoom::joinLimitPerShopper, "Joins per shopper per window; 0: off."),
        field("waitingRoom/joinLimitPerAddress", &C::waitingRoom, &C::WaitingRoom::joinLimitPerAddress, "Joins per client address per window; 0: off."),
        field("waitingRoom/joinLimitWindowSeconds", &C::waitingRoom, &C::WaitingRoom::joinLimitWindowSeconds, "The window of the join limits."),
        field("waitingRoom/proofOfWork", &C::waitingRoom, &C::WaitingRoom::proofOfWork, "Joins must carry a solved challenge."),
        field("waitingRoom/proofOfWorkBits", &C::waitingRoom, &C::WaitingRoom::proofOfWorkBits, "Leading zero bits the challenge asks for."),
        field("waitingRoom/challengeTtlSeconds", &C::waitingRoom, &C::WaitingRoom::challengeTtlSeconds, "How long a challenge may be redeemed."),
        field("waitingRoom/humanMinMs", &C::waitingRoom, &C::WaitingRoom::humanMinMs, "A join sooner than this after its challenge goes to the low lane; 0: off."),
        field("waitingRoom/requireVerifiedAccount", &C::waitingRoom, &C::WaitingRoom::requireVerifiedAccount, "Only verified accounts may join."),
        field("waitingRoom/minAccountAgeSeconds", &C::waitingRoom, &C::WaitingRoom::minAccountAgeSeconds, "Only accounts older than this may join."),
        field("waitingRoom/groupCommitMaxBatch", &C::waitingRoom, &C::WaitingRoom::groupCommitMaxBatch, "Tickets per journal transaction."),
        field("cluster/nodeId", &C::cluster, &C::Cluster::nodeId, "This node's id; empty: not clustered."),
        field("cluster/advertiseUrl", &C::cluster, &C::Cluster::advertiseUrl, "How operators reach this node."),
        field("cluster/leaseTtlSeconds", &C::cluster, &C::Cluster::leaseTtlSeconds, "A node silent this long loses its leases."),
        field("cluster/heartbeatMs", &C::cluster, &C::Cluster::heartbeatMs, "Lease renewal, refill and hand-back period."),
        field("cluster/leaseHorizonSeconds", &C::cluster, &C::Cluster::leaseHorizonSeconds, "A lease covers this many seconds of the node's own sales."),
        field("cluster/leaseMaxChunk", &C::cluster, &C::Cluster::leaseMaxChunk, "Most units in one lease."),
        field("demo/seed", &C::demo, &C::Demo::seed, "Seed demo data on the first start."),
        field("demo/saleStartDelaySeconds", &C::demo, &C::Demo::saleStartDelaySeconds, "The demo sale starts this long after the first start."),
    };
}

} // namespace

const std::vector<Setting> &settingsTable()
{
    static const std::vector<Setting> table = makeTable();
    return table;
}
