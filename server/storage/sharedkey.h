#pragma once

#include <QByteArray>
#include <QList>
#include <QSqlDatabase>
#include <QString>

// A secret every node of a cluster shares through the database (table shared_keys), so a
// node joins with nothing copied by hand: the first node to start publishes the key it
// read from its data folder; every later node adopts the published one, whatever its own
// file holds. A key is rotated without signing anyone out in two steps, each followed by
// a rolling restart (docs/reliability.md): first the new key is added to `accepted`
// (every node verifies with it, still signs with the old), then it becomes `key_material`
// and the old one stays in `accepted` until tokens signed with it have expired.
// Called once at start, on the loading thread; throws DatabaseError.
struct SharedKey
{
    QByteArray key;             // sign (and verify) with this
    QList<QByteArray> accepted; // verify with these too
    bool adopted = false;       // another node published `key` first

    static SharedKey adopt(const QSqlDatabase &db, const QString &name, const QByteArray &local, qint64 nowMs);
};
