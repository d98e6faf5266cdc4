#include "scenariorunner.h"

#include <algorithm>

#include "answerworkloads.h"
#include "benchcharts.h"
#include "benchlog.h"
#include "benchserver.h"
#include "herdworkload.h"
#include "httpclient.h"
#include "loadgenerator.h"
#include "pgbaseline.h"
#include "phaseprofiler.h"
#include "postgresfixture.h"
#include "processstats.h"
#include "saleaudit.h"
#include "salefixture.h"
#include "soakworkload.h"
#include "steadyworkloads.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLocale>
#include <QRegularExpression>
#include <QSysInfo>
#include <QThread>

#include <cstdio>

void say(const QString &text)
{
    std::fprintf(stderr, "==> %s\n", text.toLocal8Bit().constData());
    std::fflush(stderr);
}

namespace {

qint64 defaultShoppers(const QString &scenario)
{
    if (scenario == QLatin1String("herd"))
        return 100000;
    if (scenario == QLatin1String("soldout"))
        return 10000;
    if (scenario == QLatin1String("browse") || scenario == QLatin1String("answers"))
        return 1000;
    return 2000;
}

double defaultAdmissionRate(const QString &scenario)
{
    // The soak's purchases must not outrun the order saga, or Pending orders pile up
    // (at 90 purchases/s the saga confirmed about 10/s on the shared 2 cores; 20/s held).
    return scenario == QLatin1String("soak") ? 10 : 5000;
}

} // namespace

ScenarioRunner::ScenarioRunner(BenchOptions options)
    : m_o(std::move(options))
{
    if (m_o.shoppers < 0)
        m_o.shoppers = int(defaultShoppers(m_o.scenario));
    if (m_o.admissionRate < 0)
        m_o.admissionRate = defaultAdmissionRate(m_o.scenario);
    if (m_o.connections < 0)
        m_o.connections = m_o.scenario == QLatin1String("soak") ? 200 : 1000;
}

ScenarioRunner::~ScenarioRunner()
{
    m_generator.reset();
    if (m_server)
        m_server->stop();
}

bool ScenarioRunner::startServer(const QMap<QString, QString> &settings)
{
    QString error;
    QString url;
    if (m_o.postgres) {
        say(QStringLiteral("PostgreSQL: starting a server in a temporary folder"));
        m_postgres = std::make_unique<PostgresFixture>(PostgresFixture::Durability::Durable);
        if (!m_postgres->start(&error)) {
            m_report.violations << QStringLiteral("PostgreSQL did not start: %1").arg(error);
            return false;
        }
        // What the bench measures is durable, as the server's SQLite journal is: fsync on,
        // synchronous commit on (the default); the report says what the server reported.
        const QString durability = QStringLiteral("PostgreSQL ran with fsync=%1 and synchronous_commit=%2")
                                       .arg(m_postgres->psql(QStringLiteral("SHOW fsync")), m_postgres->psql(QStringLiteral("SHOW synchronous_commit")));
        say(durability);
        if (!m_report.notes.contains(durability))
            m_report.notes << durability;
        url = m_postgres->url();
    }
    QMap<QString, QString> all = BenchServer::loadDefaults();
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        all[it.key()] = it.value();
    m_server = std::make_unique<BenchServer>();
    if (m_o.pinCores)
        m_server->setCores(serverCores());
    say(QStringLiteral("server: %1 --headless (%2)").arg(m_o.binary, m_o.postgres ? QStringLiteral("PostgreSQL") : QStringLiteral("SQLite")));
    if (!m_server->start(m_o.binary, url, all, &error)) {
        m_report.violations << QStringLiteral("the server did not start: %1").arg(error);
        return false;
    }
    m_report.serverConfig = m_server->configText();
    say(QStringLiteral("server: pid %1 at %2").arg(m_server->pid()).arg(m_server->baseUrl().toString()));
    m_generator = newGenerator();
    m_auditor = std::make_unique<SaleAuditor>(m_server->databaseUrl());
    m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
    const QByteArray token = SaleFixture::adminToken(*m_admin);
    if (token.isEmpty()) {
        m_report.violations << QStringLiteral("the admin could not log in");
        return false;
    }
    m_admin->setBearer(token);
    m_adminToken = token;
    return true;
}

std::unique_ptr<LoadGenerator> ScenarioRunner::newGenerator() const
{
    return std::make_unique<LoadGenerator>(m_server->port(), m_server->pid(), m_postgres ? m_postgres->processId() : 0);
}

