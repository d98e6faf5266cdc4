#include "joinlimiter.h"

qint64 JoinLimiter::hit(const QByteArray &key, qint64 nowMs)
{
    if (m_limit <= 0)
        return 0;
    const qint64 windowStart = nowMs - nowMs % m_windowMs;
    Stripe &s = m_stripes[size_t(qHash(key)) % stripeCount];
    QMutexLocker lock(&s.mutex);
    if (s.windows.size() > 50000) {
        for (auto it = s.windows.begin(); it != s.windows.end();)
            it = it->start < windowStart ? s.windows.erase(it) : std::next(it);
    }
    Window &w = s.windows[key];
    if (w.start != windowStart)
        w = Window{windowStart, 0};
    if (w.count >= m_limit)
        return windowStart + m_windowMs - nowMs;
    ++w.count;
    return 0;
}
