#include "api/endpoint.h"

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "core/time_format.h"

namespace chirp {
namespace json = boost::json;

namespace {

bool IsHostCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '-' || c == ':' || c == '[' || c == ']';
}

}  // namespace

std::string BaseUrlOf(const ApiConfig& config, const HttpRequest& request) {
  if (!config.public_url.empty()) return config.public_url;
  std::string_view host = request.Header("host");
  for (char c : host) {
    if (!IsHostCharacter(c)) return "http://localhost";
  }
  if (host.empty()) return "http://localhost";
  return "http://" + std::string(host);
}

HttpResponse JsonBody(int status, const json::value& value) {
  return JsonResponse(status, json::serialize(value));
}

HttpResponse ErrorResponse(const Error& error) {
  json::object body;
  const int status = HttpStatusOf(error.code);
  if (!error.oauth_error.empty()) {
    body["error"] = error.oauth_error;
    body["error_description"] = error.message;
  } else {
    body["error"] = error.message.empty() ? "Error" : error.message;
  }
  if (!error.details.empty()) {
    json::object details;
    for (const auto& [field, errors] : error.details) {
      json::array list;
      for (const FieldError& e : errors) {
        list.push_back(json::object{{"error", e.error}, {"description", e.description}});
      }
      details[field] = std::move(list);
    }
    body["details"] = std::move(details);
  }
  HttpResponse response = JsonBody(status, body);
  if (status == 401) response.AddHeader("WWW-Authenticate", "Bearer realm=\"Chirp\"");
  return response;
}

RateLimitDecision ApiRoutes::TakeRateLimit(ApiContext& context, LimitClass limit,
                                           const std::optional<Principal>& principal,
                                           const std::string& client_address) {
  const RateLimitConfig& config = context.config.rate_limits;
  if (!config.enabled || AnyContains(config.exempt_networks, client_address)) {
    return RateLimitDecision{true, 0, 0, 0};
  }
  const std::string ip = RateLimitAddressKey(client_address);
  std::vector<BucketRequest> buckets;
  if (principal) {
    buckets.push_back({"token:" + std::to_string(principal->token_id), config.token});
    if (principal->is_user()) {
      buckets.push_back({"account:" + std::to_string(principal->account_id), config.account});
    }
  } else {
    buckets.push_back({"ip:" + ip, config.ip});
  }
  const std::string who = principal && principal->is_user()
                              ? "account:" + std::to_string(principal->account_id)
                              : "ip:" + ip;
  switch (limit) {
    case LimitClass::kDefault:
      break;
    case LimitClass::kRegistration:
      buckets.push_back({"registration:" + ip, config.registration});
      break;
    case LimitClass::kSignIn:
      buckets.push_back({"sign_in:" + ip, config.sign_in});
      break;
    case LimitClass::kMedia:
      buckets.push_back({"media:" + who, config.media});
      break;
    case LimitClass::kDeletes:
      buckets.push_back({"deletes:" + who, config.deletes});
      break;
  }
  return context.limiter.Take(buckets, context.clock.NowMillis());
}

bool ApiRoutes::TakeSignInAttempt(ApiContext& context, const std::string& client_address) {
  const RateLimitConfig& config = context.config.rate_limits;
  if (!config.enabled || AnyContains(config.exempt_networks, client_address)) return true;
  const BucketRequest bucket{"sign_in:" + RateLimitAddressKey(client_address), config.sign_in};
  return context.limiter.Take({&bucket, 1}, context.clock.NowMillis()).allowed;
}

void ApiRoutes::AddRateLimitHeaders(const RateLimitDecision& decision, HttpResponse& response) {
  if (decision.limit == 0) return;  // rate limiting off or exempt
  response.AddHeader("X-RateLimit-Limit", std::to_string(decision.limit));
  response.AddHeader("X-RateLimit-Remaining", std::to_string(decision.remaining));
  response.AddHeader("X-RateLimit-Reset", FormatIso8601Micros(decision.reset_at_ms * 1000));
}

void ApiRoutes::Add(const EndpointSpec& spec, ApiHandler handler) {
  const std::optional<ScopeSet> required = ScopeSet::Parse(spec.scopes);
  Route route;
  route.method = spec.method;
  route.pattern = spec.pattern;
  route.execution = spec.execution;
  route.body_limit = spec.body_limit;
  route.handler = [&context = context_, spec, required = required.value_or(ScopeSet()),
                   handler = std::move(handler)](HttpRequest& http,
                                                 const PathParams& path) -> HttpResponse {
    auto params = Params::FromRequest(http.query, http.Header("content-type"), http.body);
    const std::string client = ClientAddress(http.remote_address, http.Header("x-forwarded-for"),
                                             context.config.trusted_proxies);
    std::optional<Principal> principal;
    Result<HttpResponse> result = Error::Internal("unreachable");
    RateLimitDecision decision;
    bool limited = false;
    if (!params) {
      decision = TakeRateLimit(context, spec.limit, principal, client);
      result = std::move(params).error();
    } else {
      const std::string_view token = Authenticator::BearerToken(
          http.Header("authorization"),
          params->root().contains("access_token") && params->root().at("access_token").is_string()
              ? std::string_view(params->root().at("access_token").get_string())
              : std::string_view());
      auto authenticated = context.auth.Authenticate(token);
      if (authenticated) principal = *authenticated;
      decision = TakeRateLimit(context, spec.limit, principal, client);
      if (!decision.allowed) {
        limited = true;
        result = Error{ErrorCode::kTooManyRequests, "Too many requests", {}, {}};
      } else if (!authenticated) {
        result = std::move(authenticated).error();
      } else if (!principal &&
                 (spec.auth == AuthRequirement::kUser || spec.auth == AuthRequirement::kAnyToken)) {
        result = Error::Unauthorized("The access token is invalid");
      } else if (principal && spec.auth == AuthRequirement::kUser && !principal->is_user()) {
        result = Error::Unprocessable("This method requires an authenticated user");
      } else if (principal && spec.auth != AuthRequirement::kNone && !required.empty() &&
                 !principal->scopes.GrantsAny(required)) {
        result = Error::Forbidden("This action is outside the authorized scopes");
      } else {
        ApiRequest request{http,      path,   std::move(params).value(),
                           principal, client, BaseUrlOf(context.config, http)};
        result = handler(request);
      }
    }
    HttpResponse response = result ? std::move(result).value() : ErrorResponse(result.error());
    if (spec.rate_limit_headers || limited) AddRateLimitHeaders(decision, response);
    return response;
  };
  router_.Add(std::move(route));
}

}  // namespace chirp
