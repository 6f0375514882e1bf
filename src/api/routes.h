// Registration of every API endpoint, one function per family.
#pragma once

#include "api/api_context.h"
#include "api/endpoint.h"
#include "http/router.h"
#include "http/server.h"

namespace chirp {

void AddOAuthRoutes(ApiRoutes& routes, ApiContext& context);     // apps and /oauth
void AddAccountRoutes(ApiRoutes& routes, ApiContext& context);   // /api/v1/accounts
void AddGraphRoutes(ApiRoutes& routes, ApiContext& context);     // follows, blocks, mutes
void AddStatusRoutes(ApiRoutes& routes, ApiContext& context);    // statuses, favourites, reblogs
void AddTimelineRoutes(ApiRoutes& routes, ApiContext& context);  // home, public, hashtag
void AddNotificationRoutes(ApiRoutes& routes, ApiContext& context);  // notifications, markers
// The streaming API, when the context has a hub.
void AddStreamingRoutes(Router& router, ApiRoutes& routes, ApiContext& context);
void AddInstanceRoutes(ApiRoutes& routes, ApiContext& context);  // instance, nodeinfo
void AddSystemRoutes(Router& router, ApiContext& context);       // health, ready, metrics, assets

// Registers all of the above, in an order where literal paths precede
// parameterised ones.
void AddAllRoutes(Router& router, ApiContext& context);

// Answers unmatched requests: CORS preflight, 404 and 405 in the error format.
HttpResponse Fallback(ApiContext& context, HttpRequest& request, bool path_matched);
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
