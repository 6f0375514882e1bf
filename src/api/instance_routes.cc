// Instance metadata: /api/v1/instance, /api/v2/instance, and NodeInfo, which
// is how client libraries (megalodon's detector) recognise a Mastodon server.
#include <boost/json/array.hpp>

#include "api/routes.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr int64_t kVideoSizeLimit = 99 * 1024 * 1024;
constexpr int kApiVersion = 2;

std::string HostOf(const std::string& base_url) {
  return base_url.substr(base_url.find("://") + 3);
}

std::string StreamingUrl(const std::string& base_url) {
  return (base_url.starts_with("https://") ? "wss://" : "ws://") + HostOf(base_url);
}

json::object StatusesConfiguration(const ApiConfig& c) {
  return {{"max_characters", c.max_characters},
          {"max_media_attachments", c.max_media_attachments},
          {"characters_reserved_per_url", 23}};
}

json::object MediaConfiguration(const ApiConfig& c) {
  json::array types;
  for (const std::string& type : c.media_mime_types) types.push_back(json::value(type));
  return {{"supported_mime_types", std::move(types)},
          {"image_size_limit", c.image_size_limit},
          {"image_matrix_limit", c.image_matrix_limit},
          {"video_size_limit", kVideoSizeLimit},
          {"video_frame_rate_limit", 120},
          {"video_matrix_limit", 8'294'400},
          {"description_limit", c.description_limit}};
}

json::object PollsConfiguration() {
  return {{"max_options", 4},
          {"max_characters_per_option", 50},
          {"min_expiration", 300},
          {"max_expiration", 2'629'746}};
}

json::object InstanceV1(const InstanceRouteParts& ctx, const std::string& base, int64_t users) {
  const ApiConfig& c = ctx.config;
  json::object o;
  o["uri"] = HostOf(base);
  o["title"] = c.title;
  o["short_description"] = c.description;
  o["description"] = c.description;
  o["email"] = c.contact_email;
  o["version"] = c.version;
  o["urls"] = json::object{{"streaming_api", StreamingUrl(base)}};
  o["stats"] = json::object{{"user_count", users}, {"status_count", 0}, {"domain_count", 0}};
  o["thumbnail"] = nullptr;
  o["languages"] = json::array{"en"};
  o["registrations"] = c.registrations_open;
  o["approval_required"] = false;
  o["invites_enabled"] = false;
  o["configuration"] = json::object{{"accounts", json::object{{"max_featured_tags", 10}}},
                                    {"statuses", StatusesConfiguration(c)},
                                    {"media_attachments", MediaConfiguration(c)},
                                    {"polls", PollsConfiguration()}};
  o["contact_account"] = nullptr;
  o["rules"] = json::array();
  return o;
}

json::object InstanceV2(const InstanceRouteParts& ctx, const std::string& base, int64_t users) {
  const ApiConfig& c = ctx.config;
  json::object o;
  o["domain"] = HostOf(base);
  o["title"] = c.title;
  o["version"] = c.version;
  o["source_url"] = c.source_url;
  o["description"] = c.description;
  o["usage"] = json::object{{"users", json::object{{"active_month", users}}}};
  o["thumbnail"] = json::object{{"url", base + "/headers/original/missing.png"}};
  o["icon"] = json::array();
  o["languages"] = json::array{"en"};
  json::object statuses = StatusesConfiguration(c);
  o["configuration"] = json::object{
      {"urls", json::object{{"streaming", StreamingUrl(base)},
                            {"status", nullptr},
                            {"about", base + "/about"},
                            {"privacy_policy", nullptr},
                            {"terms_of_service", nullptr}}},
      {"vapid", json::object{{"public_key", ""}}},
      {"accounts", json::object{{"max_featured_tags", 10}, {"max_pinned_statuses", 5}}},
      {"statuses", std::move(statuses)},
      {"media_attachments", MediaConfiguration(c)},
      {"polls", PollsConfiguration()},
      {"translation", json::object{{"enabled", false}}},
      {"limited_federation", false},
  };
  o["registrations"] = json::object{{"enabled", c.registrations_open},
                                    {"approval_required", false},
                                    {"message", nullptr},
                                    {"url", nullptr},
                                    {"min_age", nullptr},
                                    {"reason_required", false}};
  o["api_versions"] = json::object{{"mastodon", kApiVersion}};
  o["contact"] = json::object{{"email", c.contact_email}, {"account", nullptr}};
  o["rules"] = json::array();
  return o;
}

Result<int64_t> UserCount(const InstanceRouteParts& ctx) { return ctx.account_service.Count(); }

}  // namespace

void AddInstanceRoutes(ApiRoutes& routes, const InstanceRouteParts& ctx) {
  routes.Add({.method = "GET", .pattern = "/api/v1/instance"},
             [ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto users = UserCount(ctx);
               if (!users) return std::move(users).error();
               return JsonBody(200, InstanceV1(ctx, r.base_url, *users));
             });
  routes.Add({.method = "GET", .pattern = "/api/v2/instance"},
             [ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto users = UserCount(ctx);
               if (!users) return std::move(users).error();
               return JsonBody(200, InstanceV2(ctx, r.base_url, *users));
             });
  routes.Add({.method = "GET",
              .pattern = "/.well-known/nodeinfo",
              .execution = Execution::kInline,
              .rate_limit_headers = false},
             [](ApiRequest& r) -> Result<HttpResponse> {
               json::object link{{"rel", "http://nodeinfo.diaspora.software/ns/schema/2.0"},
                                 {"href", r.base_url + "/nodeinfo/2.0"}};
               return JsonBody(200, json::object{{"links", json::array{link}}});
             });
  routes.Add(
      {.method = "GET", .pattern = "/nodeinfo/2.0", .rate_limit_headers = false},
      [ctx](ApiRequest&) -> Result<HttpResponse> {
        auto users = UserCount(ctx);
        if (!users) return std::move(users).error();
        json::object o{
            {"version", "2.0"},
            {"software", json::object{{"name", "chirp"}, {"version", ctx.config.software_version}}},
            {"protocols", json::array{"activitypub"}},
            {"services", json::object{{"outbound", json::array()}, {"inbound", json::array()}}},
            {"usage", json::object{{"users", json::object{{"total", *users},
                                                          {"activeMonth", *users},
                                                          {"activeHalfyear", *users}}},
                                   {"localPosts", 0}}},
            {"openRegistrations", ctx.config.registrations_open},
            {"metadata",
             json::object{{"nodeName", ctx.config.title},
                          {"upstream", json::object{{"name", "mastodon"}, {"version", "4.3.0"}}}}},
        };
        return JsonBody(200, o);
      });
}

}  // namespace chirp