std::shared_ptr<RunMetrics> ScenarioRunner::load(const QString &phase, Workload &workload, const LoadPlan &p, bool charted)
{
    auto metrics = std::make_shared<RunMetrics>(phase);
    PhaseProfiler profiler(m_o.perf && phase != QLatin1String("register") ? m_server->pid() : 0, m_dir, phase);
    m_generator->run(workload, p, *metrics);
    if (profiler.active())
        m_report.notes << profiler.finish();
    m_report.phases.push_back(metrics);
    if (charted)
        m_report.chartedPhases << phase;
    return metrics;
}

LoadPlan ScenarioRunner::plan(double seconds) const
{
    LoadPlan p;
    p.model = m_o.model;
    p.connections = m_o.connections;
    p.rate = m_o.rate;
    p.maxSeconds = seconds;
    return p;
}

bool ScenarioRunner::registerCrowd(int count)
{
    say(QStringLiteral("crowd: registering %1 shoppers and logging each in, over HTTP, before the clock starts").arg(count));
    RunMetrics scratch(QStringLiteral("register"));
    RegisterWorkload w(scratch, m_crowd, count, "s" + std::to_string(QDateTime::currentMSecsSinceEpoch() % 100000));
    LoadPlan p;
    p.connections = qMin(200, count);
    p.maxSeconds = 1800;
    auto m = load(QStringLiteral("register"), w, p, false);
    const int ready = m_crowd.ready();
    m_report.figure(QStringLiteral("shoppers registered and holding a token"), QStringLiteral("shoppersReady"), ready,
                    QStringLiteral("%1 of %2 (registration + login: %3 s)").arg(ready).arg(count).arg(m->elapsedSeconds, 0, 'f', 1));
    if (ready < count)
        m_report.violations << QStringLiteral("only %1 of %2 shoppers could register and log in").arg(ready).arg(count);
    return ready > 0;
}

bool ScenarioRunner::createSale(qint64 units, int perUserLimit, qint64 startInMs, qint64 durationMs)
{
    m_productId = SaleFixture::createProduct(*m_admin, units);
    const QJsonObject sale = m_productId ? SaleFixture::scheduleSale(*m_admin, m_productId, units, perUserLimit, startInMs, durationMs) : QJsonObject();
    m_saleId = sale.value(QStringLiteral("saleId")).toInteger();
    if (m_saleId == 0) {
        m_report.violations << QStringLiteral("the sale could not be created");
        return false;
    }
    m_saleStartMs = QDateTime::fromString(sale.value(QStringLiteral("startTime")).toString(), Qt::ISODateWithMs).toMSecsSinceEpoch();
    say(QStringLiteral("sale %1: %2 units, limit %3 per shopper, starts %4").arg(m_saleId).arg(units).arg(perUserLimit)
            .arg(sale.value(QStringLiteral("startTime")).toString()));
    return true;
}

void ScenarioRunner::healthBaseline(const QString &suffix)
{
    say(QStringLiteral("baseline: GET /health/live, same generator, model and connections"));
    RunMetrics scratch(QStringLiteral("x"));
    HealthWorkload w(scratch);
    m_report.baselinePhase = QStringLiteral("baseline /health/live") + suffix;
    load(m_report.baselinePhase, w, plan(m_o.baselineSeconds), false);
    if (m_crowd.ready() == 0)
        return;
    say(QStringLiteral("baseline: GET /health/live with a purchase's headers (token, Content-Type, Idempotency-Key, body)"));
    m_report.sameHeadersPhase = QStringLiteral("baseline /health/live, purchase headers") + suffix;
    sameHeadersBaseline(m_report.sameHeadersPhase);
}

std::shared_ptr<RunMetrics> ScenarioRunner::sameHeadersBaseline(const QString &phase)
{
    RunMetrics scratch(QStringLiteral("x"));
    SameHeadersHealthWorkload same(scratch, m_crowd, m_saleId > 0 ? m_saleId : 1);
    return load(phase, same, plan(m_o.baselineSeconds), false);
}

