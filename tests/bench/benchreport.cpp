#include "benchreport.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>

std::shared_ptr<RunMetrics> BenchReport::phase(const QString &name) const
{
    for (const auto &p : phases) {
        if (p->phase() == name)
            return p;
    }
    return nullptr;
}

void BenchReport::figure(const QString &label, const QString &key, const QJsonValue &value, const QString &text)
{
    figures.append({label, text});
    figuresJson.insert(key, value);
}

double rateOf(const RunMetrics &m, const QString &endpoint)
{
    if (m.elapsedSeconds <= 0)
        return 0;
    for (const auto &e : m.endpoints()) {
        if (e.name == endpoint || endpoint.isEmpty())
            return double(endpoint.isEmpty() ? m.totalRequests() : e.requests) / m.elapsedSeconds;
    }
    return 0;
}

namespace {

QString ms(qint64 micros)
{
    return QString::number(double(micros) / 1000.0, 'f', micros < 10000 ? 2 : 1);
}

QJsonObject histogramJson(const LatencyHistogram &h)
{
    return {{QStringLiteral("count"), h.count()},
            {QStringLiteral("meanUs"), h.mean()},
            {QStringLiteral("p50Us"), h.quantile(0.50)},
            {QStringLiteral("p95Us"), h.quantile(0.95)},
            {QStringLiteral("p99Us"), h.quantile(0.99)},
            {QStringLiteral("p999Us"), h.quantile(0.999)},
            {QStringLiteral("maxUs"), h.max()}};
}

QString phaseTable(const RunMetrics &m)
{
    QString t = QStringLiteral("**%1**: %2 model, %3 connections%4, %5 s; generator CPU %6 s (%7 % of one core), server CPU %8 s "
                               "(%9 cores on average)%10\n\n")
                    .arg(m.phase(), m.model)
                    .arg(m.connections)
                    .arg(m.model == QLatin1String("open") ? QStringLiteral(", target %1 req/s").arg(m.targetRate, 0, 'f', 0) : QString())
                    .arg(m.elapsedSeconds, 0, 'f', 1)
                    .arg(m.generatorCpuSeconds, 0, 'f', 1)
                    .arg(m.elapsedSeconds > 0 ? 100.0 * m.generatorCpuSeconds / m.elapsedSeconds : 0, 0, 'f', 0)
                    .arg(m.serverCpuSeconds, 0, 'f', 1)
                    .arg(m.elapsedSeconds > 0 ? m.serverCpuSeconds / m.elapsedSeconds : 0, 0, 'f', 2)
                    .arg(m.dropped > 0 ? QStringLiteral("; %1 sends due with nothing to send").arg(m.dropped) : QString());
    const qint64 requests = m.totalRequests();
    if (requests > 0 && !m.serverCpuByThread.empty()) {
        // Where the server's CPU went, per request of the phase: which threads did the work.
        QStringList kinds;
        for (const auto &[kind, seconds] : m.serverCpuByThread) {
            if (seconds * 1e6 / double(requests) >= 0.05)
                kinds << QStringLiteral("%1 %2").arg(kind).arg(seconds * 1e6 / double(requests), 0, 'f', 1);
        }
        t += QStringLiteral("Server CPU µs per request by thread: %1\n\n").arg(kinds.join(QStringLiteral(", ")));
    }
    if (requests > 0 && m.databaseCpuSeconds >= 0) {
        t += QStringLiteral("PostgreSQL's CPU (all its processes): %1 s, %2 µs per request; with the server's, %3 µs per request\n\n")
                 .arg(m.databaseCpuSeconds, 0, 'f', 1)
                 .arg(m.databaseCpuSeconds * 1e6 / double(requests), 0, 'f', 1)
                 .arg((m.databaseCpuSeconds + m.serverCpuSeconds) * 1e6 / double(requests), 0, 'f', 1);
    }
    t += QStringLiteral("| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms | answers by status |\n"
                        "|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
    for (const auto &e : m.endpoints()) {
        if (e.requests == 0)
            continue;
        QStringList statuses;
        for (const auto &[status, count] : e.byStatus)
            statuses << QStringLiteral("%1: %2").arg(status == 0 ? QStringLiteral("no answer") : QString::number(status)).arg(count);
        t += QStringLiteral("| %1 | %2 | %3 | %4 | %5 | %6 | %7 | %8 | %9 |\n")
                 .arg(e.name)
                 .arg(e.requests)
                 .arg(m.elapsedSeconds > 0 ? double(e.requests) / m.elapsedSeconds : 0, 0, 'f', 0)
                 .arg(ms(e.latency.quantile(0.5)), ms(e.latency.quantile(0.95)), ms(e.latency.quantile(0.99)),
                      ms(e.latency.quantile(0.999)), ms(e.latency.max()))
                 .arg(statuses.join(QStringLiteral(", ")));
    }
    return t + QLatin1Char('\n');
}

} // namespace

QJsonObject metricsJson(const RunMetrics &m)
{
    QJsonArray endpoints;
    for (const auto &e : m.endpoints()) {
        if (e.requests == 0)
            continue;
        QJsonObject statuses;
        for (const auto &[status, count] : e.byStatus)
            statuses.insert(QString::number(status), count);
        endpoints.append(QJsonObject{{QStringLiteral("name"), e.name},
                                     {QStringLiteral("requests"), e.requests},
                                     {QStringLiteral("rps"), m.elapsedSeconds > 0 ? double(e.requests) / m.elapsedSeconds : 0},
                                     {QStringLiteral("latency"), histogramJson(e.latency)},
                                     {QStringLiteral("byStatus"), statuses}});
    }
    QJsonArray seconds;
    for (const auto &s : m.seconds()) {
        QJsonObject gauges;
        for (const auto &[name, value] : s.gauges)
            gauges.insert(name, value);
        seconds.append(QJsonObject{{QStringLiteral("requests"), s.requests},
                                   {QStringLiteral("errors"), s.errors},
                                   {QStringLiteral("p50Us"), s.latency.quantile(0.5)},
                                   {QStringLiteral("p99Us"), s.latency.quantile(0.99)},
                                   {QStringLiteral("p999Us"), s.latency.quantile(0.999)},
                                   {QStringLiteral("maxUs"), s.latency.max()},
                                   {QStringLiteral("gauges"), gauges}});
    }
    return {{QStringLiteral("phase"), m.phase()},
            {QStringLiteral("model"), m.model},
            {QStringLiteral("connections"), m.connections},
            {QStringLiteral("targetRate"), m.targetRate},
            {QStringLiteral("elapsedSeconds"), m.elapsedSeconds},
            {QStringLiteral("requests"), m.totalRequests()},
            {QStringLiteral("errors"), m.totalErrors()},
            {QStringLiteral("dropped"), m.dropped},
            {QStringLiteral("generatorCpuSeconds"), m.generatorCpuSeconds},
            {QStringLiteral("serverCpuSeconds"), m.serverCpuSeconds},
            {QStringLiteral("serverCpuSecondsByThread"), [&m] {
                 QJsonObject byThread;
                 for (const auto &[kind, cpu] : m.serverCpuByThread)
                     byThread.insert(kind, cpu);
                 return byThread;
             }()},
            {QStringLiteral("databaseCpuSeconds"), m.databaseCpuSeconds},
            {QStringLiteral("serverPeakRssKiB"), m.serverPeakRssKiB},
            {QStringLiteral("latency"), histogramJson(m.overall())},
            {QStringLiteral("endpoints"), endpoints},
            {QStringLiteral("seconds"), seconds}};
}

bool writeReport(const BenchReport &r, const QString &dir, QString *error)
{
    QString md = QStringLiteral("# FlashSale bench: %1\n\n%2, %3\n\n").arg(r.scenario, r.startedAt, r.machine);
    md += r.violations.isEmpty() ? QStringLiteral("**Result: every invariant held.**\n\n")
                                 : QStringLiteral("**Result: %1 violation(s).**\n\n").arg(r.violations.size());
    for (const QString &v : r.violations)
        md += QStringLiteral("- VIOLATION: %1\n").arg(v);
    md += QStringLiteral("\n## Headline figures\n\n| figure | value |\n|---|---|\n");
    for (const auto &[label, value] : r.figures)
        md += QStringLiteral("| %1 | %2 |\n").arg(label, value);
    md += QStringLiteral("\n## Phases\n\n");
    for (const auto &p : r.phases)
        md += phaseTable(*p);
    if (r.pg.ok || !r.pg.error.isEmpty()) {
        md += QStringLiteral("## Naive PostgreSQL purchase (pgbench, %1 clients, %2 s)\n\n").arg(r.pg.clients).arg(r.pg.seconds);
        md += r.pg.ok ? QStringLiteral("%1 transactions/s, average latency %2 ms.\n\n```sql\n%3```\n\n")
                            .arg(r.pg.tps, 0, 'f', 0)
                            .arg(r.pg.latencyMs, 0, 'f', 1)
                            .arg(r.pg.script)
                      : QStringLiteral("Not measured: %1\n\n").arg(r.pg.error);
    }
    if (!r.notes.isEmpty()) {
        md += QStringLiteral("## Notes\n\n");
        for (const QString &n : r.notes)
            md += QStringLiteral("- %1\n").arg(n);
        md += QLatin1Char('\n');
    }
    if (!r.charts.isEmpty()) {
        md += QStringLiteral("## Charts\n\n");
        for (const QString &c : r.charts)
            md += QStringLiteral("![%1](%1)\n\n").arg(c);
    }
    md += QStringLiteral("## Server configuration written for the run\n\n```ini\n%1```\n").arg(r.serverConfig);

    QJsonArray phases;
    for (const auto &p : r.phases)
        phases.append(metricsJson(*p));
    const QJsonObject raw{{QStringLiteral("scenario"), r.scenario},
                          {QStringLiteral("startedAt"), r.startedAt},
                          {QStringLiteral("machine"), r.machine},
                          {QStringLiteral("options"), r.options},
                          {QStringLiteral("figures"), r.figuresJson},
                          {QStringLiteral("violations"), QJsonArray::fromStringList(r.violations)},
                          {QStringLiteral("notes"), QJsonArray::fromStringList(r.notes)},
                          {QStringLiteral("serverPeakRssKiB"), r.serverPeakRssKiB},
                          {QStringLiteral("pgbench"), QJsonObject{{QStringLiteral("ok"), r.pg.ok},
                                                                  {QStringLiteral("error"), r.pg.error},
                                                                  {QStringLiteral("clients"), r.pg.clients},
                                                                  {QStringLiteral("seconds"), r.pg.seconds},
                                                                  {QStringLiteral("tps"), r.pg.tps},
                                                                  {QStringLiteral("latencyMs"), r.pg.latencyMs},
                                                                  {QStringLiteral("output"), r.pg.output}}},
                          {QStringLiteral("phases"), phases}};
    QFile mdFile(QDir(dir).filePath(QStringLiteral("report.md")));
    QFile jsonFile(QDir(dir).filePath(QStringLiteral("raw.json")));
    if (!mdFile.open(QIODevice::WriteOnly) || mdFile.write(md.toUtf8()) < 0 || !jsonFile.open(QIODevice::WriteOnly)
        || jsonFile.write(QJsonDocument(raw).toJson(QJsonDocument::Indented)) < 0) {
        *error = QStringLiteral("cannot write the report in %1").arg(dir);
        return false;
    }
    return true;
}
