#include "benchoptions.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>

const QStringList BenchOptions::scenarios = {QStringLiteral("browse"), QStringLiteral("herd"), QStringLiteral("purchase"),
                                             QStringLiteral("soldout"), QStringLiteral("stress"), QStringLiteral("answers"), QStringLiteral("soak"),
                                             QStringLiteral("all")};

namespace {

// "90", "90s", "30m", "2h": seconds; -1 when it is none of these.
double durationSeconds(const QString &text)
{
    static const QList<QPair<QChar, double>> units = {{QLatin1Char('s'), 1}, {QLatin1Char('m'), 60}, {QLatin1Char('h'), 3600}};
    double scale = 1;
    QString number = text.trimmed();
    for (const auto &[suffix, seconds] : units) {
        if (number.endsWith(suffix)) {
            number.chop(1);
            scale = seconds;
            break;
        }
    }
    bool ok = false;
    const double v = number.toDouble(&ok);
    return ok ? v * scale : -1;
}

} // namespace

bool BenchOptions::parse(const QStringList &arguments, BenchOptions *o, QString *error)
{
    QCommandLineParser p;
    p.setApplicationDescription(QStringLiteral("FlashSale load scenarios against a headless server it starts itself."));
    p.addHelpOption();
    p.addPositionalArgument(QStringLiteral("scenario"), scenarios.join(QStringLiteral(", ")));
    const QCommandLineOption source(QStringLiteral("source-dir"), QStringLiteral("The repository (results go to its results/)."), QStringLiteral("dir"));
    const QCommandLineOption binary(QStringLiteral("binary"), QStringLiteral("The flashsale server binary."), QStringLiteral("path"));
    const QCommandLineOption results(QStringLiteral("results"), QStringLiteral("Folder for results (default <source-dir>/results)."), QStringLiteral("dir"));
    const QCommandLineOption database(QStringLiteral("database"), QStringLiteral("sqlite (default) or postgresql."), QStringLiteral("kind"));
    const QCommandLineOption model(QStringLiteral("model"), QStringLiteral("closed (fixed concurrency, default) or open (constant rate)."), QStringLiteral("model"));
    const QCommandLineOption shoppers(QStringLiteral("shoppers"), QStringLiteral("Distinct shoppers (herd: 100000)."), QStringLiteral("n"));
    const QCommandLineOption units(QStringLiteral("units"), QStringLiteral("Units on sale (herd: 1000; soak: per sale, default the number of shoppers)."), QStringLiteral("n"));
    const QCommandLineOption connections(QStringLiteral("connections"), QStringLiteral("Open connections (default 1000; soak 200)."), QStringLiteral("n"));
    const QCommandLineOption rate(QStringLiteral("rate"), QStringLiteral("Open model: requests per second (default 10000)."), QStringLiteral("r"));
    const QCommandLineOption duration(QStringLiteral("duration"), QStringLiteral("The measured phase: seconds, or 90s, 30m, 2h (default 20 s)."), QStringLiteral("time"));
    const QCommandLineOption baseline(QStringLiteral("baseline-seconds"), QStringLiteral("Seconds of each baseline (default 10)."), QStringLiteral("s"));
    const QCommandLineOption rounds(QStringLiteral("rounds"),
                                    QStringLiteral("Answers: rounds of each answer from memory, each right after its own baseline with a purchase's headers (default 3)."),
                                    QStringLiteral("n"));
    const QCommandLineOption poll(QStringLiteral("poll-ms"), QStringLiteral("Herd: status poll interval of a waiting shopper (default 1000)."), QStringLiteral("ms"));
    const QCommandLineOption admission(QStringLiteral("admission-rate"), QStringLiteral("Herd and soak: shoppers admitted per second per sale (default herd 5000, soak 10)."), QStringLiteral("r"));
    const QCommandLineOption p99(QStringLiteral("p99-limit-ms"), QStringLiteral("Stress: p99 that breaks a step (default 50)."), QStringLiteral("ms"));
    const QCommandLineOption step(QStringLiteral("step-seconds"), QStringLiteral("Stress: seconds per step (default 5)."), QStringLiteral("s"));
    const QCommandLineOption noPg(QStringLiteral("no-pgbench"), QStringLiteral("Skip the naive PostgreSQL baseline."));
    const QCommandLineOption perf(QStringLiteral("perf"), QStringLiteral("Sample the server with perf record in each phase (profile-<phase>.txt)."));
    const QCommandLineOption pin(QStringLiteral("pin-cores"), QStringLiteral("Run the server on every core but the last and the generator on the last, so they do not take turns on the same core."));
    const QCommandLineOption think(QStringLiteral("think-ms"), QStringLiteral("Soak: a shopper's mean pause between rounds (default 2000)."), QStringLiteral("ms"));
    const QCommandLineOption saleSeconds(QStringLiteral("sale-seconds"), QStringLiteral("Soak: how long each sale it opens lasts (default 600)."), QStringLiteral("s"));
    const QCommandLineOption untilFinal(QStringLiteral("until-final"),
                                        QStringLiteral("Purchase: wait for every order to be final, and report the server's CPU per order over the phase and the catching up after it."));
    const QCommandLineOption finalTimeout(QStringLiteral("final-timeout"), QStringLiteral("Seconds to wait for every order to be final (default 60)."), QStringLiteral("s"));
    p.addOptions({source, binary, results, database, model, shoppers, units, connections, rate, duration, baseline, rounds, poll, admission, p99, step,
                  noPg, perf, pin, untilFinal, finalTimeout, think, saleSeconds});
    if (!p.parse(arguments)) {
        *error = p.errorText();
        return false;
    }
    if (p.isSet(QStringLiteral("help")) || p.positionalArguments().size() != 1) {
        *error = p.helpText();
        return false;
    }
    o->scenario = p.positionalArguments().first();
    if (!scenarios.contains(o->scenario)) {
        *error = QStringLiteral("unknown scenario %1; one of %2").arg(o->scenario, scenarios.join(QStringLiteral(", ")));
        return false;
    }
    o->sourceDir = p.value(source);
    if (o->sourceDir.isEmpty())
        o->sourceDir = qEnvironmentVariable("FLASHSALE_SOURCE_DIR", QDir::currentPath());
    o->binary = p.value(binary);
    if (o->binary.isEmpty())
        o->binary = qEnvironmentVariable("FLASHSALE_BINARY",
                                         QDir(QCoreApplication::applicationDirPath()).absoluteFilePath(QStringLiteral("../../app/flashsale")));
    o->resultsDir = p.isSet(results) ? p.value(results) : QDir(o->sourceDir).filePath(QStringLiteral("results"));
    const QString db = p.value(database);
    if (!db.isEmpty() && db != QLatin1String("sqlite") && db != QLatin1String("postgresql")) {
        *error = QStringLiteral("--database is sqlite or postgresql");
        return false;
    }
    o->postgres = db == QLatin1String("postgresql");
    const QString m = p.value(model);
    if (!m.isEmpty() && m != QLatin1String("closed") && m != QLatin1String("open")) {
        *error = QStringLiteral("--model is closed or open");
        return false;
    }
    o->model = m == QLatin1String("open") ? LoadModel::Open : LoadModel::Closed;
    bool ok = true;
    auto number = [&](const QCommandLineOption &opt, double fallback, double lo, double hi) {
        if (!p.isSet(opt))
            return fallback;
        bool good = false;
        const double v = p.value(opt).toDouble(&good);
        if (!good || v < lo || v > hi) {
            *error = QStringLiteral("--%1 must be a number from %2 to %3").arg(opt.names().first()).arg(lo).arg(hi);
            ok = false;
        }
        return v;
    };
    o->shoppers = int(number(shoppers, -1, 1, 2000000));
    o->units = qint64(number(units, -1, 1, 100000000));
    o->connections = int(number(connections, -1, 1, 50000));
    o->rate = number(rate, 10000, 1, 1000000);
    if (p.isSet(duration)) {
        o->duration = durationSeconds(p.value(duration));
        if (o->duration < 1 || o->duration > 86400) {
            *error = QStringLiteral("--duration must be 1 s to 24 h: 90, 90s, 30m or 2h");
            ok = false;
        }
    }
    o->baselineSeconds = number(baseline, 10, 1, 600);
    o->rounds = int(number(rounds, 3, 1, 20));
    o->pollMs = int(number(poll, 1000, 10, 60000));
    o->admissionRate = number(admission, -1, 1, 1000000);
    o->thinkMs = int(number(think, 2000, 0, 600000));
    o->saleSeconds = int(number(saleSeconds, 600, 30, 86400));
    o->p99LimitMs = number(p99, 50, 0.1, 60000);
    o->stepSeconds = number(step, 5, 1, 600);
    o->finalTimeout = number(finalTimeout, 60, 1, 3600);
    o->pgBaseline = !p.isSet(noPg);
    o->untilFinal = p.isSet(untilFinal);
    o->perf = p.isSet(perf);
    o->pinCores = p.isSet(pin);
    return ok;
}

