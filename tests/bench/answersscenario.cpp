// The `answers` scenario (issue 16): in one run, every answer the server gives from memory
// and the durable purchase, each phase one kind of request, each compared with both
// same-run baselines (GET /health/live bare and sent a purchase's headers), with the
// server's CPU time per answer of each kind.
#include "scenariorunner.h"

#include "answerworkloads.h"
#include "benchserver.h"
#include "httpclient.h"
#include "loadgenerator.h"
#include "processstats.h"
#include "saleaudit.h"
#include "salefixture.h"
#include "steadyworkloads.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QLocale>
#include <QThread>

#include <algorithm>
#include <cstdio>

namespace {

QString count(double v, int decimals = 0)
{
    return QLocale(QLocale::English).toString(v, 'f', decimals);
}

std::string purchaseRequest(const Crowd &crowd, const std::string &path, qint64 shopper, const std::string &key)
{
    return httpRequest("POST", path, crowd.authorization[size_t(shopper)] + "Idempotency-Key: " + key + "\r\n", "{\"quantity\":1}");
}

} // namespace

bool ScenarioRunner::answers()
{
    // Rate limit off and the waiting room not required server-wide (one sale asks for it),
    // as in the measurements; the 429 phase runs after a restart with the limit on.
    if (!startServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("false")}}))
        return false;
    if (!registerCrowd(m_o.shoppers))
        return false;
    const int shoppers = m_crowd.ready();
    auto sale = [this](qint64 units, int limit, qint64 startInMs) -> qint64 {
        const qint64 product = SaleFixture::createProduct(*m_admin, units);
        const QJsonObject s = product ? SaleFixture::scheduleSale(*m_admin, product, units, limit, startInMs, 3600 * 1000) : QJsonObject();
        return s.value(QStringLiteral("saleId")).toInteger();
    };
    const qint64 soldOutSale = sale(1, 1, -1000);
    const qint64 limitSale = sale(10000000, 1, -1000);
    const qint64 queuedSale = sale(1000, 1, 3600 * 1000); // starts in an hour: shoppers wait in its queue
    if (!createSale(m_o.units > 0 ? m_o.units : 10000000, 1000, -1000, 3600 * 1000))
        return false;
    if (!soldOutSale || !limitSale || !queuedSale) {
        m_report.violations << QStringLiteral("the sales could not be created");
        return false;
    }
    const HttpResult required = m_admin->request("PUT", QStringLiteral("/sales/%1/queue/settings").arg(queuedSale),
                                                 QJsonDocument(QJsonObject{{QStringLiteral("required"), true}}).toJson());
    if (required.status != 200) {
        m_report.violations << QStringLiteral("the waiting room could not be required for sale %1: %2").arg(queuedSale).arg(required.status);
        return false;
    }
    healthBaseline();

    say(QStringLiteral("answers: sold-out sale %1, limit sale %2 (one unit per shopper bought first), queued sale %3, durable sale %4")
            .arg(soldOutSale).arg(limitSale).arg(queuedSale).arg(m_saleId));
    RunMetrics scratch(QStringLiteral("x"));
    const Crowd &crowd = m_crowd;
    const std::string soldOutPath = "/sales/" + std::to_string(soldOutSale) + "/purchase";
    const std::string limitPath = "/sales/" + std::to_string(limitSale) + "/purchase";
    const std::string queuedBase = "/sales/" + std::to_string(queuedSale);
    const QString purchaseName = QStringLiteral("POST /sales/{id}/purchase");
    LoadPlan prepare;
    prepare.connections = qMin(100, shoppers);
    prepare.maxSeconds = 600;
    {
        RepeatedAnswerWorkload one(scratch, crowd, purchaseName + QStringLiteral(" (setup)"), 202,
                                   [&](qint64 i, qint64 n) { return purchaseRequest(crowd, soldOutPath, i, "first-" + std::to_string(n)); }, 1);
        LoadPlan single = prepare;
        single.connections = 1;
        load(QStringLiteral("setup: sell the one unit"), one, single, false);
        RepeatedAnswerWorkload each(scratch, crowd, purchaseName + QStringLiteral(" (setup)"), 202,
                                    [&](qint64 i, qint64 n) { return purchaseRequest(crowd, limitPath, i, "first-" + std::to_string(n)); },
                                    shoppers);
        load(QStringLiteral("setup: one unit each of the limit sale"), each, prepare, false);
        if (one.unexpected() + each.unexpected() > 0)
            m_report.violations << QStringLiteral("setup purchases were refused: %1").arg(one.unexpected() + each.unexpected());
        JoinWorkload join(scratch, m_crowd, queuedSale);
        load(QStringLiteral("setup: join the queued sale"), join, prepare, false);
    }
    // The setup's orders go through the saga (a simulated gateway call each): measured
    // phases start once they are final, so their CPU time is not counted as answers'.
    waitUntilFinal({soldOutSale, limitSale});

    struct Kind
    {
        QString label;   // phase, endpoint and figure name
        QString key;     // figures key
        int status;
        RepeatedAnswerWorkload::Build build;
        bool needTicket = false;
    };
    const std::vector<Kind> kinds = {
        {QStringLiteral("sold out 409"), QStringLiteral("soldOut"), 409,
         [&](qint64 i, qint64 n) { return purchaseRequest(crowd, soldOutPath, i, "so-" + std::to_string(n)); }},
        {QStringLiteral("limit reached 409"), QStringLiteral("limitReached"), 409,
         [&](qint64 i, qint64 n) { return purchaseRequest(crowd, limitPath, i, "lr-" + std::to_string(n)); }},
        {QStringLiteral("not admitted 403"), QStringLiteral("notAdmitted"), 403,
         [&](qint64 i, qint64 n) { return purchaseRequest(crowd, queuedBase + "/purchase", i, "na-" + std::to_string(n)); }},
        {QStringLiteral("queue status"), QStringLiteral("queueStatus"), 200,
         [&](qint64 i, qint64) {
             return httpRequest("GET", queuedBase + "/queue/" + std::to_string(crowd.tickets[size_t(i)]), crowd.authorization[size_t(i)]);
         },
         true},
        {QStringLiteral("GET /sales"), QStringLiteral("listSales"), 200, [](qint64, qint64) { return httpRequest("GET", "/sales"); }},
        {QStringLiteral("GET /sales/{id}"), QStringLiteral("getSale"), 200,
         [&](qint64, qint64) { return httpRequest("GET", queuedBase); }},
    };
    // Each kind runs --rounds times, each round right after its own baseline with a
    // purchase's headers. The machine's speed drifts over a run of minutes (the generator
    // and the server share its cores, and so does whatever else runs): a ratio of two
    // phases seconds apart carries less of that drift than one against a baseline minutes
    // earlier. The first round's figures also keep the ratios to the run's first baselines.
    auto measure = [&](const Kind &k) {
        std::vector<double> ratios;
        for (int round = 1; round <= m_o.rounds; ++round) {
            const QString suffix = m_o.rounds > 1 ? QStringLiteral(" (round %1 of %2)").arg(round).arg(m_o.rounds) : QString();
            say(QStringLiteral("answers: %1%2").arg(k.label, suffix));
            const auto base = sameHeadersBaseline(QStringLiteral("baseline /health/live, purchase headers, before ") + k.label + suffix);
            RepeatedAnswerWorkload w(scratch, crowd, k.label, k.status, k.build, 0, k.needTicket);
            const auto m = load(round == 1 ? k.label : k.label + suffix, w, plan(m_o.duration), round == 1);
            if (round == 1)
                answerFigures(k.label, k.key, *m, w.expected());
            noServerErrors(*m);
            for (const auto &[status, n] : w.unexpectedByStatus())
                m_report.violations << QStringLiteral("%1%2: %3 answers %4 (expected %5)").arg(k.label, suffix).arg(n).arg(status).arg(k.status);
            const double baseRate = rateOf(*base, SameHeadersHealthWorkload::endpointName());
            ratios.push_back(baseRate > 0 ? rateOf(*m, QString()) / baseRate : 0);
        }
        adjacentRatioFigure(k.label, k.key, ratios);
    };
    for (const Kind &k : kinds)
        measure(k);

    // 429 needs the rate limit on, which would answer every other kind 429 too: the same
    // server again (same data, tokens still valid) with the limit on, and its own baselines.
    say(QStringLiteral("answers: restarting the server with purchase/rateLimitSeconds=3600 for the 429 phase"));
    if (!restartServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("false")},
                        {QStringLiteral("purchase/rateLimitSeconds"), QStringLiteral("3600")}}))
        return false;
    healthBaseline(QStringLiteral(" (rate limit on)"));
    {
        // Each shopper's first attempt takes its slot (and is refused 409: it holds its unit).
        RepeatedAnswerWorkload first(scratch, crowd, purchaseName + QStringLiteral(" (setup)"), 409,
                                     [&](qint64 i, qint64 n) { return purchaseRequest(crowd, limitPath, i, "rl0-" + std::to_string(n)); },
                                     shoppers);
        load(QStringLiteral("setup: one attempt each under the rate limit"), first, prepare, false);
    }
    measure({QStringLiteral("rate limited 429"), QStringLiteral("rateLimited"), 429,
             [&](qint64 i, qint64 n) { return purchaseRequest(crowd, limitPath, i, "rl-" + std::to_string(n)); }});
    m_report.notes << QStringLiteral("rate limited 429 is measured after a restart with purchase/rateLimitSeconds=3600 (the same data) "
                                     "and compared with that server's own baselines");

    // The durable purchase last, on the server restarted once more with the limit off: its
    // orders keep the saga busy for a while after the phase, which would be counted
    // against any phase after it.
    say(QStringLiteral("answers: restarting the server with the rate limit off for the durable purchase"));
    if (!restartServer({{QStringLiteral("waitingRoom/required"), QStringLiteral("false")}}))
        return false;
    healthBaseline(QStringLiteral(" (durable purchase)"));
    const QString label = QStringLiteral("durable purchase 202");
    say(QStringLiteral("answers: %1").arg(label));
    PurchaseWorkload p(scratch, m_crowd, m_saleId, "d-");
    auto m = load(label, p, plan(m_o.duration), true);
    m_accepted = p.acceptedOrders();
    m_report.mainPhase = label;
    answerFigures(label, QStringLiteral("durablePurchase"), *m, p.accepted());
    latencyFigures(label + QStringLiteral(" latency"), QStringLiteral("durablePurchase"), *m, purchaseName);
    noServerErrors(*m);
    m_report.notes << QStringLiteral("durable purchase 202 is measured after a second restart (rate limit off) with its own baselines; "
                                     "its server CPU includes the order pipeline's work on its orders during the phase");
    return true;
}

