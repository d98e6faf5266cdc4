#include "storefrontmodule.h"

#include "http/etag.h"
#include "http/router.h"

// 'self' in connect-src also covers ws:/wss: to the same host and port (CSP Level 3),
// which the live channel needs; nothing else may be fetched, framed or posted.
const QByteArray StorefrontModule::ContentSecurityPolicy =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "worker-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

bool StorefrontModule::load(QString *error)
{
    return m_assets.load(QStringLiteral(":/static"), error);
}

void StorefrontModule::servePage(const HttpRequest &request, const Responder &reply) const
{
    reply.send(page(request));
}

void StorefrontModule::serveAsset(const HttpRequest &request, const Responder &reply) const
{
    reply.send(asset(request));
}

HttpResponse StorefrontModule::page(const HttpRequest &request) const
{
    const StorefrontAssets::File &f = m_assets.page();
    // no-cache: the browser asks every time (a 304 when unchanged), so a new build's
    // page, which names the new assets, is seen at once.
    return secured(withETag(request, HttpResponse::text(f.body, f.contentType), "no-cache"));
}

HttpResponse StorefrontModule::asset(const HttpRequest &request) const
{
    const StorefrontAssets::File *f = m_assets.asset(request.param(QStringLiteral("file")));
    if (!f || request.param(QStringLiteral("version")) != m_assets.version()) {
        // Another build's assets are not served under its name: a cache would keep
        // today's bytes for that version for a year.
        return secured(Problem::notFound(QStringLiteral("No storefront file at %1").arg(request.path))
                           .withHeader("Cache-Control", "no-store"));
    }
    return secured(withETag(request, HttpResponse::text(f->body, f->contentType), "public, max-age=31536000, immutable"));
}

HttpResponse StorefrontModule::secured(HttpResponse response)
{
    return response.withHeader("Content-Security-Policy", ContentSecurityPolicy)
        .withHeader("X-Content-Type-Options", "nosniff")
        .withHeader("Referrer-Policy", "no-referrer")
        .withHeader("X-Frame-Options", "DENY")
        .withHeader("Cross-Origin-Opener-Policy", "same-origin")
        .withHeader("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
}
