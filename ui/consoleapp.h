#pragma once

class QApplication;
struct ServerConfig;

// Runs the merchant console until its window closes. By default the sale server runs
// embedded in this process, started with `config`, and the console signs in to it
// (automatically as the demo administrator when config.demo.seed is set); File ▸
// Connect to Server… switches to a remote headless server.
int runConsole(QApplication &app, const ServerConfig &config);
