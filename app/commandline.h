#pragma once

#include "config/serverconfig.h"

#include <QStringList>

// What the command line asked for: the server configuration (defaults, then the INI
// file, then the options) and whether to run without the console.
struct CommandLine
{
    ServerConfig config;
    bool headless = false;
    QString configFile;
    QStringList warnings;
};

// Parses QCoreApplication::arguments(); prints help/version or an error and exits on
// bad input, like any command-line tool.
CommandLine parseCommandLine(const QStringList &arguments);

// True when argv asks for --headless, looked at before any QCoreApplication exists.
bool argvAsksForHeadless(int argc, char **argv);
