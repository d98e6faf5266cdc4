#pragma once

#include "benchoptions.h"
#include "benchreport.h"
#include "crowd.h"

#include <QMap>
#include <QSet>
#include <QString>

#include <memory>
#include <vector>

class BenchServer;
class HttpClient;
class LoadGenerator;
class PostgresFixture;
class SaleAuditor;
class SoakWorkload;
class Workload;

// A progress line on stderr ("==> text").
void say(const QString &text);

// One scenario from start to report: starts PostgreSQL (on request) and the server with
// a configuration for the scenario, registers the crowd, measures the same-run
// baseline, runs the scenario's phases, audits the database, runs the pgbench baseline,
// writes results/<timestamp>-<scenario>/ and stops everything it started.
// run() returns 0 when every invariant held, 1 on a violation, 2 when the run could not
// be made.
class ScenarioRunner
{
public:
    explicit ScenarioRunner(BenchOptions options);
    ~ScenarioRunner();
    int run();
    // --pin-cores: the server's cores (all but the last; the generator has the last).
    static QList<int> serverCores();

private:
    bool startServer(const QMap<QString, QString> &settings);
    // A generator for the running server (and PostgreSQL's processes, when it runs there).
    std::unique_ptr<LoadGenerator> newGenerator() const;
    std::shared_ptr<RunMetrics> load(const QString &phase, Workload &workload, const LoadPlan &plan, bool charted);
    LoadPlan plan(double seconds) const;
    bool registerCrowd(int count);
    bool createSale(qint64 units, int perUserLimit, qint64 startInMs, qint64 durationMs);
    // GET /health/live bare, then sent with a purchase's headers (the two ratios of every
    // figure). `suffix` names a second pair, after a restart.
    void healthBaseline(const QString &suffix = QString());
    // GET /health/live sent a purchase's headers, for --baseline-seconds, as phase `phase`.
    std::shared_ptr<RunMetrics> sameHeadersBaseline(const QString &phase);
    void compare(const QString &label, const QString &key, const RunMetrics &m, const QString &endpoint);
    void latencyFigures(const QString &label, const QString &key, const RunMetrics &m, const QString &endpoint);
    void waitForFinalOrders(qint64 fromNs, qint64 startNs, RunMetrics &metrics);
    // Waits for every order of the phase to be final, then reports the server's CPU per
    // accepted purchase over the phase and the catching up after it, by thread.
    void orderCostUntilFinal(RunMetrics &phase, qint64 accepted);
    void noServerErrors(const RunMetrics &m);

    bool herd();
    bool purchase();
    bool soldOut();
    bool browse();
    bool stress();
    bool soak();    // soakscenario.cpp
    void auditSoak();
    bool answers(); // answersscenario.cpp
    // The same server binary and data again with other settings (answers: the 429 phase).
    bool restartServer(const QMap<QString, QString> &settings);
    // Rate against both baselines and the server's CPU time per answer of one phase.
    void answerFigures(const QString &label, const QString &key, const RunMetrics &m, qint64 answers);
    // The median of one kind's rounds, each the ratio to the baseline run just before it.
    void adjacentRatioFigure(const QString &label, const QString &key, std::vector<double> ratios);
    // Waits (at most --final-timeout) until no order of these sales is Pending.
    void waitUntilFinal(const QList<qint64> &sales);
    int finish(bool ran);

    BenchOptions m_o;
    QString m_dir;
    BenchReport m_report;
    std::unique_ptr<PostgresFixture> m_postgres;
    std::unique_ptr<BenchServer> m_server;
    std::unique_ptr<LoadGenerator> m_generator;
    std::unique_ptr<HttpClient> m_admin;
    std::unique_ptr<SaleAuditor> m_auditor;
    Crowd m_crowd;
    qint64 m_productId = 0;
    qint64 m_saleId = 0;
    qint64 m_saleStartMs = 0;
    QSet<QString> m_accepted;
    bool m_waitingRoom = false;
    bool m_requireFinal = false;
    bool m_audit = true;
    QByteArray m_adminToken;
    std::unique_ptr<SoakWorkload> m_soak;
};