void ScenarioRunner::compare(const QString &label, const QString &key, const RunMetrics &m, const QString &endpoint)
{
    const double rate = rateOf(m, endpoint);
    const auto base = m_report.phase(m_report.baselinePhase);
    const double baseRate = base ? rateOf(*base, QStringLiteral("GET /health/live")) : 0;
    const auto same = m_report.phase(m_report.sameHeadersPhase);
    const double sameRate = same ? rateOf(*same, SameHeadersHealthWorkload::endpointName()) : 0;
    QString text = QStringLiteral("%1 req/s = %2 of GET /health/live (%3 req/s)")
                       .arg(number(rate), number(baseRate > 0 ? rate / baseRate : 0, 2), number(baseRate));
    if (sameRate > 0)
        text += QStringLiteral("; %1 of it with a purchase's headers (%2 req/s)").arg(number(rate / sameRate, 2), number(sameRate));
    m_report.figure(label, key, rate, text);
    m_report.figuresJson.insert(key + QStringLiteral("RatioToHealth"), baseRate > 0 ? rate / baseRate : 0);
    m_report.figuresJson.insert(key + QStringLiteral("RatioToSameHeaders"), sameRate > 0 ? rate / sameRate : QJsonValue());
}

void ScenarioRunner::latencyFigures(const QString &label, const QString &key, const RunMetrics &m, const QString &endpoint)
{
    for (const auto &e : m.endpoints()) {
        if (e.name != endpoint)
            continue;
        const auto &h = e.latency;
        m_report.figure(label, key + QStringLiteral("P99Ms"), double(h.quantile(0.99)) / 1000.0,
                        QStringLiteral("p50 %1 / p95 %2 / p99 %3 / p99.9 %4 / max %5 ms")
                            .arg(number(double(h.quantile(0.5)) / 1000.0, 2), number(double(h.quantile(0.95)) / 1000.0, 2),
                                 number(double(h.quantile(0.99)) / 1000.0, 2), number(double(h.quantile(0.999)) / 1000.0, 2),
                                 number(double(h.max()) / 1000.0, 2)));
    }
}

void ScenarioRunner::noServerErrors(const RunMetrics &m)
{
    for (const auto &e : m.endpoints()) {
        for (const auto &[status, count] : e.byStatus) {
            if (status >= 500)
                m_report.violations << QStringLiteral("%1: %2 answers %3 in phase %4").arg(e.name).arg(count).arg(status).arg(m.phase());
            else if (status == 0)
                m_report.violations << QStringLiteral("%1: %2 requests got no answer in phase %3").arg(e.name).arg(count).arg(m.phase());
        }
    }
}

void ScenarioRunner::waitForFinalOrders(qint64 fromNs, qint64 startNs, RunMetrics &metrics)
{
    if (!m_auditor->hasOrderPipeline()) {
        m_report.figure(QStringLiteral("time until every order is final"), QStringLiteral("ordersFinalSeconds"), QJsonValue(),
                        QStringLiteral("not available: the order pipeline is not in this build"));
        return;
    }
    m_requireFinal = true;
    say(QStringLiteral("orders: waiting for every accepted purchase to reach a final state"));
    const qint64 deadline = ProcessStats::monotonicNs() + qint64(m_o.finalTimeout * 1e9);
    qint64 pending = -1;
    for (int i = 0; i < 100000 && ProcessStats::monotonicNs() < deadline; ++i) {
        pending = m_auditor->pendingOrders(m_saleId);
        const qint64 now = ProcessStats::monotonicNs();
        const qint64 total = m_auditor->reservationCount(m_saleId);
        metrics.setGauge((now - startNs) / 1000000000, QStringLiteral("orders final"), double(total - std::max<qint64>(0, pending)));
        std::fprintf(stderr, "\r    pending %lld of %lld   ", static_cast<long long>(pending), static_cast<long long>(total));
        if (pending == 0)
            break;
        QThread::msleep(250);
    }
    std::fprintf(stderr, "\n");
    const double seconds = double(ProcessStats::monotonicNs() - fromNs) / 1e9;
    if (pending == 0)
        m_report.figure(QStringLiteral("time until every order is final (after sold out / end of load)"), QStringLiteral("ordersFinalSeconds"),
                        seconds, QStringLiteral("%1 s").arg(number(seconds, 1)));
    else
        m_report.figure(QStringLiteral("time until every order is final"), QStringLiteral("ordersFinalSeconds"), QJsonValue(),
                        QStringLiteral("%1 still Pending after %2 s").arg(pending).arg(number(m_o.finalTimeout)));
}

