#include "etag.h"

#include <QCryptographicHash>

QByteArray etagOf(const QByteArray &body)
{
    return '"' + QCryptographicHash::hash(body, QCryptographicHash::Sha1).toHex().left(32) + '"';
}

HttpResponse withETag(const HttpRequest &request, HttpResponse response, const QByteArray &cacheControl)
{
    const QByteArray tag = etagOf(response.body);
    response.withHeader("ETag", tag).withHeader("Cache-Control", cacheControl);
    const QByteArray ifNoneMatch = request.header("if-none-match");
    if (!ifNoneMatch.isEmpty()) {
        for (QByteArray candidate : ifNoneMatch.split(',')) {
            candidate = candidate.trimmed();
            if (candidate.startsWith("W/"))
                candidate = candidate.mid(2);
            if (candidate == tag || candidate == "*") {
                HttpResponse notModified = HttpResponse::empty(304);
                notModified.headers = response.headers;
                return notModified;
            }
        }
    }
    return response;
}
