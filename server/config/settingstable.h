#pragma once

#include "serverconfig.h"

#include <QString>
#include <QVariant>

#include <functional>
#include <vector>

// Every key of the configuration file, once: its name, what it means, and how it is read
// into and out of a ServerConfig. The defaults are ServerConfig's own (a default-made
// ServerConfig read through `value`), so they are written in one place only; a test
// checks resources/config/flashsale.ini against this table (every key, the same default).
struct Setting
{
    QString key;     // "section/name", as in the INI file
    QString meaning; // one line, for people
    std::function<QVariant(const ServerConfig &config)> value;
    // Stores `text` (from the INI file); false with `why` set if it is not a valid value
    // (one line per invalid entry of a list).
    std::function<bool(ServerConfig &config, const QVariant &text, QString *why)> store;
};

const std::vector<Setting> &settingsTable();