void ScenarioRunner::waitUntilFinal(const QList<qint64> &sales)
{
    if (!m_auditor->hasOrderPipeline())
        return;
    const qint64 deadline = ProcessStats::monotonicNs() + qint64(m_o.finalTimeout * 1e9);
    for (;;) {
        qint64 pending = 0;
        for (const qint64 sale : sales)
            pending += qMax<qint64>(0, m_auditor->pendingOrders(sale));
        if (pending == 0)
            return;
        if (ProcessStats::monotonicNs() > deadline) {
            m_report.notes << QStringLiteral("%1 setup orders were still pending when the phases started").arg(pending);
            return;
        }
        QThread::msleep(250);
    }
}

bool ScenarioRunner::restartServer(const QMap<QString, QString> &settings)
{
    m_generator.reset();
    m_server->stop();
    QMap<QString, QString> all = BenchServer::loadDefaults();
    for (auto it = settings.cbegin(); it != settings.cend(); ++it)
        all[it.key()] = it.value();
    QString error;
    if (!m_server->start(m_o.binary, m_postgres ? m_server->databaseUrl() : QString(), all, &error)) {
        m_report.violations << QStringLiteral("the server did not restart: %1").arg(error);
        return false;
    }
    m_report.serverConfig += QStringLiteral("; restarted with\n") + m_server->configText();
    m_generator = newGenerator();
    m_admin = std::make_unique<HttpClient>(m_server->baseUrl());
    m_admin->setBearer(SaleFixture::adminToken(*m_admin));
    return true;
}

