// flashsale-bench: the seed's load scenarios against a headless FlashSale server it
// starts itself; see docs/performance.md.
#include "benchoptions.h"
#include "processstats.h"
#include "scenariorunner.h"

#include <QApplication>

#include <cstdio>

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen"); // charts are drawn without a display
    ProcessStats::raiseFileLimit();               // thousands of connections; the server inherits it
    QApplication app(argc, argv);
    BenchOptions options;
    QString error;
    if (!BenchOptions::parse(app.arguments(), &options, &error)) {
        std::fprintf(stderr, "%s\n", error.toLocal8Bit().constData());
        return 2;
    }
    if (options.scenario != QLatin1String("all"))
        return ScenarioRunner(options).run();
    int worst = 0;
    for (const QString &scenario : {QStringLiteral("browse"), QStringLiteral("purchase"), QStringLiteral("herd"), QStringLiteral("soldout"),
                                    QStringLiteral("stress")}) {
        BenchOptions one = options;
        one.scenario = scenario;
        worst = qMax(worst, ScenarioRunner(one).run());
    }
    return worst;
}
