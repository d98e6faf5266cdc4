#pragma once

#include "config/serverconfig.h"

#include <memory>

class Metrics;
class ResilientGateway;

// The configured gateway ("simulated" or "http"), wrapped in retries and the breaker.
// Returns null with `error` set for an unknown kind or a missing URL.
std::unique_ptr<ResilientGateway> createPaymentGateway(const ServerConfig::Payments &config, Metrics &metrics, QString *error);
