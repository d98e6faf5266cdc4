#pragma once

#include "core/servermodule.h"

class FlashSaleServer;
struct HttpRequest;
class Responder;

// GET /admin/audit (admin): the audit trail, newest first, optionally for one sale.
class AuditModule : public ServerModule
{
public:
    explicit AuditModule(FlashSaleServer &server) : m_server(server) {}
    QString name() const override { return QStringLiteral("audit"); }

    // The HTTP handler of GET /admin/audit; core/routetable.cpp routes to it.
    void readAudit(const HttpRequest &request, const Responder &reply) const;

private:
    FlashSaleServer &m_server;
};
