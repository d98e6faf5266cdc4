#pragma once

#include "loadgenerator.h"

#include <QJsonObject>
#include <QString>
#include <QStringList>

// The command line of flashsale-bench, with each scenario's defaults filled in.
struct BenchOptions
{
    QString scenario;
    QString sourceDir;
    QString binary;            // the flashsale server; default: the build's app/flashsale
    QString resultsDir;        // default: <source-dir>/results
    bool postgres = false;
    LoadModel model = LoadModel::Closed;
    int shoppers = -1;         // -1: the scenario's default
    qint64 units = -1;
    int connections = -1;      // -1: the scenario's default (1000, soak 200)
    double rate = 10000;       // open model, req/s
    double duration = 20;      // seconds of the measured phase (herd: the longest it may take; soak: how long it runs)
    double baselineSeconds = 10;
    int rounds = 3;            // answers: each answer from memory measured this often, each time just after its own baseline
    int pollMs = 1000;         // herd: a waiting shopper polls this often
    double admissionRate = -1; // -1: the scenario's default (herd 5000/s, soak 200/s per sale)
    double p99LimitMs = 50;    // stress: a step breaks when p99 goes above
    double stepSeconds = 5;    // stress
    bool pgBaseline = true;
    bool perf = false;         // sample the server with perf record in each phase
    bool untilFinal = false;   // purchase: wait for every order to be final, report the CPU per order until then
    bool pinCores = false;     // the server on every core but the last, the generator on the last
    double finalTimeout = 60;  // seconds to wait for every order to be final
    int thinkMs = 2000;        // soak: a shopper's mean pause between rounds
    int saleSeconds = 600;     // soak: how long each sale it opens lasts

    static bool parse(const QStringList &arguments, BenchOptions *options, QString *error);
    QJsonObject toJson() const;
    static const QStringList scenarios;
};
