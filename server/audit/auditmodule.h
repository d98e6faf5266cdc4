#pragma once

#include "core/servermodule.h"

class FlashSaleServer;

// GET /admin/audit (admin): the audit trail, newest first, optionally for one sale.
class AuditModule : public ServerModule
{
public:
    explicit AuditModule(FlashSaleServer &server) : m_server(server) {}
    QString name() const override { return QStringLiteral("audit"); }
    void registerRoutes(Router &router) override;

private:
    FlashSaleServer &m_server;
};
