#include "modules.h"

#include "servermodule.h"

std::vector<std::unique_ptr<ServerModule>> createModules(FlashSaleServer &server)
{
    Q_UNUSED(server)
    std::vector<std::unique_ptr<ServerModule>> modules;
    return modules;
}
