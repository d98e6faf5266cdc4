// The soak scenario of ScenarioRunner: mixed load for a given time while the server's
// memory, descriptors and threads are sampled, then the database audited sale by sale.
#include "scenariorunner.h"

#include "benchlog.h"
#include "benchserver.h"
#include "httpclient.h"
#include "invariants.h"
#include "loadgenerator.h"
#include "orderaudit.h"
#include "processstats.h"
#include "saleaudit.h"
#include "soakchart.h"
#include "soakmonitor.h"
#include "soakworkload.h"
#include "storage/database.h"

#include <QDir>
#include <QJsonArray>
#include <QSqlQuery>
#include <QThread>

#include <algorithm>

namespace {

QJsonArray samplesJson(const std::vector<SoakSample> &samples)
{
    QJsonArray all;
    for (const SoakSample &s : samples)
        all.append(QJsonObject{{QStringLiteral("t"), s.t},
                               {QStringLiteral("rssKiB"), s.rssKiB},
                               {QStringLiteral("rssAnonKiB"), s.anonKiB},
                               {QStringLiteral("sqliteHeapKiB"), s.sqliteKiB},
                               {QStringLiteral("walKiB"), s.walKiB},
                               {QStringLiteral("fds"), s.fds},
                               {QStringLiteral("threads"), s.threads},
                               {QStringLiteral("answersPerSecond"), s.answersPerSecond},
                               {QStringLiteral("errors"), s.errors},
                               {QStringLiteral("serverCores"), s.serverCores}});
    return all;
}

QString trendText(const SoakTrend &t)
{
    const QString values = QStringLiteral("%1 at the end of the warm-up, %2 at the end (min %3, max %4")
                               .arg(number(t.atWarmupEnd, 1), number(t.atEnd, 1), number(t.min, 1), number(t.max, 1));
    if (t.ceiling > 0)
        return QStringLiteral("%1, ceiling %2); slope %3 %4/h; max - min %5: %6")
            .arg(values, number(t.ceiling, 0), number(t.slopePerHour, 2), t.unit, number(t.max - t.min, 1), t.verdict);
    return QStringLiteral("%1); slope %2 %3/h (limit %4%5); max - min %6 (limit %7): %8")
        .arg(values, number(t.slopePerHour, 2), t.unit, number(t.slopeLimit, 0),
             t.slopeChecked ? QString() : QStringLiteral(", not checked under 10 minutes"), number(t.max - t.min, 1),
             number(t.rangeLimit, 1), t.verdict);
}

// The value of one gauge in a Prometheus text answer; -1 when absent.
qint64 gaugeValue(const QByteArray &text, const QByteArray &name)
{
    for (const QByteArray &line : text.split('\n')) {
        if (line.startsWith(name + ' '))
            return qint64(line.mid(name.size() + 1).trimmed().toDouble());
    }
    return -1;
}

} // namespace