void ScenarioRunner::adjacentRatioFigure(const QString &label, const QString &key, std::vector<double> ratios)
{
    QStringList each;
    for (const double r : ratios)
        each << count(r, 2);
    std::sort(ratios.begin(), ratios.end());
    const double median = ratios.empty() ? 0 : ratios[ratios.size() / 2];
    m_report.figure(label + QStringLiteral(": vs the route with a purchase's headers just before"), key + QStringLiteral("RatioToAdjacentSameHeaders"),
                    median,
                    QStringLiteral("median %1 over %2 rounds (each round: %3)").arg(count(median, 2)).arg(ratios.size()).arg(each.join(QStringLiteral(", "))));
}

void ScenarioRunner::answerFigures(const QString &label, const QString &key, const RunMetrics &m, qint64 answers)
{
    compare(label, key + QStringLiteral("Rps"), m, QString());
    const double micros = answers > 0 ? m.serverCpuSeconds * 1e6 / double(answers) : 0;
    const auto base = m_report.phase(m_report.baselinePhase);
    const auto same = m_report.phase(m_report.sameHeadersPhase);
    auto perRequest = [](const std::shared_ptr<RunMetrics> &b) {
        return b && b->totalRequests() > 0 ? b->serverCpuSeconds * 1e6 / double(b->totalRequests()) : 0.0;
    };
    m_report.figure(label + QStringLiteral(": server CPU per answer"), key + QStringLiteral("CpuMicros"), micros,
                    QStringLiteral("%1 µs (bare health %2 µs, with a purchase's headers %3 µs); %4 answers as expected")
                        .arg(count(micros, 1), count(perRequest(base), 1), count(perRequest(same), 1), count(double(answers))));
}
