// POST /api/v1/apps, GET /api/v1/apps/verify_credentials, and the OAuth 2
// endpoints: /oauth/authorize (HTML sign-in and consent, PKCE S256, the
// out-of-band redirect), /oauth/token (authorization_code, client_credentials,
// and password when enabled), /oauth/revoke, and the RFC 8414 metadata.
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "api/authorize_page.h"
#include "api/entities.h"
#include "api/routes.h"
#include "core/secrets.h"
#include "core/text.h"

namespace chirp {
namespace json = boost::json;

namespace {

constexpr const char* kOutOfBand = "urn:ietf:wg:oauth:2.0:oob";
constexpr int64_t kCodeLifetimeMs = 10 * 60 * 1000;
constexpr size_t kMaxAppNameLength = 200;
constexpr size_t kMaxRedirectUris = 10;
constexpr size_t kMaxUriLength = 2000;

bool IsAbsoluteUri(std::string_view uri) {
  if (uri == kOutOfBand) return true;
  const size_t colon = uri.find(':');
  if (colon == 0 || colon == std::string_view::npos || colon + 1 >= uri.size()) return false;
  const char first = uri[0];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return false;
  for (size_t i = 0; i < colon; ++i) {
    const char c = uri[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
          c == '-' || c == '.')) {
      return false;
    }
  }
  for (unsigned char c : uri) {
    if (c <= ' ' || c == '#' || c == '<' || c == '>' || c == '"') return false;
  }
  return true;
}

std::vector<std::string> SplitWhitespace(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
    size_t j = i;
    while (j < s.size() && !(s[j] == ' ' || s[j] == '\n' || s[j] == '\r' || s[j] == '\t')) ++j;
    if (j > i) out.emplace_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

Error OAuthError(ErrorCode code, const char* error, std::string description) {
  return Error::OAuth(code, error, std::move(description));
}

HttpResponse HtmlPage(int status, std::string html) {
  HttpResponse r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(html);
  r.AddHeader("Cache-Control", "no-store");
  r.AddHeader("X-Frame-Options", "DENY");
  r.AddHeader("Content-Security-Policy",
              "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
  return r;
}

// Reads a required string parameter; a missing one is a 400 naming it.
Result<std::string> Required(const Params& params, std::string_view key) {
  auto value = params.String(key);
  if (!value) return std::move(value).error();
  if (!*value || TrimAscii(**value).empty()) {
    return Error::BadRequest("param is missing or the value is empty: " + std::string(key));
  }
  return std::move(**value);
}

std::string Optional(const Params& params, std::string_view key) {
  auto value = params.String(key);
  return value && *value ? **value : std::string();
}

// Client authentication: HTTP Basic (client_secret_basic) or body parameters
// (client_secret_post). A missing secret is allowed only when `allow_public`.
Result<App> AuthenticateClient(ApiContext& ctx, const ApiRequest& req, bool allow_public) {
  std::string client_id = Optional(req.params, "client_id");
  std::string client_secret = Optional(req.params, "client_secret");
  const std::string_view authorization = TrimAscii(req.http.Header("authorization"));
  if (authorization.size() > 6 && AsciiLower(authorization.substr(0, 6)) == "basic ") {
    const auto decoded = DecodeBase64(TrimAscii(authorization.substr(6)));
    if (decoded) {
      const size_t colon = decoded->find(':');
      if (colon != std::string::npos) {
        client_id = UrlDecode(decoded->substr(0, colon)).value_or("");
        client_secret = UrlDecode(decoded->substr(colon + 1)).value_or("");
      }
    }
  }
  const Error invalid =
      OAuthError(ErrorCode::kUnauthorized, "invalid_client",
                 "Client authentication failed due to unknown client, no client "
                 "authentication included, or unsupported authentication method.");
  if (client_id.empty()) return invalid;
  auto app = ctx.store.FindAppByClientId(client_id);
  if (!app) return app.error().code == ErrorCode::kNotFound ? invalid : app.error();
  if (client_secret.empty()) {
    if (allow_public) return app;
    return invalid;
  }
  if (!ConstantTimeEquals(TokenDigest(client_secret), app->client_secret_digest)) return invalid;
  return app;
}

// Creates and stores a token; answers the Token entity.
Result<HttpResponse> IssueToken(ApiContext& ctx, int64_t app_id, int64_t account_id,
                                const std::string& scopes) {
  const std::string token = RandomToken();
  AccessToken record;
  record.id = ctx.ids.Next();
  record.digest = TokenDigest(token);
  record.app_id = app_id;
  record.account_id = account_id;
  record.scopes = scopes;
  record.created_at_ms = ctx.clock.NowMillis();
  if (Status s = ctx.store.CreateToken(record); !s) return std::move(s).error();
  HttpResponse response = JsonBody(200, TokenJson(token, scopes, record.created_at_ms));
  response.AddHeader("Cache-Control", "no-store");
  response.AddHeader("Pragma", "no-cache");
  return response;
}

// The scopes asked for, defaulting to "read", checked against the app's.
Result<std::string> RequestedScopes(const Params& params, const App& app) {
  std::string scope = Optional(params, "scope");
  if (TrimAscii(scope).empty()) scope = "read";
  const auto parsed = ScopeSet::Parse(scope);
  if (!parsed || parsed->empty() || !ScopesWithin(scope, app.scopes)) {
    return OAuthError(ErrorCode::kBadRequest, "invalid_scope",
                      "The requested scope is invalid, unknown, or malformed.");
  }
  return parsed->ToString();
}

// Looks up the account behind a username or e-mail and checks the password.
Result<Account> SignIn(ApiContext& ctx, const std::string& login, const std::string& password) {
  const Error invalid = Error::Unauthorized("Invalid username, e-mail or password.");
  Result<User> user = Error::NotFound();
  if (login.find('@') != std::string::npos) {
    user = ctx.store.FindUserByEmail(TrimAscii(login));
  } else {
    auto account = ctx.store.FindAccountByUsername(TrimAscii(login));
    if (account) user = ctx.store.FindUser(account->id);
  }
  if (!user) {
    // Spend the time a verification would, so that timing does not tell
    // whether the account exists.
    (void)VerifyPassword(password, HashPassword("timing-equaliser"));
    return invalid;
  }
  if (!VerifyPassword(password, user->password_hash)) return invalid;
  (void)ctx.store.RecordLogin(user->account_id, ctx.clock.NowMillis());
  return ctx.store.FindAccount(user->account_id);
}

struct AuthorizeRequest {
  App app;
  AuthorizeForm form;
};

// Validates the authorize parameters shared by GET (show) and POST (decide).
Result<AuthorizeRequest> ParseAuthorize(ApiContext& ctx, const Params& params) {
  const std::string response_type = Optional(params, "response_type");
  auto client_id = Required(params, "client_id");
  if (!client_id) return std::move(client_id).error();
  auto app = ctx.store.FindAppByClientId(*client_id);
  if (!app) {
    return OAuthError(ErrorCode::kUnauthorized, "invalid_client",
                      "Client authentication failed due to unknown client.");
  }
  AuthorizeRequest r{*app, {}};
  r.form.app_name = app->name;
  r.form.app_website = app->website;
  r.form.client_id = app->client_id;
  r.form.redirect_uri = Optional(params, "redirect_uri");
  if (r.form.redirect_uri.empty() && app->redirect_uris.size() == 1) {
    r.form.redirect_uri = app->redirect_uris[0];
  }
  bool registered = false;
  for (const auto& uri : app->redirect_uris) registered |= uri == r.form.redirect_uri;
  if (!registered) {
    return OAuthError(
        ErrorCode::kBadRequest, "invalid_redirect_uri",
        "The requested redirect uri is malformed or doesn't match client redirect URI.");
  }
  if (response_type != "code") {
    return OAuthError(ErrorCode::kBadRequest, "unsupported_response_type",
                      "The authorization server does not support this response type.");
  }
  auto scopes = RequestedScopes(params, *app);
  if (!scopes) return std::move(scopes).error();
  r.form.scope = *scopes;
  r.form.state = Optional(params, "state");
  r.form.code_challenge = Optional(params, "code_challenge");
  r.form.code_challenge_method = Optional(params, "code_challenge_method");
  if (!r.form.code_challenge.empty() && r.form.code_challenge_method != "S256") {
    return OAuthError(ErrorCode::kBadRequest, "invalid_request",
                      "Only the S256 code challenge method is supported.");
  }
  return r;
}

std::string WithQuery(const std::string& uri, const std::string& query) {
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + query;
}

HttpResponse Redirect(const std::string& location) {
  HttpResponse r = JsonResponse(302, "{}");
  r.AddHeader("Location", location);
  r.AddHeader("Cache-Control", "no-store");
  return r;
}

Result<HttpResponse> CreateApp(ApiContext& ctx, ApiRequest& req) {
  auto name = req.params.String("client_name");
  if (!name) return std::move(name).error();
  if (!*name || TrimAscii(**name).empty()) {
    return Error::Unprocessable("Validation failed: Name can't be blank");
  }
  if ((*name)->size() > kMaxAppNameLength) {
    return Error::Unprocessable(
        "Validation failed: Application name is too long (maximum is 200 characters)");
  }
  std::vector<std::string> uris;
  const json::value* raw = req.params.root().if_contains("redirect_uris");
  if (raw != nullptr && raw->is_string()) {
    uris = SplitWhitespace(raw->get_string());
  } else {
    auto list = req.params.StringList("redirect_uris");
    if (!list) return std::move(list).error();
    for (const auto& u : *list) {
      for (auto& part : SplitWhitespace(u)) uris.push_back(std::move(part));
    }
  }
  if (uris.empty()) return Error::Unprocessable("Validation failed: Redirect URI can't be blank");
  if (uris.size() > kMaxRedirectUris) {
    return Error::Unprocessable("Validation failed: Redirect URI has too many entries");
  }
  for (const auto& uri : uris) {
    if (uri.size() > kMaxUriLength || !IsAbsoluteUri(uri)) {
      return Error::Unprocessable("Validation failed: Redirect URI must be an absolute URI.");
    }
  }
  std::string scopes = Optional(req.params, "scopes");
  if (TrimAscii(scopes).empty()) scopes = "read";
  const auto parsed = ScopeSet::Parse(scopes);
  if (!parsed || parsed->empty())
    return Error::Unprocessable("Validation failed: Scopes are invalid");
  std::string website = Optional(req.params, "website");
  if (!website.empty() && (website.size() > kMaxUriLength || !IsAbsoluteUri(website))) {
    return Error::Unprocessable("Validation failed: Website is invalid");
  }
  App app;
  app.id = ctx.ids.Next();
  app.name = std::string(TrimAscii(**name));
  app.website = website;
  app.redirect_uris = uris;
  app.scopes = parsed->ToString();
  app.client_id = RandomToken();
  const std::string secret = RandomToken();
  app.client_secret_digest = TokenDigest(secret);
  app.created_at_ms = ctx.clock.NowMillis();
  if (Status s = ctx.store.CreateApp(app); !s) return std::move(s).error();
  return JsonBody(200, ApplicationJson(app, secret));
}

Result<HttpResponse> TokenGrant(ApiContext& ctx, ApiRequest& req) {
  const std::string grant = Optional(req.params, "grant_type");
  if (grant == "authorization_code") {
    auto app = AuthenticateClient(ctx, req, /*allow_public=*/true);
    if (!app) return std::move(app).error();
    const Error invalid_grant = OAuthError(
        ErrorCode::kBadRequest, "invalid_grant",
        "The provided authorization grant is invalid, expired, revoked, does not match the "
        "redirection URI used in the authorization request, or was issued to another client.");
    const std::string code = Optional(req.params, "code");
    if (code.empty()) return invalid_grant;
    auto stored = ctx.store.ConsumeAuthorizationCode(TokenDigest(code));
    if (!stored)
      return stored.error().code == ErrorCode::kNotFound ? invalid_grant : stored.error();
    const bool public_client =
        Optional(req.params, "client_secret").empty() && req.http.Header("authorization").empty();
    if (stored->app_id != app->id || stored->expires_at_ms < ctx.clock.NowMillis())
      return invalid_grant;
    std::string redirect = Optional(req.params, "redirect_uri");
    if (redirect.empty() && app->redirect_uris.size() == 1) redirect = app->redirect_uris[0];
    if (redirect != stored->redirect_uri) return invalid_grant;
    if (!stored->code_challenge.empty()) {
      const std::string verifier = Optional(req.params, "code_verifier");
      if (verifier.empty() || !ConstantTimeEquals(PkceS256(verifier), stored->code_challenge)) {
        return invalid_grant;
      }
    } else if (public_client) {
      return OAuthError(ErrorCode::kUnauthorized, "invalid_client",
                        "Client authentication failed: a client secret or PKCE is required.");
    }
    return IssueToken(ctx, app->id, stored->account_id, stored->scopes);
  }
  if (grant == "client_credentials") {
    auto app = AuthenticateClient(ctx, req, false);
    if (!app) return std::move(app).error();
    auto scopes = RequestedScopes(req.params, *app);
    if (!scopes) return std::move(scopes).error();
    return IssueToken(ctx, app->id, 0, *scopes);
  }
  if (grant == "password" && ctx.config.password_grant) {
    auto app = AuthenticateClient(ctx, req, false);
    if (!app) return std::move(app).error();
    if (!ApiRoutes::TakeSignInAttempt(ctx, req.client_address)) {
      return Error{ErrorCode::kTooManyRequests, "Too many requests", {}, {}};
    }
    auto scopes = RequestedScopes(req.params, *app);
    if (!scopes) return std::move(scopes).error();
    auto account = SignIn(ctx, Optional(req.params, "username"), Optional(req.params, "password"));
    if (!account) {
      return OAuthError(ErrorCode::kBadRequest, "invalid_grant",
                        "The provided authorization grant is invalid, expired, revoked, does not "
                        "match the redirection URI used in the authorization request, or was "
                        "issued to another client.");
    }
    return IssueToken(ctx, app->id, account->id, *scopes);
  }
  if (grant.empty()) {
    return OAuthError(ErrorCode::kBadRequest, "invalid_request",
                      "Missing required parameter: grant_type.");
  }
  return OAuthError(ErrorCode::kBadRequest, "unsupported_grant_type",
                    "The authorization grant type is not supported by the authorization server.");
}

Result<HttpResponse> ShowAuthorize(ApiContext& ctx, ApiRequest& req) {
  auto parsed = ParseAuthorize(ctx, req.params);
  if (!parsed) return std::move(parsed).error();
  return HtmlPage(200, RenderAuthorizePage(ctx.config.title, parsed->form));
}

Result<HttpResponse> DecideAuthorize(ApiContext& ctx, ApiRequest& req) {
  auto parsed = ParseAuthorize(ctx, req.params);
  if (!parsed) return std::move(parsed).error();
  AuthorizeForm& form = parsed->form;
  const bool oob = form.redirect_uri == kOutOfBand;
  const std::string state_suffix = form.state.empty() ? "" : "&state=" + UrlEncode(form.state);
  if (Optional(req.params, "decision") == "deny") {
    const std::string query =
        "error=access_denied&error_description=" +
        UrlEncode("The resource owner or authorization server denied the request.") + state_suffix;
    if (oob) return HtmlPage(200, RenderCodePage(ctx.config.title, form.app_name, "access denied"));
    return Redirect(WithQuery(form.redirect_uri, query));
  }
  form.username = Optional(req.params, "username");
  auto account = SignIn(ctx, form.username, Optional(req.params, "password"));
  if (!account) {
    if (account.error().code != ErrorCode::kUnauthorized) return std::move(account).error();
    form.error = account.error().message;
    return HtmlPage(401, RenderAuthorizePage(ctx.config.title, form));
  }
  const std::string code = RandomToken();
  AuthorizationCode record;
  record.digest = TokenDigest(code);
  record.app_id = parsed->app.id;
  record.account_id = account->id;
  record.redirect_uri = form.redirect_uri;
  record.scopes = form.scope;
  record.code_challenge = form.code_challenge;
  record.created_at_ms = ctx.clock.NowMillis();
  record.expires_at_ms = record.created_at_ms + kCodeLifetimeMs;
  if (Status s = ctx.store.CreateAuthorizationCode(record); !s) return std::move(s).error();
  if (oob) return HtmlPage(200, RenderCodePage(ctx.config.title, form.app_name, code));
  return Redirect(WithQuery(form.redirect_uri, "code=" + UrlEncode(code) + state_suffix));
}

Result<HttpResponse> Revoke(ApiContext& ctx, ApiRequest& req) {
  auto app = AuthenticateClient(ctx, req, false);
  if (!app) {
    return OAuthError(ErrorCode::kForbidden, "unauthorized_client",
                      "You are not authorized to revoke this token");
  }
  const std::string token = Optional(req.params, "token");
  if (!token.empty()) {
    // A token of another client may not be revoked by this one (RFC 7009
    // leaves this open; Doorkeeper answers 403, and clients expect that).
    auto stored = ctx.store.FindTokenByDigest(TokenDigest(token));
    if (stored && stored->app_id != app->id) {
      return OAuthError(ErrorCode::kForbidden, "unauthorized_client",
                        "You are not authorized to revoke this token");
    }
    if (Status s = ctx.auth.Revoke(token, app->id, ctx.clock.NowMillis()); !s) {
      return std::move(s).error();
    }
  }
  return JsonResponse(200, "{}");
}

Result<HttpResponse> ServerMetadata(ApiContext& ctx, ApiRequest& req) {
  const std::string& base = req.base_url;
  json::array grants{"authorization_code", "client_credentials"};
  if (ctx.config.password_grant) grants.push_back("password");
  json::array scopes;
  const std::string all =
      ScopeSet::Parse(
          "read write follow push profile admin:read admin:write read:accounts "
          "read:blocks read:bookmarks read:favourites read:filters read:follows "
          "read:lists read:mutes read:notifications read:search read:statuses "
          "write:accounts write:blocks write:bookmarks write:conversations "
          "write:favourites write:filters write:follows write:lists write:media "
          "write:mutes write:notifications write:reports write:statuses")
          ->ToString();
  for (auto& s : SplitWhitespace(all)) scopes.push_back(json::string(s));
  json::object o{
      {"issuer", base + "/"},
      {"service_documentation", "https://docs.joinmastodon.org/"},
      {"authorization_endpoint", base + "/oauth/authorize"},
      {"token_endpoint", base + "/oauth/token"},
      {"app_registration_endpoint", base + "/api/v1/apps"},
      {"revocation_endpoint", base + "/oauth/revoke"},
      {"scopes_supported", std::move(scopes)},
      {"response_types_supported", json::array{"code"}},
      {"response_modes_supported", json::array{"query", "fragment", "form_post"}},
      {"code_challenge_methods_supported", json::array{"S256"}},
      {"grant_types_supported", std::move(grants)},
      {"token_endpoint_auth_methods_supported",
       json::array{"client_secret_basic", "client_secret_post"}},
  };
  return JsonBody(200, o);
}

}  // namespace

void AddOAuthRoutes(ApiRoutes& routes, ApiContext& ctx) {
  routes.Add({.method = "POST", .pattern = "/api/v1/apps"},
             [&ctx](ApiRequest& r) { return CreateApp(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/apps/verify_credentials",
              .auth = AuthRequirement::kAnyToken},
             [&ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto app = ctx.store.FindApp(r.principal->app_id);
               if (!app) return std::move(app).error();
               return JsonBody(200, ApplicationJson(*app, ""));
             });
  routes.Add({.method = "GET", .pattern = "/oauth/authorize", .rate_limit_headers = false},
             [&ctx](ApiRequest& r) { return ShowAuthorize(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/oauth/authorize",
              .limit = LimitClass::kSignIn,
              .rate_limit_headers = false},
             [&ctx](ApiRequest& r) { return DecideAuthorize(ctx, r); });
  routes.Add({.method = "POST", .pattern = "/oauth/token", .rate_limit_headers = false},
             [&ctx](ApiRequest& r) { return TokenGrant(ctx, r); });
  routes.Add({.method = "POST", .pattern = "/oauth/revoke", .rate_limit_headers = false},
             [&ctx](ApiRequest& r) { return Revoke(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/.well-known/oauth-authorization-server",
              .execution = Execution::kInline,
              .rate_limit_headers = false},
             [&ctx](ApiRequest& r) { return ServerMetadata(ctx, r); });
}

}  // namespace chirp
