#include "verifiedtokens.h"

VerifiedTokens &VerifiedTokens::forThread(quint64 codec)
{
    thread_local VerifiedTokens cache;
    if (cache.m_codec != codec) {
        cache.m_entries.clear();
        cache.m_codec = codec;
    }
    return cache;
}

const Principal *VerifiedTokens::find(const QByteArray &token, qint64 nowSeconds)
{
    const auto it = m_entries.constFind(token);
    if (it == m_entries.constEnd())
        return nullptr;
    if (nowSeconds >= it->expiresAt) {
        m_entries.erase(it);
        return nullptr; // verify() says Expired, with its reason
    }
    return &it->principal;
}

void VerifiedTokens::remember(const QByteArray &token, const Principal &principal, qint64 expiresAtSeconds)
{
    if (m_entries.size() >= capacity)
        m_entries.clear();
    m_entries.insert(token, Entry{principal, expiresAtSeconds});
}
