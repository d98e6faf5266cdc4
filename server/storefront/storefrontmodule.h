#pragma once

#include "core/servermodule.h"
#include "storefrontassets.h"

class FlashSaleServer;
struct HttpRequest;
struct HttpResponse;
class Responder;

// The shoppers' storefront, served on the API's port: the page at / and /shop, its
// assets under /shop/v/<version>/ (see StorefrontAssets). Every answer carries a strict
// Content-Security-Policy (no inline script, nothing from elsewhere, no framing),
// nosniff and a Referrer-Policy. The page uses only the public API. Handlers run on the
// HTTP threads and only read what load() prepared.
class StorefrontModule : public ServerModule
{
public:
    explicit StorefrontModule(FlashSaleServer &server) : m_server(server) {}
    QString name() const override { return QStringLiteral("storefront"); }
    bool load(QString *error) override;

    const StorefrontAssets &assets() const { return m_assets; }
    static const QByteArray ContentSecurityPolicy;

    // HTTP handlers; core/routetable.cpp routes to them.
    void servePage(const HttpRequest &request, const Responder &reply) const;
    void serveAsset(const HttpRequest &request, const Responder &reply) const;

private:
    HttpResponse page(const HttpRequest &request) const;
    HttpResponse asset(const HttpRequest &request) const;
    static HttpResponse secured(HttpResponse response);

    FlashSaleServer &m_server;
    StorefrontAssets m_assets;
};