QJsonObject BenchOptions::toJson() const
{
    return {{QStringLiteral("scenario"), scenario},
            {QStringLiteral("database"), postgres ? QStringLiteral("postgresql") : QStringLiteral("sqlite")},
            {QStringLiteral("model"), model == LoadModel::Open ? QStringLiteral("open") : QStringLiteral("closed")},
            {QStringLiteral("shoppers"), shoppers},
            {QStringLiteral("units"), units},
            {QStringLiteral("connections"), connections},
            {QStringLiteral("rate"), rate},
            {QStringLiteral("duration"), duration},
            {QStringLiteral("baselineSeconds"), baselineSeconds},
            {QStringLiteral("rounds"), rounds},
            {QStringLiteral("pollMs"), pollMs},
            {QStringLiteral("admissionRate"), admissionRate},
            {QStringLiteral("p99LimitMs"), p99LimitMs},
            {QStringLiteral("stepSeconds"), stepSeconds},
            {QStringLiteral("pgBaseline"), pgBaseline},
            {QStringLiteral("perf"), perf},
            {QStringLiteral("pinCores"), pinCores},
            {QStringLiteral("untilFinal"), untilFinal},
            {QStringLiteral("finalTimeout"), finalTimeout},
            {QStringLiteral("thinkMs"), thinkMs}};
}
