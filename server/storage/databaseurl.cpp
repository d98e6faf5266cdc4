#include "databaseurl.h"

#include <QUrl>

DatabaseUrl DatabaseUrl::parse(const QString &text)
{
    DatabaseUrl u;
    if (text.startsWith(QLatin1String("sqlite:"))) {
        u.path = text.mid(7);
        if (u.path.isEmpty()) {
            u.error = QStringLiteral("sqlite: needs a file path, e.g. sqlite:data/flashsale.db");
            return u;
        }
        u.kind = Kind::Sqlite;
        return u;
    }
    if (text.startsWith(QLatin1String("postgresql://")) || text.startsWith(QLatin1String("postgres://"))) {
        const QUrl url(text, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty()) {
            u.error = QStringLiteral("not a valid postgresql:// URL");
            return u;
        }
        u.kind = Kind::Postgresql;
        u.host = url.host();
        u.port = url.port(5432);
        u.user = url.userName();
        u.password = url.password();
        u.name = url.path().mid(1);
        if (u.name.isEmpty())
            u.name = QStringLiteral("flashsale");
        return u;
    }
    u.error = QStringLiteral("database must be sqlite:PATH or postgresql://user:password@host:port/db");
    return u;
}

QString DatabaseUrl::driverName() const
{
    return kind == Kind::Postgresql ? QStringLiteral("QPSQL") : QStringLiteral("QSQLITE");
}

QString DatabaseUrl::redacted() const
{
    if (kind == Kind::Sqlite)
        return QStringLiteral("sqlite:") + path;
    if (kind == Kind::Postgresql)
        // One arg() for all four: chained, a user or host holding "%1" (a URL's "%251")
        // would take the port or the name meant for the template.
        return QStringLiteral("postgresql://%1@%2:%3/%4").arg(user, host, QString::number(port), name);
    return QStringLiteral("(invalid)");
}
