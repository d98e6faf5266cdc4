#pragma once

#include <memory>
#include <vector>

class FlashSaleServer;
class ServerModule;

// The list of domain modules, in start order. One place to add a module.
std::vector<std::unique_ptr<ServerModule>> createModules(FlashSaleServer &server);
