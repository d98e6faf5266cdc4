#pragma once

#include <QLatin1String>

// The credentials the demo seeder gives its accounts. Known to anyone who reads this
// repository, so the server refuses to start beyond loopback while an admin still has
// the demo admin password (see AccountsModule::load).
namespace DemoDefaults {

inline constexpr QLatin1String AdminEmail{"admin@flashsale.local"};
inline constexpr QLatin1String AdminPassword{"admin-demo-password"};
inline constexpr QLatin1String ShopperPassword{"shopper-demo-password"};

} // namespace DemoDefaults
