// The database URL (server/storage/databaseurl.cpp), as --database and [database] url
// give it: sqlite:PATH or postgresql://user:password@host:port/db. A valid URL must name
// what the storage layer needs, and its redacted form (the one logged) must show the
// rest as parsed, and not the password.
#include "fuzzcheck.h"
#include "storage/databaseurl.h"

#include <cstdint>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QString text = QString::fromUtf8(reinterpret_cast<const char *>(data), qsizetype(size));
    const DatabaseUrl url = DatabaseUrl::parse(text);
    FUZZ_CHECK(url.isValid() == url.error.isEmpty());
    const QString redacted = url.redacted();
    switch (url.kind) {
    case DatabaseUrl::Kind::Invalid:
        FUZZ_CHECK(redacted == QStringLiteral("(invalid)"));
        break;
    case DatabaseUrl::Kind::Sqlite:
        FUZZ_CHECK(!url.path.isEmpty() && url.driverName() == QStringLiteral("QSQLITE"));
        FUZZ_CHECK(redacted == text); // an SQLite path holds no secret
        break;
    case DatabaseUrl::Kind::Postgresql: {
        FUZZ_CHECK(!url.host.isEmpty() && !url.name.isEmpty() && url.driverName() == QStringLiteral("QPSQL"));
        FUZZ_CHECK(url.port >= 0 && url.port <= 65535);
        // The logged form shows exactly the user, host, port and database as parsed,
        // whatever characters they hold, and never the password.
        const QString shown = QStringLiteral("postgresql://") + url.user + QLatin1Char('@') + url.host + QLatin1Char(':')
                              + QString::number(url.port) + QLatin1Char('/') + url.name;
        FUZZ_CHECK(redacted == shown);
        break;
    }
    }
    return 0;
}
