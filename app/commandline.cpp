#include "commandline.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>
#include <QHostAddress>

#include <cstdio>
#include <cstring>

namespace {

[[noreturn]] void fail(const QString &message)
{
    std::fprintf(stderr, "flashsale: %s\n", qPrintable(message));
    std::exit(2);
}

} // namespace

bool argvAsksForHeadless(int argc, char **argv)
{
    for (int i = 1; i < argc; ++i) {
        if (std::strcmp(argv[i], "--headless") == 0 || std::strcmp(argv[i], "--help") == 0
            || std::strcmp(argv[i], "-h") == 0 || std::strcmp(argv[i], "--version") == 0)
            return true;
    }
    return false;
}

CommandLine parseCommandLine(const QStringList &arguments)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("FlashSale: a flash-sale server with a merchant console."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption headless(QStringLiteral("headless"), QStringLiteral("Run the server alone, without the console."));
    const QCommandLineOption config({QStringLiteral("c"), QStringLiteral("config")},
                                    QStringLiteral("Read settings from this INI file (see resources/config/flashsale.ini)."),
                                    QStringLiteral("file"));
    const QCommandLineOption port({QStringLiteral("p"), QStringLiteral("port")}, QStringLiteral("TCP port to listen on (0: any free port)."), QStringLiteral("port"));
    const QCommandLineOption bind(QStringLiteral("bind"), QStringLiteral("Address to listen on (default 127.0.0.1)."), QStringLiteral("address"));
    const QCommandLineOption database(QStringLiteral("database"), QStringLiteral("sqlite:PATH or postgresql://user:password@host:port/db."), QStringLiteral("url"));
    const QCommandLineOption threads(QStringLiteral("threads"), QStringLiteral("HTTP threads (default: one per core)."), QStringLiteral("n"));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"), QStringLiteral("Folder for the SQLite file and the signing key (default: data)."), QStringLiteral("dir"));
    const QCommandLineOption logLevel(QStringLiteral("log-level"), QStringLiteral("debug, info, warning or error."), QStringLiteral("level"));
    const QCommandLineOption noDemo(QStringLiteral("no-demo"), QStringLiteral("Do not seed demo products, shoppers and sale on first start."));
    const QCommandLineOption nodeId(QStringLiteral("node-id"), QStringLiteral("Run as this node of a cluster on one PostgreSQL (see docs/cluster.md)."), QStringLiteral("id"));
    const QCommandLineOption advertiseUrl(QStringLiteral("advertise-url"), QStringLiteral("How operators reach this cluster node (shown in the console)."), QStringLiteral("url"));
    parser.addOptions({headless, config, port, bind, database, threads, dataDir, logLevel, noDemo, nodeId, advertiseUrl});
    parser.process(arguments);
    if (!parser.positionalArguments().isEmpty())
        fail(QStringLiteral("unexpected argument %1; see --help").arg(parser.positionalArguments().constFirst()));

    CommandLine cl;
    cl.headless = parser.isSet(headless);
    if (parser.isSet(config)) {
        cl.configFile = parser.value(config);
        if (!QFileInfo::exists(cl.configFile))
            fail(QStringLiteral("configuration file %1 does not exist").arg(cl.configFile));
    }
    cl.config = ServerConfig::fromIni(cl.configFile, &cl.warnings);
    ServerConfig &c = cl.config;
    if (parser.isSet(port)) {
        bool ok = false;
        const uint p = parser.value(port).toUInt(&ok);
        if (!ok || p > 65535)
            fail(QStringLiteral("--port must be a number from 0 to 65535"));
        c.http.port = quint16(p);
    }
    if (parser.isSet(bind)) {
        QHostAddress a;
        if (!a.setAddress(parser.value(bind)))
            fail(QStringLiteral("--bind must be an IP address"));
        c.http.bind = a;
    }
    if (parser.isSet(database))
        c.database.url = parser.value(database);
    if (parser.isSet(threads)) {
        bool ok = false;
        c.http.threads = parser.value(threads).toInt(&ok);
        if (!ok || c.http.threads < 1 || c.http.threads > 256)
            fail(QStringLiteral("--threads must be from 1 to 256"));
    }
    if (parser.isSet(dataDir))
        c.dataDir = parser.value(dataDir);
    if (parser.isSet(logLevel))
        c.logLevel = parser.value(logLevel);
    if (parser.isSet(noDemo))
        c.demo.seed = false;
    if (parser.isSet(nodeId))
        c.cluster.nodeId = parser.value(nodeId);
    if (parser.isSet(advertiseUrl)) {
        const QUrl url(parser.value(advertiseUrl), QUrl::StrictMode);
        if (!url.isValid() || (url.scheme() != QLatin1String("http") && url.scheme() != QLatin1String("https")) || url.host().isEmpty())
            fail(QStringLiteral("--advertise-url must be an http:// or https:// URL"));
        c.cluster.advertiseUrl = url.toString();
    }
    if (c.clustered()) {
        static const QRegularExpression validId(QStringLiteral("^[A-Za-z0-9._-]{1,64}$"));
        if (!validId.match(c.cluster.nodeId).hasMatch())
            fail(QStringLiteral("--node-id must be 1 to 64 letters, digits, '.', '_' or '-'"));
        if (!c.effectiveDatabaseUrl().startsWith(QLatin1String("postgresql:")))
            fail(QStringLiteral("a cluster node needs --database postgresql://...: the nodes share one PostgreSQL"));
    }
    return cl;
}
