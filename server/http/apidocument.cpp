#include "apidocument.h"

#include "etag.h"
#include "telemetry/logger.h"

#include <QFile>

namespace {

const QByteArray &documentBytes()
{
    static const QByteArray bytes = [] {
        QFile file(QStringLiteral(":/api/openapi.json"));
        if (!file.open(QIODevice::ReadOnly)) {
            Log::error(QStringLiteral("apiDocument.missing"), {{QStringLiteral("resource"), file.fileName()}});
            return QByteArray();
        }
        return file.readAll();
    }();
    return bytes;
}

} // namespace

HttpResponse apiDocument(const HttpRequest &request)
{
    const QByteArray &body = documentBytes();
    if (body.isEmpty())
        return Problem::notFound(QStringLiteral("This build carries no API document."));
    return withETag(request, HttpResponse::text(body, "application/json"), "public, max-age=60");
}
