// What the route families use, wired once by the app: the endpoint
// pipeline's parts (configuration, tokens, rate limits, clock), the read
// models the presenters render from, and the domain services.
#pragma once

#include <functional>
#include <string>

#include "api/api_config.h"
#include "auth/authenticator.h"
#include "auth/oauth_service.h"
#include "core/clock.h"
#include "http/metrics.h"
#include "mastodon/account_directory.h"
#include "mastodon/read_models.h"
#include "mastodon/status_directory.h"
#include "ratelimit/rate_limiter.h"
#include "social/account_service.h"
#include "social/engagement.h"
#include "social/graph_service.h"
#include "social/notification_service.h"
#include "social/posting.h"
#include "social/status_reads.h"
#include "social/viewer_cache.h"
#include "stream/stream_sessions.h"
#include "timeline/home_timeline.h"
#include "timeline/public_timelines.h"

namespace chirp {

struct ApiContext {
  const ApiConfig& config;
  ReadModels& read;  // what the presenters read
  const Clock& clock;
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
