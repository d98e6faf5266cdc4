// FlashSale: the sale server, headless or with the merchant console.
#include "commandline.h"
#include "core/flashsaleserver.h"
#include "mallocarenas.h"
#include "telemetry/logger.h"
#include "unixsignalwatcher.h"

#include <QCoreApplication>
#include <QJsonObject>

#include <cstdio>
#include <memory>

#ifdef FLASHSALE_HAVE_GUI
#include "consoleapp.h"
#include <QApplication>
#endif

namespace {

bool displayAvailable()
{
    return qEnvironmentVariableIsSet("DISPLAY") || qEnvironmentVariableIsSet("WAYLAND_DISPLAY")
        || qEnvironmentVariableIsSet("QT_QPA_PLATFORM");
}

int runHeadless(QCoreApplication &app, const CommandLine &cl)
{
    FlashSaleServer server(cl.config);
    QString error;
    if (!server.start(&error)) {
        Log::error(QStringLiteral("server.start.failed"), {{QStringLiteral("error"), error}});
        std::fprintf(stderr, "flashsale: cannot start: %s\n", qPrintable(error));
        return 1;
    }
    std::printf("FlashSale is serving at %s  (Ctrl-C stops it)\n", qPrintable(server.baseUrl().toString()));
    std::printf("Shoppers' storefront: %s\n", qPrintable(server.baseUrl().resolved(QUrl(QStringLiteral("/"))).toString()));
    std::fflush(stdout);
    UnixSignalWatcher watcher;
    QObject::connect(&watcher, &UnixSignalWatcher::terminationRequested, &app, [&app](int signal) {
        Log::info(QStringLiteral("server.stopping"), {{QStringLiteral("signal"), signal}});
        app.quit();
    });
    const int code = app.exec();
    server.stop();
    return code;
}

} // namespace

int main(int argc, char **argv)
{
    limitMallocArenasToCores();
    QCoreApplication::setOrganizationName(QStringLiteral("FlashSale"));
    QCoreApplication::setApplicationName(QStringLiteral("FlashSale"));
    QCoreApplication::setApplicationVersion(QStringLiteral(FLASHSALE_VERSION));
    Log::installQtMessageHandler();

    const bool headless = argvAsksForHeadless(argc, argv) || !displayAvailable();
#ifdef FLASHSALE_HAVE_GUI
    if (!headless) {
        QApplication app(argc, argv);
        const CommandLine cl = parseCommandLine(QCoreApplication::arguments());
        for (const QString &w : cl.warnings)
            Log::warning(QStringLiteral("config.warning"), {{QStringLiteral("message"), w}});
        return runConsole(app, cl.config);
    }
#endif
    QCoreApplication app(argc, argv);
    const CommandLine cl = parseCommandLine(QCoreApplication::arguments());
    for (const QString &w : cl.warnings)
        Log::warning(QStringLiteral("config.warning"), {{QStringLiteral("message"), w}});
    Q_UNUSED(headless)
    return runHeadless(app, cl);
}
