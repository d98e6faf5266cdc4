#include "router.h"

namespace {

// A captured path segment is an id or a slug exactly as a client should send it: only
// unreserved characters (so nothing percent-encoded: no %31 for 1, no encoded slash or
// NUL), starting with a letter or digit (no sign), at most 64 of them; and an all-digit
// `{id}` without a leading zero. Handlers then parse it knowing that "1", and only "1",
// names sale 1. Other captures (a storefront build's hex version) may start with zeros.
bool isStrictCapture(const QString &segment, bool isId)
{
    if (segment.isEmpty() || segment.size() > 64 || !segment.front().isLetterOrNumber())
        return false;
    bool allDigits = true;
    for (QChar c : segment) {
        const char16_t u = c.unicode();
        const bool digit = u >= '0' && u <= '9';
        const bool unreserved = digit || (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '-' || u == '_' || u == '.' || u == '~';
        if (!unreserved)
            return false;
        allDigits = allDigits && digit;
    }
    if (isId && allDigits && (segment.size() > 18 || (segment.size() > 1 && segment.front() == QLatin1Char('0'))))
        return false;
    return true;
}

} // namespace

QByteArray bearerToken(const HttpRequest &request)
{
    const QByteArray authorization = request.header("authorization");
    const qsizetype space = authorization.indexOf(' ');
    if (space <= 0 || authorization.left(space).compare("Bearer", Qt::CaseInsensitive) != 0)
        return {};
    return authorization.mid(space + 1).trimmed();
}

void Router::add(const QByteArray &method, const QString &pattern, Access access, RouteHandler handler)
{
    Route r;
    r.method = method;
    r.pattern = pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    r.name = QString::fromLatin1(method) + QLatin1Char(' ') + pattern;
    r.access = access;
    r.handler = std::move(handler);
    m_routes.append(std::move(r));
}

Router::Match Router::match(const QByteArray &method, const QStringList &segments) const
{
    Match m;
    for (const Route &r : m_routes) {
        if (r.pattern.size() != segments.size())
            continue;
        QHash<QString, QString> params;
        bool ok = true;
        for (int i = 0; i < segments.size() && ok; ++i) {
            const QString &p = r.pattern.at(i);
            if (p.startsWith(QLatin1Char('{')) && p.endsWith(QLatin1Char('}'))) {
                ok = isStrictCapture(segments.at(i), p == QLatin1String("{id}"));
                if (ok)
                    params.insert(p.mid(1, p.size() - 2), segments.at(i));
            } else
                ok = p == segments.at(i);
        }
        if (!ok)
            continue;
        if (r.method == method || (method == "HEAD" && r.method == "GET")) {
            m.route = &r;
            m.params = std::move(params);
            return m;
        }
        if (!m.allowedMethods.contains(r.method))
            m.allowedMethods.append(r.method);
    }
    return m;
}
