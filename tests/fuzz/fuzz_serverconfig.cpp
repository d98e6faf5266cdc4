// The configuration file (ServerConfig::fromIni, server/config/settingstable.cpp), read
// from a file as --config reads it. A value it refuses "keeps the default", as its
// warning says, and the database URL it names must parse or be refused.
#include "config/serverconfig.h"
#include "config/settingstable.h"
#include "fuzzcheck.h"
#include "storage/databaseurl.h"

#include <QFile>
#include <QTemporaryDir>

#include <cstdint>

namespace {

const QString &folder()
{
    static QTemporaryDir dir;
    FUZZ_CHECK(dir.isValid());
    static const QString path = dir.path();
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    // A new name each time: QSettings caches what it read of a path, and a file rewritten
    // within the same millisecond with the same size would be taken for the one before.
    static quint64 count = 0;
    const QString path = folder() + QStringLiteral("/flashsale-%1.ini").arg(++count);
    {
        QFile file(path);
        FUZZ_CHECK(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(reinterpret_cast<const char *>(data), qint64(size));
    }
    QStringList warnings;
    const ServerConfig config = ServerConfig::fromIni(path, &warnings);
    DatabaseUrl::parse(config.effectiveDatabaseUrl());
    FUZZ_CHECK(config.effectiveThreads() >= 1);

    // A value refused with "the default is kept" keeps the default, as the warning says.
    const ServerConfig defaults;
    for (const Setting &setting : settingsTable()) {
        const QString prefix = setting.key + QStringLiteral(" in ");
        for (const QString &warning : std::as_const(warnings)) {
            if (warning.startsWith(prefix) && warning.endsWith(QStringLiteral("the default is kept")))
                FUZZ_CHECK(setting.value(config) == setting.value(defaults));
        }
    }
    QFile::remove(path);
    return 0;
}
