// Operational endpoints (/health, /ready, /metrics), the placeholder images
// that accounts without avatar or header point to, the fallback for
// unmatched requests, and CORS.
#include <boost/json/value.hpp>
#include <cstdio>

#include "api/routes.h"
#include "core/text.h"

namespace chirp {

namespace {

// A 1x1 grey PNG: what an account without an avatar or header shows.
constexpr unsigned char kMissingPng[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
    0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
    0x9c, 0x63, 0xd8, 0xb0, 0xe3, 0x00, 0x00, 0x04, 0x44, 0x02, 0x29, 0x42, 0x33, 0x0c,
    0x4c, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

HttpResponse MissingImage(HttpRequest&, const PathParams&) {
  HttpResponse r;
  r.content_type = "image/png";
  r.body.assign(reinterpret_cast<const char*>(kMissingPng), sizeof kMissingPng);
  r.AddHeader("Cache-Control", "public, max-age=31536000, immutable");
  return r;
}

}  // namespace

void AppendMetric(std::string& out, const char* name, const char* help, uint64_t value,
                  const char* type) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n" +
         name + " " + std::to_string(value) + "\n";
}

void AppendHistogram(std::string& out, const char* name, const char* help,
                     const std::vector<double>& bounds, const std::vector<uint64_t>& counts,
                     double sum) {
  out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    char le[32];
    if (i < bounds.size()) {
      std::snprintf(le, sizeof le, "%g", bounds[i]);
    } else {
      std::snprintf(le, sizeof le, "+Inf");
    }
    out += std::string(name) + "_bucket{le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  char total[64];
  std::snprintf(total, sizeof total, "%.6f", sum);
  out += std::string(name) + "_sum " + total + "\n";
  out += std::string(name) + "_count " + std::to_string(cumulative) + "\n";
}

namespace {

void Counter(std::string& out, const char* name, const char* help, uint64_t value,
             const char* type = "counter") {
  AppendMetric(out, name, help, value, type);
}

bool IsCorsPath(std::string_view path) {
  return path.starts_with("/api/") || path == "/oauth/token" || path == "/oauth/revoke" ||
         path.starts_with("/.well-known/") || path.starts_with("/nodeinfo/");
}

}  // namespace

void AddCorsHeaders(const HttpRequest& request, HttpResponse& response) {
  if (!IsCorsPath(request.path)) return;
  response.AddHeader("Access-Control-Allow-Origin", "*");
  response.AddHeader(
      "Access-Control-Expose-Headers",
      "Link, X-RateLimit-Reset, X-RateLimit-Limit, X-RateLimit-Remaining, X-Request-Id");
}

HttpResponse Fallback(const EndpointParts& context, HttpRequest& request, bool path_matched) {
  if (request.method == "OPTIONS" && IsCorsPath(request.path)) {
    HttpResponse r = JsonResponse(200, "{}");
    r.AddHeader("Access-Control-Allow-Methods", "POST, PUT, DELETE, GET, PATCH, OPTIONS");
    const std::string_view asked = request.Header("access-control-request-headers");
    r.AddHeader("Access-Control-Allow-Headers", asked.empty()
                                                    ? "Authorization, Content-Type, Idempotency-Key"
                                                    : std::string(asked));
    r.AddHeader("Access-Control-Max-Age", "7200");
    return r;
  }
  HttpResponse r = path_matched ? JsonResponse(405, "{\"error\":\"Method not allowed\"}")
                                : JsonResponse(404, "{\"error\":\"Record not found\"}");
  if (request.path.starts_with("/api/")) {
    const std::string client = ClientAddress(
        request.remote_address, request.Header("x-forwarded-for"), context.config.trusted_proxies);
    const RateLimitDecision d =
        ApiRoutes::TakeRateLimit(context, LimitClass::kDefault, std::nullopt, client);
    if (!d.allowed) r = JsonResponse(429, "{\"error\":\"Too many requests\"}");
    ApiRoutes::AddRateLimitHeaders(d, r);
  }
  return r;
}

void AddSystemRoutes(Router& router, const SystemRouteParts& ctx) {
  router.Add({.method = "GET",
              .pattern = "/health",
              .handler = [](HttpRequest&,
                            const PathParams&) { return JsonResponse(200, "{\"status\":\"ok\"}"); },
              .execution = Execution::kInline});
  router.Add(
      {.method = "GET", .pattern = "/ready", .handler = [ctx](HttpRequest&, const PathParams&) {
         auto users = ctx.account_service.Count();
         if (!users) return JsonResponse(503, "{\"status\":\"unavailable\"}");
         return JsonResponse(200, "{\"status\":\"ready\"}");
       }});
  router.Add({.method = "GET",
              .pattern = "/metrics",
              .handler =
                  [ctx](HttpRequest&, const PathParams&) {
                    HttpResponse r;
                    r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                    if (*ctx.metrics != nullptr) (*ctx.metrics)->Render(r.body);
                    Counter(r.body, "chirp_cached_accounts", "Accounts held in memory.",
                            ctx.accounts.size(), "gauge");
                    Counter(r.body, "chirp_cached_tokens", "Access tokens held in memory.",
                            ctx.auth.cached(), "gauge");
                    if (*ctx.extra_metrics) (*ctx.extra_metrics)(r.body);
                    return r;
                  },
              .execution = Execution::kInline});
  router.Add({.method = "GET",
              .pattern = "/avatars/original/missing.png",
              .handler = MissingImage,
              .execution = Execution::kInline});
  router.Add({.method = "GET",
              .pattern = "/headers/original/missing.png",
              .handler = MissingImage,
              .execution = Execution::kInline});
}

void AddAllRoutes(Router& router, ApiContext& c) {
  ApiRoutes routes(router, c.endpoint());
  AddOAuthRoutes(routes, {.config = c.config, .oauth = c.oauth, .endpoint = c.endpoint()});
  // Before /api/v1/accounts/:id.
  if (c.search != nullptr) AddSearchRoutes(routes, {.read = c.read, .search = *c.search});
  if (c.media != nullptr && c.media_storage != nullptr) {
    AddMediaRoutes(routes, router, {.media = *c.media, .storage = *c.media_storage});
  }
  // Before /api/v1/accounts/:id.
  AddGraphRoutes(routes, {.accounts = c.accounts, .graph = c.graph});
  AddStatusRoutes(routes, {.read = c.read,
                           .accounts = c.accounts,
                           .statuses = c.statuses,
                           .posting = c.posting,
                           .engagement = c.engagement,
                           .status_reads = c.status_reads,
                           .user_timeline = c.user_timeline});
  AddTimelineRoutes(routes, {.read = c.read,
                             .statuses = c.statuses,
                             .viewers = c.viewers,
                             .home = c.home,
                             .public_timelines = c.public_timelines});
  AddNotificationRoutes(routes,
                        {.read = c.read, .accounts = c.accounts, .notifications = c.notifications});
  AddStreamingRoutes(router, routes,
                     {.auth = c.auth,
                      .stream_hub = c.stream_hub,
                      .stream_options = c.stream_options,
                      .endpoint = c.endpoint()});
  AddAccountRoutes(
      routes, {.config = c.config, .accounts = c.accounts, .account_service = c.account_service});
  AddInstanceRoutes(routes, {.config = c.config, .account_service = c.account_service});
  AddSystemRoutes(router, {.accounts = c.accounts,
                           .auth = c.auth,
                           .account_service = c.account_service,
                           .metrics = &c.metrics,
                           .extra_metrics = &c.extra_metrics});
}

}  // namespace chirp