bool ScenarioRunner::herd()
{
    const qint64 units = m_o.units > 0 ? m_o.units : 1000;
    m_waitingRoom = true;
    if (!startServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("true")},
                      {QStringLiteral("waitingRoom/admissionRatePerSecond"), QString::number(m_o.admissionRate)},
                      {QStringLiteral("waitingRoom/admissionIntervalMs"), QStringLiteral("50")}}))
        return false;
    if (!registerCrowd(m_o.shoppers))
        return false;
    healthBaseline();
    // The crowd joins before the start: allow about 4,000 joins a second, plus margin.
    const qint64 startIn = 3000 + qint64(m_o.shoppers) / 4;
    if (!createSale(units, 1, startIn, 3600 * 1000))
        return false;
    say(QStringLiteral("herd: %1 shoppers join the waiting room before the start").arg(m_o.shoppers));
    RunMetrics scratch(QStringLiteral("x"));
    JoinWorkload join(scratch, m_crowd, m_saleId);
    LoadPlan joinPlan;
    joinPlan.connections = qMin(m_o.connections, m_o.shoppers);
    joinPlan.maxSeconds = 1800;
    load(QStringLiteral("join"), join, joinPlan, false);
    const qint64 joinedAt = QDateTime::currentMSecsSinceEpoch();
    if (joinedAt > m_saleStartMs)
        m_report.notes << QStringLiteral("the joins ended %1 ms after the sale start").arg(joinedAt - m_saleStartMs);
    if (join.joined() < m_crowd.ready())
        m_report.violations << QStringLiteral("only %1 of %2 shoppers got a ticket").arg(join.joined()).arg(m_crowd.ready());
    for (int i = 0; i < 100000 && QDateTime::currentMSecsSinceEpoch() < m_saleStartMs; ++i)
        QThread::msleep(unsigned(std::clamp<qint64>(m_saleStartMs - QDateTime::currentMSecsSinceEpoch(), 1, 50)));
    const qint64 startNs = ProcessStats::monotonicNs();
    say(QStringLiteral("herd: the sale starts; shoppers poll their status every %1 ms and buy when admitted").arg(m_o.pollMs));
    RunMetrics herdScratch(QStringLiteral("x"));
    HerdWorkload herd(herdScratch, m_crowd, m_saleId, units, m_o.pollMs, startNs);
    SaleAuditor *auditor = m_auditor.get();
    const qint64 saleId = m_saleId;
    if (auditor->hasOrderPipeline())
        herd.finalOrdersProbe = [auditor, saleId] { return auditor->reservationCount(saleId) - std::max<qint64>(0, auditor->pendingOrders(saleId)); };
    LoadPlan herdPlan;
    herdPlan.connections = qMin(m_o.connections, m_o.shoppers);
    herdPlan.maxSeconds = qMax(m_o.duration, 300.0);
    auto m = load(QStringLiteral("herd"), herd, herdPlan, true);
    m_accepted = herd.acceptedOrders();
    m_report.mainPhase = QStringLiteral("herd");
    m_report.figure(QStringLiteral("units sold"), QStringLiteral("unitsSold"), herd.unitsSold(),
                    QStringLiteral("%1 of %2; %3 shoppers admitted").arg(herd.unitsSold()).arg(units).arg(herd.admittedSeen()));
    if (herd.soldOutSeconds() >= 0)
        m_report.figure(QStringLiteral("sale start to sold out"), QStringLiteral("soldOutSeconds"), herd.soldOutSeconds(),
                        QStringLiteral("%1 s").arg(number(herd.soldOutSeconds(), 2)));
    else
        m_report.figure(QStringLiteral("sale start to sold out"), QStringLiteral("soldOutSeconds"), QJsonValue(), QStringLiteral("not sold out"));
    m_report.figure(QStringLiteral("herd answered"), QStringLiteral("herdSeconds"), m->elapsedSeconds,
                    QStringLiteral("every shopper had a final answer after %1 s (%2 gave up after retries)")
                        .arg(number(m->elapsedSeconds, 1)).arg(herd.giveUps()));
    compare(QStringLiteral("queue status polls"), QStringLiteral("queueStatusRps"), *m, QStringLiteral("GET /sales/{id}/queue/{ticket}"));
    latencyFigures(QStringLiteral("queue status latency"), QStringLiteral("queueStatus"), *m, QStringLiteral("GET /sales/{id}/queue/{ticket}"));
    latencyFigures(QStringLiteral("purchase latency"), QStringLiteral("purchase"), *m, QStringLiteral("POST /sales/{id}/purchase"));
    noServerErrors(*m);
    if (herd.giveUps() > 0)
        m_report.violations << QStringLiteral("%1 shoppers got no final answer after retries").arg(herd.giveUps());
    waitForFinalOrders(herd.soldOutNs() > 0 ? herd.soldOutNs() : ProcessStats::monotonicNs(), startNs, *m);
    return true;
}

