// Registration of every API endpoint, one function per family.
#pragma once

#include "api/api_context.h"
#include "api/endpoint.h"
#include "http/router.h"
#include "http/server.h"

namespace chirp {

// Each family gets the parts it uses (api/api_context.h) and keeps a copy of
// them (references) in its handlers.
void AddOAuthRoutes(ApiRoutes& routes, const OAuthRouteParts& parts);      // apps and /oauth
void AddAccountRoutes(ApiRoutes& routes, const AccountRouteParts& parts);  // /api/v1/accounts
void AddGraphRoutes(ApiRoutes& routes, const GraphRouteParts& parts);      // follows, blocks, mutes
void AddStatusRoutes(ApiRoutes& routes, const StatusRouteParts& parts);    // statuses, engagement
void AddTimelineRoutes(ApiRoutes& routes, const TimelineRouteParts& parts);  // home, public, tags
void AddNotificationRoutes(ApiRoutes& routes, const NotificationRouteParts& parts);  // + markers
// The streaming API, when the parts have a hub.
void AddStreamingRoutes(Router& router, ApiRoutes& routes, const StreamingRouteParts& parts);
void AddSearchRoutes(ApiRoutes& routes, const SearchRouteParts& parts);  // search, tags
// /api/v1/media, /api/v2/media, and the files under /media.
void AddMediaRoutes(ApiRoutes& routes, Router& router, const MediaRouteParts& parts);
void AddInstanceRoutes(ApiRoutes& routes, const InstanceRouteParts& parts);  // instance, nodeinfo
void AddSystemRoutes(Router& router, const SystemRouteParts& parts);  // health, ready, metrics

// Registers all of the above, in an order where literal paths precede
// parameterised ones, each family with its parts cut from `context`, which
// must outlive the router.
void AddAllRoutes(Router& router, ApiContext& context);

// Answers unmatched requests: CORS preflight, 404 and 405 in the error format.
HttpResponse Fallback(const EndpointParts& parts, HttpRequest& request, bool path_matched);
// One metric in the Prometheus text format; `type` is "counter" or "gauge".
void AppendMetric(std::string& out, const char* name, const char* help, uint64_t value,
                  const char* type);

// A histogram in the Prometheus text format: `counts[i]` observations at
// most `bounds[i]` (and above the bound before), the last count above every
// bound; `sum` of all observations. Bounds and sum in the metric's unit.
void AppendHistogram(std::string& out, const char* name, const char* help,
                     const std::vector<double>& bounds, const std::vector<uint64_t>& counts,
                     double sum);

// CORS headers on the paths browsers call cross-origin.
void AddCorsHeaders(const HttpRequest& request, HttpResponse& response);

}  // namespace chirp
