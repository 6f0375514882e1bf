// The services every endpoint may use, wired once by the app.
#pragma once

#include "api/account_directory.h"
#include "api/api_config.h"
#include "api/authenticator.h"
#include "core/clock.h"
#include "core/snowflake.h"
#include "http/metrics.h"
#include "ratelimit/rate_limiter.h"
#include "store/store.h"

namespace chirp {

struct ApiContext {
  const ApiConfig& config;
  Store& store;
  const Clock& clock;
  SnowflakeGenerator& ids;
  Authenticator& auth;
  AccountDirectory& accounts;
  RateLimiter& limiter;
  HttpMetrics* metrics = nullptr;  // set once the router is complete
};

}  // namespace chirp