bool ScenarioRunner::purchase()
{
    // The waiting room is switched off server-wide (waitingRoom/required=false, the
    // documented opt-out) so the purchase path itself is measured.
    if (!startServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("false")}}))
        return false;
    if (!registerCrowd(m_o.shoppers))
        return false;
    healthBaseline();
    if (!createSale(m_o.units > 0 ? m_o.units : 10000000, 1000, -1000, 3600 * 1000))
        return false;
    say(QStringLiteral("purchase: authenticated, durable purchases on a sale that does not sell out"));
    RunMetrics scratch(QStringLiteral("x"));
    PurchaseWorkload w(scratch, m_crowd, m_saleId, "p-");
    auto m = load(QStringLiteral("purchase"), w, plan(m_o.duration), true);
    m_accepted = w.acceptedOrders();
    m_report.mainPhase = QStringLiteral("purchase");
    compare(QStringLiteral("purchase attempts"), QStringLiteral("purchaseRps"), *m, QStringLiteral("POST /sales/{id}/purchase"));
    latencyFigures(QStringLiteral("purchase latency"), QStringLiteral("purchase"), *m, QStringLiteral("POST /sales/{id}/purchase"));
    m_report.figure(QStringLiteral("purchases accepted (202)"), QStringLiteral("accepted"), w.accepted(), QString::number(w.accepted()));
    if (m_o.postgres || m->totalErrors() > 0)
        m_report.notes << QStringLiteral("errors (5xx or no answer) during the purchase phase: %1").arg(m->totalErrors());
    if (m_o.untilFinal)
        orderCostUntilFinal(*m, w.accepted());
    return true;
}

void ScenarioRunner::orderCostUntilFinal(RunMetrics &phase, qint64 accepted)
{
    // The saga falls behind during the burst and catches up after it: the phase's CPU holds
    // only part of each order's cost. This adds what the server spends until every order
    // is final, so moving work from the purchase's commit to the saga cannot look free.
    const std::map<QString, double> atEnd = ProcessStats::cpuSecondsByThread(m_server->pid());
    const qint64 databasePid = m_postgres ? m_postgres->processId() : 0;
    const double databaseAtEnd = databasePid > 0 ? ProcessStats::treeCpuSeconds(databasePid) : -1;
    const qint64 endNs = ProcessStats::monotonicNs();
    waitForFinalOrders(endNs, endNs - qint64(phase.elapsedSeconds * 1e9), phase);
    if (accepted <= 0 || m_auditor->pendingOrders(m_saleId) != 0)
        return;
    std::map<QString, double> total = phase.serverCpuByThread;
    for (const auto &[kind, seconds] : ProcessStats::cpuSecondsByThread(m_server->pid())) {
        const auto before = atEnd.find(kind);
        total[kind] += seconds - (before == atEnd.end() ? 0.0 : before->second);
    }
    double sum = 0;
    QStringList kinds;
    QJsonObject byThread;
    for (const auto &[kind, seconds] : total) {
        const double us = seconds * 1e6 / double(accepted);
        sum += us;
        byThread.insert(kind, us);
        if (us >= 0.05)
            kinds << QStringLiteral("%1 %2").arg(kind).arg(us, 0, 'f', 1);
    }
    m_report.figure(QStringLiteral("server CPU µs per accepted purchase, until every order is final"), QStringLiteral("cpuUsPerOrderUntilFinal"),
                    QJsonObject{{QStringLiteral("total"), sum}, {QStringLiteral("byThread"), byThread}},
                    QStringLiteral("%1 (%2)").arg(sum, 0, 'f', 1).arg(kinds.join(QStringLiteral(", "))));
    if (databaseAtEnd >= 0 && phase.databaseCpuSeconds >= 0) {
        // PostgreSQL's processes, over the phase and the catching up (the audit's polls for
        // pending orders included: one count every 250 ms).
        const double us = (phase.databaseCpuSeconds + ProcessStats::treeCpuSeconds(databasePid) - databaseAtEnd) * 1e6 / double(accepted);
        m_report.figure(QStringLiteral("PostgreSQL CPU µs per accepted purchase, until every order is final"),
                        QStringLiteral("databaseCpuUsPerOrderUntilFinal"), us,
                        QStringLiteral("%1 (with the server's, %2)").arg(us, 0, 'f', 1).arg(us + sum, 0, 'f', 1));
    }
}

