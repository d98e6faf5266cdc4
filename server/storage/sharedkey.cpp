#include "sharedkey.h"

#include "database.h"

SharedKey SharedKey::adopt(const QSqlDatabase &db, const QString &name, const QByteArray &local, qint64 nowMs)
{
    execOrThrow(db, QStringLiteral("INSERT INTO shared_keys(name, key_material, accepted, created_at) VALUES (?, ?, '', ?) "
                                   "ON CONFLICT (name) DO NOTHING"),
                {name, QString::fromLatin1(local.toBase64()), nowMs});
    QSqlQuery q = execOrThrow(db, QStringLiteral("SELECT key_material, accepted FROM shared_keys WHERE name = ?"), {name});
    if (!q.next())
        throw DatabaseError{QStringLiteral("shared key %1 vanished").arg(name)};
    SharedKey shared;
    shared.key = QByteArray::fromBase64(q.value(0).toString().toLatin1());
    if (shared.key.size() != local.size())
        throw DatabaseError{QStringLiteral("shared key %1 has %2 bytes, not %3").arg(name).arg(shared.key.size()).arg(local.size())};
    for (const QString &line : q.value(1).toString().split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
        const QByteArray key = QByteArray::fromBase64(line.trimmed().toLatin1());
        if (key.size() == local.size() && key != shared.key)
            shared.accepted.append(key);
    }
    shared.adopted = shared.key != local;
    return shared;
}
