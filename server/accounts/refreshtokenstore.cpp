#include "refreshtokenstore.h"

#include "jwt.h"
#include "sodiumsupport.h"
#include "storage/database.h"

#include <QCryptographicHash>

namespace {

constexpr int TokenBytes = 32;
constexpr int FamilyBytes = 16;

// The canonical base64url of 32 bytes is 43 characters; anything else was never issued.
bool plausibleToken(const QByteArray &token)
{
    return token.size() == 43 && JwtCodec::base64UrlDecode(token).has_value();
}

} // namespace

QString RefreshTokenStore::hashOf(const QByteArray &token)
{
    return QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex());
}

QByteArray RefreshTokenStore::insert(const QSqlDatabase &db, qint64 userId, const QString &family, qint64 nowMs) const
{
    const QByteArray token = JwtCodec::base64UrlEncode(Sodium::randomBytes(TokenBytes));
    execOrThrow(db,
                QStringLiteral("INSERT INTO refresh_tokens(token_hash, user_id, family, issued_at, expires_at, revoked) "
                               "VALUES (?, ?, ?, ?, ?, 0)"),
                {hashOf(token), userId, family, nowMs, nowMs + m_ttlMs});
    return token;
}

QByteArray RefreshTokenStore::issue(const QSqlDatabase &db, qint64 userId, qint64 nowMs) const
{
    const QString family = QString::fromLatin1(JwtCodec::base64UrlEncode(Sodium::randomBytes(FamilyBytes)));
    return insert(db, userId, family, nowMs);
}

RefreshTokenStore::Rotation RefreshTokenStore::rotate(const QSqlDatabase &db, const QByteArray &presented, qint64 nowMs) const
{
    Rotation r;
    if (!plausibleToken(presented))
        return r;
    const QString hash = hashOf(presented);
    return inTransaction(db, [&] {
        // Claim the token first: the write lock is taken at once, and of two concurrent
        // refreshes with the same token exactly one sees its row change.
        QSqlQuery claim = execOrThrow(db,
            QStringLiteral("UPDATE refresh_tokens SET replaced_at = ? "
                           "WHERE token_hash = ? AND replaced_at IS NULL AND revoked = 0 AND expires_at > ?"),
            {nowMs, hash, nowMs});
        const bool claimed = claim.numRowsAffected() == 1;
        QSqlQuery row = execOrThrow(db,
            QStringLiteral("SELECT user_id, family, replaced_at, revoked, expires_at FROM refresh_tokens WHERE token_hash = ?"),
            {hash});
        if (!row.next())
            return r; // Unknown
        r.userId = row.value(0).toLongLong();
        r.family = row.value(1).toString();
        if (claimed) {
            r.outcome = Outcome::Rotated;
            r.token = insert(db, r.userId, r.family, nowMs);
            // Remembered before the commit: a second use waits for this transaction's
            // lock, so it finds the successor here once it sees the token replaced.
            rememberSuccessor(hash, r.token, nowMs);
        } else if (row.value(3).toInt() != 0) {
            r.outcome = Outcome::Revoked;
        } else if (!row.value(2).isNull() && nowMs - row.value(2).toLongLong() <= m_reuseIntervalMs
                   && !(r.token = recentSuccessor(hash, nowMs)).isEmpty()) {
            r.outcome = Outcome::RotatedJustBefore; // nothing changes in the table
        } else if (!row.value(2).isNull()) {
            // Already exchanged once: this is a replay. End the whole family.
            r.outcome = Outcome::Reused;
            execOrThrow(db, QStringLiteral("UPDATE refresh_tokens SET revoked = 1 WHERE family = ?"), {r.family});
        } else {
            r.outcome = Outcome::Expired;
        }
        return r;
    });
}

void RefreshTokenStore::rememberSuccessor(const QString &presentedHash, const QByteArray &successor, qint64 nowMs) const
{
    if (m_reuseIntervalMs <= 0)
        return;
    QMutexLocker lock(&m_recentMutex);
    if (m_recent.size() >= 1024) {
        for (auto it = m_recent.begin(); it != m_recent.end();)
            it = it.value().untilMs < nowMs ? m_recent.erase(it) : std::next(it);
    }
    m_recent.insert(presentedHash, Successor{successor, nowMs + m_reuseIntervalMs});
}

QByteArray RefreshTokenStore::recentSuccessor(const QString &presentedHash, qint64 nowMs) const
{
    QMutexLocker lock(&m_recentMutex);
    const auto it = m_recent.constFind(presentedHash);
    if (it == m_recent.constEnd() || it.value().untilMs < nowMs)
        return {};
    return it.value().token;
}

int RefreshTokenStore::purgeExpired(const QSqlDatabase &db, qint64 nowMs) const
{
    QSqlQuery q = execOrThrow(db, QStringLiteral("DELETE FROM refresh_tokens WHERE expires_at < ?"), {nowMs});
    return q.numRowsAffected();
}