bool ScenarioRunner::soldOut()
{
    if (!startServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("false")}}))
        return false;
    if (!registerCrowd(m_o.shoppers))
        return false;
    healthBaseline();
    const qint64 units = m_o.units > 0 ? m_o.units : 100;
    if (!createSale(units, 1, -1000, 3600 * 1000))
        return false;
    say(QStringLiteral("soldout: selling the %1 units first").arg(units));
    RunMetrics scratch(QStringLiteral("x"));
    PurchaseWorkload sell(scratch, m_crowd, m_saleId, "first-");
    LoadPlan sellPlan;
    sellPlan.connections = 8;
    sellPlan.maxSeconds = 2 + double(units) / 500;
    load(QStringLiteral("sell out"), sell, sellPlan, false);
    m_accepted = sell.acceptedOrders();
    if (sell.accepted() < units)
        m_report.notes << QStringLiteral("only %1 of %2 units sold before the late crowd").arg(sell.accepted()).arg(units);
    say(QStringLiteral("soldout: %1 shoppers arrive after the last unit went").arg(m_o.shoppers));
    SoldOutWorkload late(scratch, m_crowd, m_saleId);
    auto m = load(QStringLiteral("soldout"), late, plan(m_o.duration), true);
    m_report.mainPhase = QStringLiteral("soldout");
    compare(QStringLiteral("sold-out purchase attempts"), QStringLiteral("soldOutPurchaseRps"), *m, QStringLiteral("POST /sales/{id}/purchase"));
    compare(QStringLiteral("sold-out joins"), QStringLiteral("soldOutJoinRps"), *m, QStringLiteral("POST /sales/{id}/queue"));
    latencyFigures(QStringLiteral("sold-out purchase latency"), QStringLiteral("soldOutPurchase"), *m, QStringLiteral("POST /sales/{id}/purchase"));
    if (late.unexpected() > 0)
        m_report.violations << QStringLiteral("%1 requests succeeded after sold out").arg(late.unexpected());
    noServerErrors(*m);
    return true;
}

bool ScenarioRunner::browse()
{
    if (!startServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("true")}}))
        return false;
    if (!registerCrowd(m_o.shoppers))
        return false;
    healthBaseline();
    // The warm-up before a sale: it starts in an hour, shoppers are already queued.
    if (!createSale(m_o.units > 0 ? m_o.units : 1000, 1, 3600 * 1000, 3600 * 1000))
        return false;
    RunMetrics scratch(QStringLiteral("x"));
    JoinWorkload join(scratch, m_crowd, m_saleId);
    LoadPlan joinPlan;
    joinPlan.connections = qMin(m_o.connections, m_o.shoppers);
    joinPlan.maxSeconds = 600;
    load(QStringLiteral("join"), join, joinPlan, false);
    say(QStringLiteral("browse: GET /sales, /sales/{id}, /products/{id} and queue status in turn"));
    BrowseWorkload w(scratch, m_crowd, m_saleId, m_productId);
    auto m = load(QStringLiteral("browse"), w, plan(m_o.duration), true);
    m_report.mainPhase = QStringLiteral("browse");
    m_audit = false; // nothing is sold
    compare(QStringLiteral("all browse reads"), QStringLiteral("browseRps"), *m, QString());
    for (const auto &e : m->endpoints()) {
        if (e.requests == 0)
            continue;
        const QString key = QString(e.name).remove(QRegularExpression(QStringLiteral("[^A-Za-z]")));
        compare(e.name, key + QStringLiteral("Rps"), *m, e.name);
        latencyFigures(e.name + QStringLiteral(" latency"), key, *m, e.name);
    }
    noServerErrors(*m);
    return true;
}

