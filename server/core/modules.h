#pragma once

#include <memory>
#include <type_traits>
#include <vector>

class AccountsModule;
class AuditModule;
class Authenticator;
class CatalogModule;
class ClusterModule;
class DemoSeeder;
class FlashSaleServer;
class InventoryModule;
class NotificationsModule;
class OrdersModule;
class SalesModule;
class StorefrontModule;
class ServerModule;
class WaitingRoomModule;

// The server's domain modules, built by createModules (core/modules.cpp, the composition
// root): each is handed, when it is built, the modules it uses, so the compiler checks
// what depends on what, and nothing is looked up at run time. `all` owns them, in start
// order; the typed pointers are for the server itself, the console and the tests.
struct Modules
{
    std::vector<std::unique_ptr<ServerModule>> all;
    AccountsModule *accounts = nullptr;
    DemoSeeder *demo = nullptr;
    InventoryModule *inventory = nullptr;
    CatalogModule *catalog = nullptr;
    SalesModule *sales = nullptr;
    AuditModule *audit = nullptr;
    WaitingRoomModule *waitingRoom = nullptr;
    OrdersModule *orders = nullptr;
    NotificationsModule *notifications = nullptr;
    StorefrontModule *storefront = nullptr;
    ClusterModule *cluster = nullptr;
    const Authenticator *authenticator = nullptr; // the accounts module: checks bearer tokens

    // The module of type T, chosen when compiling (no cast at run time).
    template<typename T>
    T *get() const
    {
        if constexpr (std::is_same_v<T, AccountsModule>)
            return accounts;
        else if constexpr (std::is_same_v<T, DemoSeeder>)
            return demo;
        else if constexpr (std::is_same_v<T, InventoryModule>)
            return inventory;
        else if constexpr (std::is_same_v<T, CatalogModule>)
            return catalog;
        else if constexpr (std::is_same_v<T, SalesModule>)
            return sales;
        else if constexpr (std::is_same_v<T, AuditModule>)
            return audit;
        else if constexpr (std::is_same_v<T, WaitingRoomModule>)
            return waitingRoom;
        else if constexpr (std::is_same_v<T, OrdersModule>)
            return orders;
        else if constexpr (std::is_same_v<T, NotificationsModule>)
            return notifications;
        else if constexpr (std::is_same_v<T, StorefrontModule>)
            return storefront;
        else if constexpr (std::is_same_v<T, ClusterModule>)
            return cluster;
        else
            static_assert(!std::is_same_v<T, T>, "not a module of the server");
    }
};

// Builds every module, each with what it needs. One place to add a module.
Modules createModules(FlashSaleServer &server);
