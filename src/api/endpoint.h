// Declaring API endpoints. An endpoint states what it needs (authentication,
// scopes, rate-limit class, where it runs); the wrapper built here checks all
// of it in one order for every endpoint:
//   parse parameters (400) → authenticate (401) → rate limit (429) →
//   user and scope checks (422, 403) → handler → errors to responses,
// and adds the rate-limit headers to whatever comes out.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "api/api_context.h"
#include "auth/authenticator.h"
#include "auth/scopes.h"
#include "core/error.h"
#include "http/params.h"
#include "http/router.h"

namespace chirp {

enum class AuthRequirement {
  kNone,      // public; a token, if sent, is still checked
  kOptional,  // public; a token, if sent, must carry one of the scopes
  kAnyToken,  // an app or user token
  kUser,      // a user token
};

enum class LimitClass { kDefault, kRegistration, kSignIn, kMedia, kDeletes };

struct EndpointSpec {
  std::string method;
  std::string pattern;
  AuthRequirement auth = AuthRequirement::kNone;
  std::string scopes;  // any one of these suffices; "" for none
  LimitClass limit = LimitClass::kDefault;
  Execution execution = Execution::kBlocking;
  size_t body_limit = kDefaultBodyLimit;
  size_t upload_body_limit = 0;    // Route::upload_body_limit
  bool rate_limit_headers = true;  // the /api family carries them
};

struct ApiRequest {
  HttpRequest& http;
  const PathParams& path;
  Params params;
  std::optional<Principal> principal;
  std::string client_address;
  std::string base_url;  // "https://host", no trailing slash

  int64_t account_id() const { return principal ? principal->account_id : 0; }
};

using ApiHandler = std::function<Result<HttpResponse>(ApiRequest&)>;

// The scheme and host that absolute URLs start with.
std::string BaseUrlOf(const ApiConfig& config, const HttpRequest& request);

// The one place where an Error becomes an HTTP response. A 5xx answer keeps
// its message for the log (stderr, with `request_id`) and tells the client
// only what it can act on: 503 to try again after Retry-After, 500 with the
// request id to report; what the store or a library said never reaches it.
HttpResponse ErrorResponse(const Error& error, std::string_view request_id = {});

// Presents what a committed write returned (the entity it changed, a
// relationship). The write stands whatever happens here: a failure to read
// what presenting needs because the store is busy is tried again a few
// times with a short pause, rather than answered as an error the client
// would take for the write's own and repeat. Other errors are answers as
// they are (not found: what was written is gone again, deleted meanwhile).
Result<HttpResponse> PresentCommitted(const std::function<Result<HttpResponse>()>& present);

// An HTTP response with `json` serialized as its body.
HttpResponse JsonBody(int status, const boost::json::value& json);

class ApiRoutes {
 public:
  ApiRoutes(Router& router, EndpointParts parts) : router_(router), parts_(parts) {}
  void Add(const EndpointSpec& spec, ApiHandler handler);

  // Takes the rate-limit buckets that apply; exposed for the fallback handler.
  static RateLimitDecision TakeRateLimit(const EndpointParts& parts, LimitClass limit,
                                         const std::optional<Principal>& principal,
                                         const std::string& client_address);
  static void AddRateLimitHeaders(const RateLimitDecision& decision, HttpResponse& response);
  // Takes one sign-in attempt of the client's address alone; false when
  // the address has none left. For endpoints where only some requests are
  // sign-ins (the password grant of /oauth/token).
  static bool TakeSignInAttempt(const EndpointParts& parts, const std::string& client_address);
  // Takes one look-up of a bearer token in the store for the client's
  // address; false when the address has none left.
  static bool TakeTokenLookup(const EndpointParts& parts, const std::string& client_address);

 private:
  Router& router_;
  EndpointParts parts_;
};

}  // namespace chirp