bool ScenarioRunner::stress()
{
    if (!startServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("false")}}))
        return false;
    if (!registerCrowd(m_o.shoppers))
        return false;
    const LoadModel chosen = m_o.model;
    m_o.model = LoadModel::Open; // stress steps are arrival rates
    healthBaseline();
    if (!createSale(m_o.units > 0 ? m_o.units : 10000000, 1000, -1000, 3600 * 1000))
        return false;
    if (chosen == LoadModel::Closed)
        m_report.notes << QStringLiteral("stress always uses the open model: each step is an arrival rate");
    RunMetrics scratch(QStringLiteral("x"));
    PurchaseWorkload w(scratch, m_crowd, m_saleId, "st-");
    const double normal = qMax(100.0, m_o.rate / 4);
    double rate = normal;
    double lastGood = 0;
    QString brokeBy;
    for (int step = 0; step < 16 && brokeBy.isEmpty(); ++step, rate *= 1.5) {
        say(QStringLiteral("stress: step %1 at %2 purchases/s").arg(step + 1).arg(number(rate)));
        LoadPlan p = plan(m_o.stepSeconds);
        p.rate = rate;
        auto m = load(QStringLiteral("step %1 (%2/s)").arg(step + 1).arg(number(rate)), w, p, true);
        const LatencyHistogram h = m->overall();
        const double errorShare = m->totalRequests() ? double(m->totalErrors()) / double(m->totalRequests()) : 1;
        if (errorShare > 0.01)
            brokeBy = QStringLiteral("%1 % errors at %2/s").arg(number(errorShare * 100, 1), number(rate));
        else if (double(h.quantile(0.99)) / 1000.0 > m_o.p99LimitMs)
            brokeBy = QStringLiteral("p99 %1 ms > %2 ms at %3/s").arg(number(double(h.quantile(0.99)) / 1000.0, 1), number(m_o.p99LimitMs, 1), number(rate));
        else
            lastGood = rate;
    }
    m_report.figure(QStringLiteral("highest step held"), QStringLiteral("stressHeldRate"), lastGood,
                    QStringLiteral("%1 purchases/s (p99 <= %2 ms, errors <= 1 %)").arg(number(lastGood), number(m_o.p99LimitMs)));
    m_report.figure(QStringLiteral("what broke"), QStringLiteral("stressBrokeBy"), brokeBy, brokeBy.isEmpty() ? QStringLiteral("nothing, up to the last step") : brokeBy);
    say(QStringLiteral("stress: back to %1 purchases/s; measuring the time to recover").arg(number(normal)));
    LoadPlan p = plan(qMax(10.0, m_o.duration));
    p.rate = normal;
    auto rec = load(QStringLiteral("recovery"), w, p, true);
    // Recovered from the first second after which every second is within the limits.
    qint64 recoveredAt = -1;
    for (qint64 s = qint64(rec->seconds().size()) - 1; s >= 0; --s) {
        const SecondStats &x = rec->seconds()[size_t(s)];
        if (x.errors > 0 || double(x.latency.quantile(0.99)) / 1000.0 > m_o.p99LimitMs)
            break;
        recoveredAt = s;
    }
    m_report.figure(QStringLiteral("time to recover at normal load"), QStringLiteral("recoverySeconds"), recoveredAt >= 0 ? QJsonValue(recoveredAt) : QJsonValue(),
                    recoveredAt >= 0 ? QStringLiteral("%1 s").arg(recoveredAt) : QStringLiteral("not recovered within %1 s").arg(number(rec->elapsedSeconds)));
    m_accepted = w.acceptedOrders();
    m_report.mainPhase = QStringLiteral("recovery");
    latencyFigures(QStringLiteral("purchase latency during recovery"), QStringLiteral("recoveryPurchase"), *rec, QStringLiteral("POST /sales/{id}/purchase"));
    return true;
}

QList<int> ScenarioRunner::serverCores()
{
    // The machine's cores, counted once before the generator pins itself: from then on
    // QThread::idealThreadCount() counts the cores this process may use, which is one.
    static const int machineCores = QThread::idealThreadCount();
    QList<int> cores;
    for (int core = 0; core < machineCores - 1; ++core)
        cores << core;
    return cores;
}

