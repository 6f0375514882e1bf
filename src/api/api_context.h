// The services every endpoint may use, wired once by the app.
#pragma once

#include <functional>
#include <string>

#include "api/account_directory.h"
#include "api/api_config.h"
#include "api/authenticator.h"
#include "api/oauth_service.h"
#include "api/status_directory.h"
#include "core/clock.h"
#include "core/snowflake.h"
#include "http/metrics.h"
#include "ratelimit/rate_limiter.h"
#include "social/account_service.h"
#include "social/engagement.h"
#include "social/graph_service.h"
#include "social/notification_service.h"
#include "social/posting.h"
#include "social/status_reads.h"
#include "social/viewer_cache.h"
#include "store/store.h"
#include "stream/stream_sessions.h"
#include "timeline/home_timeline.h"
#include "timeline/public_timelines.h"

namespace chirp {

struct ApiContext {
  const ApiConfig& config;
  Store& store;
  const Clock& clock;
  SnowflakeGenerator& ids;
  Authenticator& auth;
  AccountDirectory& accounts;
  StatusDirectory& statuses;
  ViewerCache& viewers;
  RateLimiter& limiter;
  // The domain services the route families call.
  Posting& posting;
  Engagement& engagement;
  GraphService& graph;
  AccountService& account_service;
  StatusReads& status_reads;
  PublicTimelines& public_timelines;
  NotificationService& notifications;
  OAuthService& oauth;
  HomeTimeline* home = nullptr;
  HttpMetrics* metrics = nullptr;  // set once the router is complete
  // The streaming API's connections; null when streaming is off.
  StreamHub* stream_hub = nullptr;
  StreamSessionOptions stream_options;
  // Appends the figures of parts the API does not own (timeline cache, event
  // stream) to /metrics; set by the app.
  std::function<void(std::string&)> extra_metrics;
};

}  // namespace chirp
