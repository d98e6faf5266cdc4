#pragma once

#include "pgbaseline.h"
#include "runmetrics.h"

#include <QJsonObject>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>

#include <memory>
#include <vector>

// Everything one scenario run found, written as report.md and raw.json (and drawn by
// the charts). The phases are kept in the order they ran.
struct BenchReport
{
    QString scenario;
    QString startedAt;
    QJsonObject options;
    QString machine;
    std::vector<std::shared_ptr<RunMetrics>> phases;
    QStringList chartedPhases;   // drawn on the time axis, one after the other
    QString mainPhase;           // the phase whose rate is compared with the baseline
    QString mainEndpoint;        // its endpoint of interest
    QString baselinePhase;       // GET /health/live, same generator and model
    QString sameHeadersPhase;    // the same route sent a purchase's headers and byte count
    PgBaseline pg;
    QList<QPair<QString, QString>> figures; // label, value: the headline numbers
    QJsonObject figuresJson;
    QStringList violations;
    QStringList notes;
    QString serverConfig;
    qint64 serverPeakRssKiB = 0;
    QStringList charts;

    std::shared_ptr<RunMetrics> phase(const QString &name) const;
    void figure(const QString &label, const QString &key, const QJsonValue &value, const QString &text);
};

double rateOf(const RunMetrics &m, const QString &endpoint); // answers per second
bool writeReport(const BenchReport &report, const QString &dir, QString *error);
QJsonObject metricsJson(const RunMetrics &m);
