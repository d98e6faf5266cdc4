#pragma once

#include "core/servermodule.h"

class AccountsModule;
class FlashSaleServer;

// First start with demo.seed on: demo products with master stock, the demo admin and
// shoppers (DemoDefaults, listed in the README) and a demo sale starting
// demo.saleStartDelaySeconds later. Runs before the catalog and sales load, so they
// pick the rows up like any others. Never runs twice: it checks for existing products.
class DemoSeeder : public ServerModule
{
public:
    DemoSeeder(FlashSaleServer &server, AccountsModule &accounts)
        : m_server(server)
        , m_accounts(accounts)
    {
    }
    QString name() const override { return QStringLiteral("demo"); }
    bool load(QString *error) override;

    static constexpr int shopperCount = 5;

private:
    FlashSaleServer &m_server;
    AccountsModule &m_accounts;
};