bool ScenarioRunner::soak()
{
    m_audit = false;          // auditSoak reads every sale
    m_o.pgBaseline = false;   // not a throughput run
    // The server keeps each open sale's keys until a minute after it ends
    // (purchase/retireAfterEndSeconds): it reaches a steady state only once sales end as fast
    // as they open. A run long enough to judge after that waits for it.
    const double steady = m_o.saleSeconds + 60.0;
    const double warmup = m_o.duration >= 2 * steady ? qMax(steady, m_o.duration * 0.1)
                                                     : qMax(m_o.duration * 0.1, qMin(120.0, m_o.duration * 0.25));
    const int interval = std::clamp(int(m_o.duration / 300), 1, 5);
    const qint64 tokenSeconds = qMax<qint64>(7200, qint64(m_o.duration) + 3600);
    if (!startServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("true")},
                      {QStringLiteral("waitingRoom/admissionRatePerSecond"), QString::number(m_o.admissionRate)},
                      {QStringLiteral("auth/accessTokenTtlSeconds"), QString::number(tokenSeconds)}}))
        return false;
    if (!registerCrowd(m_o.shoppers))
        return false;
    SoakWorkload::Settings settings;
    settings.unitsPerSale = m_o.units > 0 ? m_o.units : m_o.shoppers;
    settings.pollMs = m_o.pollMs;
    settings.thinkMs = m_o.thinkMs;
    settings.saleSeconds = m_o.saleSeconds;
    RunMetrics scratch(QStringLiteral("x"));
    m_soak = std::make_unique<SoakWorkload>(scratch, m_crowd, "Authorization: Bearer " + m_adminToken.toStdString() + "\r\n", settings,
                                            ProcessStats::monotonicNs());
    HttpClient *admin = m_admin.get();
    const QString url = m_server->databaseUrl();
    const QString wal = url.startsWith(QLatin1String("sqlite:")) ? url.mid(7) + QStringLiteral("-wal") : QString();
    SoakMonitor monitor(m_server->pid(), interval, [admin] {
        const HttpResult r = admin->get(QStringLiteral("/metrics"));
        return r.status == 200 ? gaugeValue(r.body, "flashsale_sqlite_heap_bytes") : -1;
    }, wal);
    m_soak->onSecond = [&monitor](qint64 second, RunMetrics &metrics) { monitor.tick(second, metrics); };
    const QString mix = QStringLiteral("%1 shoppers (think %2 ms, poll %3 ms) on %4 connections, closed model: GET /sales, GET /sales/{id}, "
                                       "join, status polls, purchase, GET /orders/{id}; the admin refunds every %5th accepted order and creates "
                                       "a product and a sale of %6 units (limit %7, %8 s long, admission %9/s) whenever fewer than %10 can sell")
                            .arg(m_o.shoppers).arg(settings.thinkMs).arg(settings.pollMs).arg(m_o.connections).arg(settings.refundEvery)
                            .arg(settings.unitsPerSale).arg(settings.perUserLimit).arg(settings.saleSeconds).arg(number(m_o.admissionRate))
                            .arg(settings.openSales);
    say(QStringLiteral("soak: %1 s; %2; resources sampled every %3 s, judged after a warm-up of %4 s")
            .arg(number(m_o.duration)).arg(mix).arg(interval).arg(number(warmup)));
    LoadPlan plan;
    plan.model = LoadModel::Closed;
    plan.connections = m_o.connections;
    plan.maxSeconds = m_o.duration;
    const auto m = load(QStringLiteral("soak"), *m_soak, plan, true);
    m_report.mainPhase = QStringLiteral("soak");

    m_report.figure(QStringLiteral("load"), QStringLiteral("soakMix"), mix, mix);
    m_report.figure(QStringLiteral("duration"), QStringLiteral("soakSeconds"), m->elapsedSeconds,
                    QStringLiteral("%1 s (warm-up %2 s, samples every %3 s)").arg(number(m->elapsedSeconds, 1), number(warmup)).arg(interval));
    m_report.figure(QStringLiteral("requests served"), QStringLiteral("soakRequests"), m->totalRequests(),
                    QStringLiteral("%1 (%2/s on average), %3 5xx or unanswered")
                        .arg(number(double(m->totalRequests())), number(m->elapsedSeconds > 0 ? double(m->totalRequests()) / m->elapsedSeconds : 0))
                        .arg(m->totalErrors()));
    m_report.figure(QStringLiteral("sales and orders"), QStringLiteral("soakOrders"), m_soak->accepted(),
                    QStringLiteral("%1 sales created; %2 purchases accepted (202); %3 refunded (200), %4 refunds refused because the order "
                                   "had failed, %5 still to retry when the load stopped")
                        .arg(m_soak->sales().size()).arg(m_soak->accepted()).arg(m_soak->refunded().size()).arg(m_soak->refundsRefused())
                        .arg(m_soak->refundsUnresolved()));
    noServerErrors(*m);
    if (m_soak->unexpected() > 0)
        m_report.violations << QStringLiteral("%1 answers a well-behaved client should not get, e.g. %2")
                                   .arg(m_soak->unexpected()).arg(m_soak->unexpectedSamples().join(QStringLiteral(" | ")));
    if (m_soak->adminFailures() > 0)
        m_report.violations << QStringLiteral("%1 product or sale creations failed").arg(m_soak->adminFailures());
    if (m_soak->walkedAway() > 0)
        m_report.notes << QStringLiteral("%1 shoppers left a queue that had not moved for %2 s (the sale then no longer counted as selling)")
                              .arg(m_soak->walkedAway()).arg(SoakWorkload::Settings().patienceSeconds);
    if (m_soak->givenUp() > 0)
        m_report.notes << QStringLiteral("%1 requests given up after their retries").arg(m_soak->givenUp());
    if (m_soak->lostPurchaseAnswers() > 0)
        m_report.notes << QStringLiteral("%1 purchase answers were lost (retried with the same key); the journal is then allowed more rows than 202s")
                              .arg(m_soak->lostPurchaseAnswers());

    const SoakVerdict verdict = monitor.judge(warmup);
    for (const SoakTrend &t : verdict.trends)
        m_report.figure(t.name, QStringLiteral("soak ") + t.name, t.slopePerHour, trendText(t));
    m_report.violations << verdict.violations;
    m_report.figuresJson.insert(QStringLiteral("soakSamples"), samplesJson(monitor.samples()));
    m_report.notes << QStringLiteral("flat means: after the warm-up (%1 s), the least-squares slope through the samples is under its limit "
                                     "(checked when the window is 10 minutes or more) and max - min is under its limit. RssAnon is the "
                                     "heap outside SQLite's page caches is what a leak grows and is judged; SQLite's heap (flashsale_sqlite_heap_bytes) grows "
                                     "with the data up to cache_size (64 MiB) per connection and is shown; VmRSS adds the pages of the SQLite file "
                                     "mapped into the process (mmap_size 256 MiB), shown too. The write-ahead log file is judged: it must not climb.")
                          .arg(number(warmup));
    if (drawSoakChart(monitor.samples(), warmup, QStringLiteral("soak"), QDir(m_dir).filePath(QStringLiteral("soak.png"))))
        m_report.charts << QStringLiteral("soak.png");

    say(QStringLiteral("orders: waiting for every accepted purchase to reach a final state"));
    const qint64 deadline = ProcessStats::monotonicNs() + qint64(m_o.finalTimeout * 1e9);
    qint64 pending = -1;
    for (int i = 0; i < 100000 && ProcessStats::monotonicNs() < deadline && pending != 0; ++i) {
        pending = m_auditor->pendingOrdersOfAllSales();
        if (pending != 0)
            QThread::msleep(250);
    }
    if (pending != 0)
        m_report.violations << QStringLiteral("%1 orders still Pending %2 s after the load").arg(pending).arg(number(m_o.finalTimeout));
    return true;
}

