#include "api/endpoint.h"

#include <array>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <cstdio>
#include <thread>

#include "core/no_wait.h"
#include "core/reader_scope.h"
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

HttpResponse ErrorResponse(const Error& error, std::string_view request_id) {
  json::object body;
  const int status = HttpStatusOf(error.code);
  if (status >= 500) {
    std::fprintf(stderr, "chirpd: request %.*s answered %d: %s\n",
                 static_cast<int>(request_id.size()), request_id.data(), status,
                 error.message.c_str());
    HttpResponse response = JsonBody(
        status, json::object{{"error", status == 503 ? "The service is busy, please try again"
                                                     : "Internal server error (request " +
                                                           std::string(request_id) + ")"}});
    if (status == 503) response.AddHeader("Retry-After", "1");
    return response;
  }
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

Result<HttpResponse> PresentCommitted(const std::function<Result<HttpResponse>()>& present) {
  // Pauses before each further attempt: the store's own busy wait has
  // passed already, so these give a burst of writers time to drain.
  constexpr std::array<std::chrono::milliseconds, 3> kPauses{std::chrono::milliseconds(20),
                                                             std::chrono::milliseconds(100),
                                                             std::chrono::milliseconds(400)};
  Result<HttpResponse> presented = present();
  for (const auto pause : kPauses) {
    if (presented || presented.error().code != ErrorCode::kUnavailable || !MayWait()) break;
    std::this_thread::sleep_for(pause);
    presented = present();
  }
  if (!presented && presented.error().code == ErrorCode::kUnavailable) {
    std::fprintf(stderr, "chirpd: a committed write could not be presented: %s\n",
                 presented.error().message.c_str());
  }
  return presented;
}

RateLimitDecision ApiRoutes::TakeRateLimit(const EndpointParts& context, LimitClass limit,
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

bool ApiRoutes::TakeSignInAttempt(const EndpointParts& context, const std::string& client_address) {
  const RateLimitConfig& config = context.config.rate_limits;
  if (!config.enabled || AnyContains(config.exempt_networks, client_address)) return true;
  const BucketRequest bucket{"sign_in:" + RateLimitAddressKey(client_address), config.sign_in};
  return context.limiter.Take({&bucket, 1}, context.clock.NowMillis()).allowed;
}

bool ApiRoutes::TakeTokenLookup(const EndpointParts& context, const std::string& client_address) {
  const RateLimitConfig& config = context.config.rate_limits;
  if (!config.enabled || AnyContains(config.exempt_networks, client_address)) return true;
  const BucketRequest bucket{"token_lookup:" + RateLimitAddressKey(client_address),
                             config.token_lookup};
  return context.limiter.Take({&bucket, 1}, context.clock.NowMillis()).allowed;
}

void ApiRoutes::AddRateLimitHeaders(const RateLimitDecision& decision, HttpResponse& response) {
  if (decision.limit == 0) return;  // rate limiting off or exempt
  response.AddHeader("X-RateLimit-Limit", std::to_string(decision.limit));
  response.AddHeader("X-RateLimit-Remaining", std::to_string(decision.remaining));
  response.AddHeader("X-RateLimit-Reset", FormatIso8601Micros(decision.reset_at_ms * 1000));
}

namespace {

// What one endpoint runs, shared by its route and by requests that start
// over on the blocking pool.
struct Endpoint {
  EndpointParts context;
  EndpointSpec spec;
  ScopeSet required;
  ApiHandler handler;
};

HttpResponse Finish(const Endpoint& e, const HttpRequest& http, Result<HttpResponse> result,
                    const RateLimitDecision& decision, bool limited) {
  HttpResponse response =
      result ? std::move(result).value() : ErrorResponse(result.error(), http.request_id);
  if (e.spec.rate_limit_headers || limited) ApiRoutes::AddRateLimitHeaders(decision, response);
  return response;
}

bool WouldBlock(const Error& error) { return error.code == ErrorCode::kWouldBlock; }

// Runs the handler for the request's account: the store keeps that
// account's reads consistent with its writes, and lets the reads of a GET
// come from a replica that has them (core/reader_scope.h).
Result<HttpResponse> RunHandler(const Endpoint& e, ApiRequest& request) {
  ReaderScope reader(request.account_id(), request.http.method == "GET");
  return e.handler(request);
}

// A response that is finished by `fn` on the blocking pool.
HttpResponse FinishBlocking(std::function<HttpResponse()> fn) {
  HttpResponse response;
  response.finish_blocking = std::move(fn);
  return response;
}

HttpResponse Serve(const std::shared_ptr<const Endpoint>& e, HttpRequest& http,
                   const PathParams& path) {
  const EndpointParts& context = e->context;
  const EndpointSpec& spec = e->spec;
  auto params = Params::FromRequest(http.query, http.Header("content-type"), http.Body());
  const std::string client = ClientAddress(http.remote_address, http.Header("x-forwarded-for"),
                                           context.config.trusted_proxies);
  std::optional<Principal> principal;
  if (!params) {
    const RateLimitDecision decision =
        ApiRoutes::TakeRateLimit(context, spec.limit, principal, client);
    return Finish(*e, http, std::move(params).error(), decision, false);
  }
  const std::string_view token = Authenticator::BearerToken(
      http.Header("authorization"),
      params->root().contains("access_token") && params->root().at("access_token").is_string()
          ? std::string_view(params->root().at("access_token").get_string())
          : std::string_view());
  auto authenticated =
      context.auth.Authenticate(token, [&] { return ApiRoutes::TakeTokenLookup(context, client); });
  if (!authenticated && WouldBlock(authenticated.error())) {
    // Nothing is taken yet: the whole request starts over.
    return FinishBlocking([e, &http, &path] { return Serve(e, http, path); });
  }
  if (authenticated) principal = *authenticated;
  const RateLimitDecision decision =
      ApiRoutes::TakeRateLimit(context, spec.limit, principal, client);
  if (!decision.allowed) {
    return Finish(*e, http, Error{ErrorCode::kTooManyRequests, "Too many requests", {}, {}},
                  decision, true);
  }
  if (!authenticated) return Finish(*e, http, std::move(authenticated).error(), decision, false);
  if (!principal &&
      (spec.auth == AuthRequirement::kUser || spec.auth == AuthRequirement::kAnyToken)) {
    return Finish(*e, http, Error::Unauthorized("The access token is invalid"), decision, false);
  }
  if (principal && spec.auth == AuthRequirement::kUser && !principal->is_user()) {
    return Finish(*e, http, Error::Unprocessable("This method requires an authenticated user"),
                  decision, false);
  }
  if (principal && spec.auth != AuthRequirement::kNone && !e->required.empty() &&
      !principal->scopes.GrantsAny(e->required)) {
    return Finish(*e, http, Error::Forbidden("This action is outside the authorized scopes"),
                  decision, false);
  }
  ApiRequest request{http,      path,   std::move(params).value(),
                     principal, client, BaseUrlOf(context.config, http)};
  Result<HttpResponse> result = RunHandler(*e, request);
  if (!result && WouldBlock(result.error())) {
    // The handler needs the store: it runs again where waiting is fine,
    // under the rate-limit decision already taken.
    auto pending = std::make_shared<ApiRequest>(std::move(request));
    return FinishBlocking([e, pending, decision] {
      return Finish(*e, pending->http, RunHandler(*e, *pending), decision, false);
    });
  }
  return Finish(*e, http, std::move(result), decision, false);
}

}  // namespace

void ApiRoutes::Add(const EndpointSpec& spec, ApiHandler handler) {
  auto endpoint = std::make_shared<const Endpoint>(Endpoint{
      parts_, spec, ScopeSet::Parse(spec.scopes).value_or(ScopeSet()), std::move(handler)});
  Route route;
  route.method = spec.method;
  route.pattern = spec.pattern;
  route.execution = spec.execution;
  route.body_limit = spec.body_limit;
  route.upload_body_limit = spec.upload_body_limit;
  route.handler = [endpoint](HttpRequest& http, const PathParams& path) {
    return Serve(endpoint, http, path);
  };
  router_.Add(std::move(route));
}

}  // namespace chirp
