#include "proofofwork.h"

#include "signedtext.h"

#include <QCryptographicHash>
#include <QList>
#include <QRandomGenerator>

namespace {

const QByteArray kind = "pow1";

QByteArray randomId()
{
    quint64 words[2];
    QRandomGenerator::system()->fillRange(words);
    return QByteArray(reinterpret_cast<const char *>(words), sizeof(words)).toHex();
}

bool parse(const QByteArray &payload, ProofOfWork::Challenge *c)
{
    const QList<QByteArray> parts = payload.split(':');
    if (parts.size() != 7 || parts[0] != kind)
        return false;
    bool ok[5] = {};
    c->saleId = parts[1].toLongLong(&ok[0]);
    c->userId = parts[2].toLongLong(&ok[1]);
    c->issuedAtMs = parts[3].toLongLong(&ok[2]);
    c->expiresAtMs = parts[4].toLongLong(&ok[3]);
    c->bits = parts[5].toInt(&ok[4]);
    c->id = parts[6];
    return ok[0] && ok[1] && ok[2] && ok[3] && ok[4] && !c->id.isEmpty();
}

} // namespace

QByteArray ProofOfWork::issue(qint64 saleId, qint64 userId, int bits, qint64 nowMs, qint64 ttlMs, Challenge *out) const
{
    Challenge c{saleId, userId, nowMs, nowMs + ttlMs, bits, randomId()};
    if (out)
        *out = c;
    const QByteArray payload = kind + ':' + QByteArray::number(c.saleId) + ':' + QByteArray::number(c.userId) + ':'
                               + QByteArray::number(c.issuedAtMs) + ':' + QByteArray::number(c.expiresAtMs) + ':'
                               + QByteArray::number(c.bits) + ':' + c.id;
    return SignedText::seal(m_key, payload);
}

QString ProofOfWork::redeem(const QByteArray &challenge, const QByteArray &nonce, qint64 saleId, qint64 userId, int minBits,
                            qint64 nowMs, Challenge *out)
{
    QByteArray payload;
    Challenge c;
    if (!SignedText::open(m_key, challenge, &payload) || !parse(payload, &c))
        return QStringLiteral("The challenge is not one this server issued.");
    if (c.saleId != saleId || c.userId != userId)
        return QStringLiteral("The challenge was issued for another sale or shopper.");
    if (c.expiresAtMs <= nowMs)
        return QStringLiteral("The challenge has expired; ask for a new one.");
    if (c.bits < minBits)
        return QStringLiteral("The challenge is easier than this sale requires; ask for a new one.");
    if (nonce.size() > 64 || !solves(challenge, nonce, c.bits))
        return QStringLiteral("The nonce does not solve the challenge.");
    {
        QMutexLocker lock(&m_usedMutex);
        if (m_used.contains(c.id))
            return QStringLiteral("The challenge was already used; ask for a new one.");
        if (m_used.size() >= 100000)
            forgetExpired(nowMs);
        m_used.insert(c.id, c.expiresAtMs);
    }
    *out = c;
    return {};
}

void ProofOfWork::forgetExpired(qint64 nowMs)
{
    for (auto it = m_used.begin(); it != m_used.end();) {
        if (it.value() <= nowMs)
            it = m_used.erase(it);
        else
            ++it;
    }
}

int ProofOfWork::leadingZeroBits(const QByteArray &digest)
{
    int bits = 0;
    for (char ch : digest) {
        const auto byte = static_cast<unsigned char>(ch);
        if (byte == 0) {
            bits += 8;
            continue;
        }
        for (int mask = 0x80; mask && !(byte & mask); mask >>= 1)
            ++bits;
        break;
    }
    return bits;
}

bool ProofOfWork::solves(const QByteArray &challenge, const QByteArray &nonce, int bits)
{
    if (bits <= 0)
        return true;
    QCryptographicHash hash(QCryptographicHash::Sha256);
    hash.addData(challenge);
    hash.addData(nonce);
    return leadingZeroBits(hash.result()) >= bits;
}