void ScenarioRunner::auditSoak()
{
    say(QStringLiteral("audit: reading the database, sale by sale (%1 sales)").arg(m_soak->sales().size()));
    const QString url = m_server->databaseUrl();
    // A purchase whose answer was lost may be in the journal without a 202 the bench saw.
    const bool everyAnswerSeen = m_soak->lostPurchaseAnswers() == 0;
    qint64 reservations = 0;
    qint64 confirmed = 0;
    qint64 failed = 0;
    qint64 expired = 0;
    qint64 pending = 0;
    int maxHeld = 0;
    QSet<QString> notes;
    for (const SoakWorkload::Sale &sale : m_soak->sales()) {
        const SaleAuditor::Result a = m_auditor->audit(sale.id, sale.acceptedOrders, true, true);
        for (const QString &v : a.violations)
            m_report.violations << QStringLiteral("sale %1: %2").arg(sale.id).arg(v);
        for (const QString &n : a.notes)
            notes.insert(n);
        maxHeld = qMax(maxHeld, a.sale.maxHeldByOneUser);
        const OrderAudit o = auditOrders(url, sale.id, everyAnswerSeen ? sale.acceptedOrders : QSet<QString>());
        for (const QString &v : o.violations)
            m_report.violations << QStringLiteral("sale %1: %2").arg(sale.id).arg(v);
        reservations += o.reservations;
        confirmed += o.confirmed;
        failed += o.failed;
        expired += o.expired;
        pending += o.pending;
    }
    m_report.notes << QStringList(notes.cbegin(), notes.cend());
    QSet<QString> refundedInDatabase;
    const QString error = readDatabase(url, [&](const QSqlDatabase &db) {
        QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT order_id FROM orders WHERE refunded_at IS NOT NULL"));
        while (q.next())
            refundedInDatabase.insert(q.value(0).toString());
    });
    if (!error.isEmpty())
        m_report.violations << QStringLiteral("refund audit: %1").arg(error);
    for (const QString &id : m_soak->refunded()) {
        if (!refundedInDatabase.contains(id))
            m_report.violations << QStringLiteral("order %1 was answered refunded but is not refunded in the database").arg(id);
    }
    const qint64 unseen = qint64(refundedInDatabase.size()) - qint64(m_soak->refunded().size());
    if (unseen > m_soak->refundsUnresolved())
        m_report.violations << QStringLiteral("%1 orders refunded in the database that the bench never asked about").arg(unseen);
    if (pending > 0)
        m_report.violations << QStringLiteral("%1 accepted purchases are not in a final state").arg(pending);
    m_report.figure(QStringLiteral("audit (every sale)"), QStringLiteral("soakAudit"), reservations,
                    QStringLiteral("%1 reservations: %2 Confirmed, %3 Failed, %4 Expired, %5 Pending; most held by one shopper %6 (limit %7); "
                                   "%8 refunded in the database, each with its units returned")
                        .arg(reservations).arg(confirmed).arg(failed).arg(expired).arg(pending).arg(maxHeld).arg(SoakWorkload::Settings().perUserLimit)
                        .arg(refundedInDatabase.size()));
}
