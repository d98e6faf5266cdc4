#pragma once

#include "http/router.h"

#include <QList>

class FlashSaleServer;
struct Modules;

// What a route's handler is bound to: the server (its own routes) and its modules.
struct RouteTargets
{
    FlashSaleServer &server;
    const Modules &modules;
};

// One route the server answers, the way Redis keeps one table of commands: method, path,
// who may call it, and the handler it calls (bound to its module when the server starts).
struct RouteSpec
{
    const char *method;
    const char *path; // literal segments and {name} captures
    Access access;
    const char *handler; // "SalesModule::listSales"
    RouteHandler (*bind)(const RouteTargets &targets);
};

// Every route of the server, in match order (the first match wins, so a literal segment
// comes before a capture in the same place). docs/api.md and resources/api/openapi.json
// are checked against it by tests/unit/tst_routetable.cpp.
const QList<RouteSpec> &routeTable();

// Adds every route of the table to `router`, each bound to its module.
void addRoutes(Router &router, FlashSaleServer &server, const Modules &modules);

const char *accessName(Access access); // "anyone", "user" or "admin"
