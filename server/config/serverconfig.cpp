#include "serverconfig.h"

#include "settingstable.h"

#include <QDir>
#include <QSettings>
#include <QThread>

ServerConfig ServerConfig::fromIni(const QString &path, QStringList *warnings)
{
    ServerConfig c;
    if (path.isEmpty())
        return c;
    QSettings ini(path, QSettings::IniFormat);
    QStringList known;
    for (const Setting &setting : settingsTable()) {
        known.append(setting.key);
        if (!ini.contains(setting.key))
            continue;
        QString why;
        if (!setting.store(c, ini.value(setting.key), &why) && warnings) {
            for (const QString &line : why.split(QLatin1Char('\n')))
                warnings->append(QStringLiteral("%1 in %2: %3").arg(setting.key, path, line));
        }
    }
    if (warnings) {
        for (const QString &key : ini.allKeys()) {
            if (!known.contains(key))
                warnings->append(QStringLiteral("unknown configuration key %1 in %2").arg(key, path));
        }
    }
    return c;
}

QString ServerConfig::effectiveDatabaseUrl() const
{
    if (!database.url.isEmpty())
        return database.url;
    return QStringLiteral("sqlite:") + QDir(dataDir).filePath(QStringLiteral("flashsale.db"));
}

int ServerConfig::effectiveThreads() const
{
    return http.threads > 0 ? http.threads : qMax(1, QThread::idealThreadCount());
}
