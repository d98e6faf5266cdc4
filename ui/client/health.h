#pragma once

#include <QString>

namespace Api {

// The server's readiness (GET /health/ready).
struct Health
{
    QString status; // "ready"
};

} // namespace Api
