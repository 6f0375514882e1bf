// What the route families use, wired once by the app and cut into each
// family's parts: the endpoint pipeline's (configuration, tokens, rate
// limits, clock), the read models the presenters render from, and the
// domain services.
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
#include "stream/stream_hub.h"
#include "stream/stream_sessions.h"
#include "timeline/home_timeline.h"
#include "timeline/public_timelines.h"
#include "timeline/user_timeline.h"

namespace chirp {

class MediaService;
class MediaStorage;
class SearchService;

// What the endpoint pipeline needs for every route (api/endpoint.h):
// configuration, tokens, rate limits, the clock.
struct EndpointParts {
  const ApiConfig& config;
  Authenticator& auth;
  RateLimiter& limiter;
  const Clock& clock;
};

// What each route family uses, and nothing else. Handlers take their
// family's parts; AddAllRoutes cuts them from the ApiContext below.
struct AccountRouteParts {
  const ApiConfig& config;
  AccountDirectory& accounts;
  AccountService& account_service;
};
struct GraphRouteParts {
  AccountDirectory& accounts;
  GraphService& graph;
};
struct StatusRouteParts {
  ReadModels& read;
  AccountDirectory& accounts;
  StatusDirectory& statuses;
  Posting& posting;
  Engagement& engagement;
  StatusReads& status_reads;
  UserTimeline& user_timeline;
};
struct TimelineRouteParts {
  ReadModels& read;
  StatusDirectory& statuses;
  ViewerCache& viewers;
  HomeTimeline* home;
  PublicTimelines& public_timelines;
};
struct NotificationRouteParts {
  ReadModels& read;
  AccountDirectory& accounts;
  NotificationService& notifications;
};
struct OAuthRouteParts {
  const ApiConfig& config;
  OAuthService& oauth;
  EndpointParts endpoint;  // sign-in attempts are rate limited inside the grant
};
struct SearchRouteParts {
  ReadModels& read;
  SearchService& search;
};
struct MediaRouteParts {
  MediaService& media;
  MediaStorage& storage;
};
struct InstanceRouteParts {
  const ApiConfig& config;
  AccountService& account_service;
};
struct StreamingRouteParts {
  Authenticator& auth;
  StreamHub* stream_hub;
  StreamSessionOptions stream_options;
  EndpointParts endpoint;  // for the rate limit on token look-ups
};
struct SystemRouteParts {
  AccountDirectory& accounts;
  Authenticator& auth;
  AccountService& account_service;
  HttpMetrics* const* metrics;  // the router's, set once it is complete
  const std::function<void(std::string&)>* extra_metrics;
};

// Everything the route families use, as the app wires it: only
// AddAllRoutes and the fallback read it, each family gets its parts.
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
  UserTimeline& user_timeline;
  NotificationService& notifications;
  OAuthService& oauth;
  HomeTimeline* home = nullptr;
  // Search, accounts search and hashtags; their routes are left out without it.
  SearchService* search = nullptr;
  // Uploads and the files they keep; their routes are left out without them.
  MediaService* media = nullptr;
  MediaStorage* media_storage = nullptr;
  HttpMetrics* metrics = nullptr;  // set once the router is complete
  // The streaming API's connections; null when streaming is off.
  StreamHub* stream_hub = nullptr;
  StreamSessionOptions stream_options;
  // Appends the figures of parts the API does not own (timeline cache, event
  // stream) to /metrics; set by the app.
  std::function<void(std::string&)> extra_metrics;

  EndpointParts endpoint() const { return {config, auth, limiter, clock}; }
};

}  // namespace chirp