int ScenarioRunner::run()
{
    m_report.scenario = m_o.scenario;
    m_report.startedAt = QDateTime::currentDateTimeUtc().toString(Qt::ISODate);
    m_report.options = m_o.toJson();
    m_report.machine = QStringLiteral("%1, %2 cores, load average at start %3")
                           .arg(QSysInfo::prettyProductName())
                           .arg(QThread::idealThreadCount())
                           .arg(QString::fromLatin1([] {
                               QFile f(QStringLiteral("/proc/loadavg"));
                               return f.open(QIODevice::ReadOnly) ? f.readAll().left(14).trimmed() : QByteArray("?");
                           }()));
    if (m_o.pinCores) {
        const QList<int> serverSide = serverCores(); // before the pinning, which changes the count
        const int generatorCore = int(serverSide.size());
        ProcessStats::pinThisProcess(generatorCore);
        QStringList server;
        for (int core : serverSide)
            server << QString::number(core);
        m_report.machine += QStringLiteral("; pinned: the server on core(s) %1, the generator on core %2").arg(server.join(QStringLiteral(", "))).arg(generatorCore);
    }
    m_dir = QDir(m_o.resultsDir).filePath(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")) + QLatin1Char('-') + m_o.scenario);
    QDir().mkpath(m_dir);
    say(QStringLiteral("%1: results in %2").arg(m_o.scenario, m_dir));
    bool ran = false;
    if (m_o.scenario == QLatin1String("herd"))
        ran = herd();
    else if (m_o.scenario == QLatin1String("purchase"))
        ran = purchase();
    else if (m_o.scenario == QLatin1String("soldout"))
        ran = soldOut();
    else if (m_o.scenario == QLatin1String("browse"))
        ran = browse();
    else if (m_o.scenario == QLatin1String("stress"))
        ran = stress();
    else if (m_o.scenario == QLatin1String("answers"))
        ran = answers();
    else if (m_o.scenario == QLatin1String("soak"))
        ran = soak();
    return finish(ran);
}

int ScenarioRunner::finish(bool ran)
{
    if (m_server && m_server->pid() > 0) {
        m_report.serverPeakRssKiB = ProcessStats::peakRssKiB(m_server->pid());
        m_report.figure(QStringLiteral("server peak memory (VmHWM, whole run)"), QStringLiteral("serverPeakRssMiB"),
                        double(m_report.serverPeakRssKiB) / 1024.0, QStringLiteral("%1 MiB").arg(number(double(m_report.serverPeakRssKiB) / 1024.0)));
        if (auto main = m_report.phase(m_report.mainPhase))
            m_report.figure(QStringLiteral("server CPU in the main phase"), QStringLiteral("serverCpuCores"),
                            main->elapsedSeconds > 0 ? main->serverCpuSeconds / main->elapsedSeconds : 0,
                            QStringLiteral("%1 s CPU over %2 s (%3 cores); generator %4 s CPU")
                                .arg(number(main->serverCpuSeconds, 1), number(main->elapsedSeconds, 1),
                                     number(main->elapsedSeconds > 0 ? main->serverCpuSeconds / main->elapsedSeconds : 0, 2),
                                     number(main->generatorCpuSeconds, 1)));
    }
    m_generator.reset();
    if (m_server) {
        say(QStringLiteral("server: stopping"));
        m_server->stop();
    }
    if (ran && m_soak)
        auditSoak();
    if (ran && m_audit && m_saleId > 0 && m_auditor) {
        say(QStringLiteral("audit: reading the database"));
        const SaleAuditor::Result a = m_auditor->audit(m_saleId, m_accepted, m_waitingRoom, m_requireFinal);
        m_report.violations << a.violations;
        m_report.notes << a.notes;
        m_report.figuresJson.insert(QStringLiteral("audit"), a.figures);
        m_report.figures.append({QStringLiteral("audit"), QStringLiteral("allocated %1, reserved %2, available %3, %4 reservations, most held by one shopper %5 (limit %6)")
                                                              .arg(a.sale.allocated).arg(a.sale.reserved).arg(a.sale.available)
                                                              .arg(a.sale.reservations).arg(a.sale.maxHeldByOneUser).arg(a.sale.perUserLimit)});
    }
    if (ran && m_o.pgBaseline) {
        say(QStringLiteral("baseline: naive purchase in PostgreSQL with pgbench, 50 clients, %1 s").arg(number(m_o.baselineSeconds)));
        m_report.pg = runNaivePurchaseBaseline(50, int(m_o.baselineSeconds), m_dir);
        if (m_report.pg.ok) {
            const auto main = m_report.phase(m_report.mainPhase);
            const double rate = main ? rateOf(*main, QStringLiteral("POST /sales/{id}/purchase")) : 0;
            m_report.figure(QStringLiteral("naive PostgreSQL purchase (pgbench)"), QStringLiteral("pgbenchTps"), m_report.pg.tps,
                            QStringLiteral("%1 tx/s; this run's purchase answers/s = %2 x that").arg(number(m_report.pg.tps), number(rate / m_report.pg.tps, 1)));
        } else {
            m_report.notes << QStringLiteral("pgbench baseline not measured: %1").arg(m_report.pg.error);
        }
    }
    m_postgres.reset();
    m_report.charts += drawCharts(m_report, m_dir);
    QString error;
    if (!writeReport(m_report, m_dir, &error))
        m_report.violations << error;
    std::fprintf(stdout, "\n%s: %s\n", m_o.scenario.toLocal8Bit().constData(), m_report.violations.isEmpty() ? "every invariant held" : "VIOLATIONS");
    for (const auto &[label, value] : m_report.figures)
        std::fprintf(stdout, "  %-45s %s\n", label.toLocal8Bit().constData(), value.toLocal8Bit().constData());
    for (const QString &v : m_report.violations)
        std::fprintf(stdout, "  VIOLATION: %s\n", v.toLocal8Bit().constData());
    std::fprintf(stdout, "  report: %s/report.md\n", m_dir.toLocal8Bit().constData());
    std::fflush(stdout);
    if (!ran)
        return 2;
    return m_report.violations.isEmpty() ? 0 : 1;
}
