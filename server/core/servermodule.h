#pragma once

#include <QString>

// A domain module of the server (accounts, catalog, sales...). The server creates the
// modules and lets each load its state; core/routetable.cpp routes requests to their
// handlers.
class ServerModule
{
public:
    virtual ~ServerModule() = default;
    virtual QString name() const = 0;
    // Reads what the module keeps in memory; runs once, on the main thread, before
    // serving. Returns false with `error` set if the server must not start.
    virtual bool load(QString *error) { Q_UNUSED(error) return true; }
    // Called on the main thread once listening; modules start their timers here.
    virtual void started() {}
    // Called after the HTTP threads stopped; modules finish or persist in-flight work.
    virtual void stopping() {}
};
