// POST /api/v1/apps, GET /api/v1/apps/verify_credentials, and the OAuth 2
// endpoints: /oauth/authorize (HTML sign-in and consent, PKCE S256, the
// out-of-band redirect), /oauth/token (authorization_code, client_credentials,
// and password when enabled), /oauth/revoke, and the RFC 8414 metadata.
#include <boost/json/array.hpp>
#include <boost/json/value.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "api/authorize_page.h"
#include "api/routes.h"
#include "core/secrets.h"
#include "core/text.h"
#include "mastodon/entities.h"

namespace chirp {
namespace json = boost::json;

namespace {

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

// The client's credentials: HTTP Basic (client_secret_basic) or body
// parameters (client_secret_post); the header wins.
ClientCredentials ClientOf(const ApiRequest& req) {
  ClientCredentials client{.client_id = Optional(req.params, "client_id"),
                           .client_secret = Optional(req.params, "client_secret")};
  const std::string_view authorization = TrimAscii(req.http.Header("authorization"));
  if (authorization.size() > 6 && AsciiLower(authorization.substr(0, 6)) == "basic ") {
    const auto decoded = DecodeBase64(TrimAscii(authorization.substr(6)));
    if (decoded) {
      const size_t colon = decoded->find(':');
      if (colon != std::string::npos) {
        client.client_id = UrlDecode(decoded->substr(0, colon)).value_or("");
        client.client_secret = UrlDecode(decoded->substr(colon + 1)).value_or("");
      }
    }
  }
  return client;
}

// The Token entity of a token just issued, never cached.
Result<HttpResponse> TokenResponse(const Result<IssuedToken>& issued) {
  if (!issued) return issued.error();
  HttpResponse response =
      JsonBody(200, TokenJson(issued->token, issued->record.scopes, issued->record.created_at_ms));
  response.AddHeader("Cache-Control", "no-store");
  response.AddHeader("Pragma", "no-cache");
  return response;
}

// An authorization request checked, with the form that carries it on.
struct AuthorizeRequest {
  Authorization authorization;
  AuthorizeForm form;
};

// Reads and checks the authorize parameters shared by GET (show) and POST (decide).
Result<AuthorizeRequest> ParseAuthorize(const OAuthRouteParts& ctx, const Params& params) {
  const std::string response_type = Optional(params, "response_type");
  auto client_id = Required(params, "client_id");
  if (!client_id) return std::move(client_id).error();
  auto checked = ctx.oauth.CheckAuthorization(
      {.client_id = std::move(client_id).value(),
       .response_type = response_type,
       .redirect_uri = Optional(params, "redirect_uri"),
       .scope = Optional(params, "scope"),
       .state = Optional(params, "state"),
       .code_challenge = Optional(params, "code_challenge"),
       .code_challenge_method = Optional(params, "code_challenge_method")});
  if (!checked) return std::move(checked).error();
  AuthorizeForm form;
  form.app_name = checked->app.name;
  form.app_website = checked->app.website;
  form.client_id = checked->app.client_id;
  form.redirect_uri = checked->redirect_uri;
  form.scope = checked->scope;
  form.state = checked->state;
  form.code_challenge = checked->code_challenge;
  form.code_challenge_method = checked->code_challenge_method;
  return AuthorizeRequest{std::move(checked).value(), std::move(form)};
}

HttpResponse Redirect(const std::string& location) {
  HttpResponse r = JsonResponse(302, "{}");
  r.AddHeader("Location", location);
  r.AddHeader("Cache-Control", "no-store");
  return r;
}

// A redirect to `uri` (one the app registered) with the parameters that are
// not empty added to its query.
Result<HttpResponse> RedirectWith(
    const std::string& uri,
    std::initializer_list<std::pair<std::string_view, std::string_view>> params) {
  auto parsed = boost::urls::parse_uri(uri);
  if (!parsed) {
    return Error::OAuth(ErrorCode::kBadRequest, "invalid_redirect_uri",
                        "The requested redirect uri is malformed or doesn't match client "
                        "redirect URI.");
  }
  boost::urls::url url(*parsed);
  for (const auto& [key, value] : params) {
    if (!value.empty()) url.params().append({key, value});
  }
  return Redirect(std::string(url.buffer()));
}

Result<HttpResponse> CreateApp(const OAuthRouteParts& ctx, ApiRequest& req) {
  auto name = req.params.String("client_name");
  if (!name) return std::move(name).error();
  // One string of URIs apart by whitespace, or a list of them.
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
  auto registered = ctx.oauth.RegisterApp({.name = name->value_or(""),
                                           .redirect_uris = std::move(uris),
                                           .scopes = Optional(req.params, "scopes"),
                                           .website = Optional(req.params, "website")});
  if (!registered) return std::move(registered).error();
  return JsonBody(200, ApplicationJson(registered->app, registered->client_secret));
}

Result<HttpResponse> TokenGrant(const OAuthRouteParts& ctx, ApiRequest& req) {
  const std::string grant = Optional(req.params, "grant_type");
  if (grant == "authorization_code") {
    auto app = ctx.oauth.AuthenticateClient(ClientOf(req), /*allow_public=*/true);
    if (!app) return std::move(app).error();
    return TokenResponse(ctx.oauth.ExchangeCode(
        *app, {.code = Optional(req.params, "code"),
               .redirect_uri = Optional(req.params, "redirect_uri"),
               .code_verifier = Optional(req.params, "code_verifier"),
               .public_client = Optional(req.params, "client_secret").empty() &&
                                req.http.Header("authorization").empty()}));
  }
  if (grant == "client_credentials") {
    auto app = ctx.oauth.AuthenticateClient(ClientOf(req), false);
    if (!app) return std::move(app).error();
    return TokenResponse(ctx.oauth.ClientCredentialsGrant(*app, Optional(req.params, "scope")));
  }
  if (grant == "password" && ctx.config.password_grant) {
    auto app = ctx.oauth.AuthenticateClient(ClientOf(req), false);
    if (!app) return std::move(app).error();
    if (!ApiRoutes::TakeSignInAttempt(ctx.endpoint, req.client_address)) {
      return Error{ErrorCode::kTooManyRequests, "Too many requests", {}, {}};
    }
    return TokenResponse(ctx.oauth.PasswordGrant(*app, Optional(req.params, "scope"),
                                                 Optional(req.params, "username"),
                                                 Optional(req.params, "password")));
  }
  if (grant.empty()) {
    return Error::OAuth(ErrorCode::kBadRequest, "invalid_request",
                        "Missing required parameter: grant_type.");
  }
  return Error::OAuth(ErrorCode::kBadRequest, "unsupported_grant_type",
                      "The authorization grant type is not supported by the authorization server.");
}

Result<HttpResponse> ShowAuthorize(const OAuthRouteParts& ctx, ApiRequest& req) {
  auto parsed = ParseAuthorize(ctx, req.params);
  if (!parsed) return std::move(parsed).error();
  return HtmlPage(200, RenderAuthorizePage(ctx.config.title, parsed->form));
}

Result<HttpResponse> DecideAuthorize(const OAuthRouteParts& ctx, ApiRequest& req) {
  auto parsed = ParseAuthorize(ctx, req.params);
  if (!parsed) return std::move(parsed).error();
  AuthorizeForm& form = parsed->form;
  const bool oob = form.redirect_uri == OAuthService::kOutOfBand;
  if (Optional(req.params, "decision") == "deny") {
    if (oob) return HtmlPage(200, RenderCodePage(ctx.config.title, form.app_name, "access denied"));
    return RedirectWith(
        form.redirect_uri,
        {{"error", "access_denied"},
         {"error_description", "The resource owner or authorization server denied the request."},
         {"state", form.state}});
  }
  form.username = Optional(req.params, "username");
  auto account = ctx.oauth.SignIn(form.username, Optional(req.params, "password"));
  if (!account) {
    if (account.error().code != ErrorCode::kUnauthorized) return std::move(account).error();
    form.error = account.error().message;
    return HtmlPage(401, RenderAuthorizePage(ctx.config.title, form));
  }
  auto code = ctx.oauth.IssueCode(parsed->authorization, account->id);
  if (!code) return std::move(code).error();
  if (oob) return HtmlPage(200, RenderCodePage(ctx.config.title, form.app_name, *code));
  return RedirectWith(form.redirect_uri, {{"code", *code}, {"state", form.state}});
}

Result<HttpResponse> Revoke(const OAuthRouteParts& ctx, ApiRequest& req) {
  if (Status s = ctx.oauth.Revoke(ClientOf(req), Optional(req.params, "token")); !s) {
    return std::move(s).error();
  }
  return JsonResponse(200, "{}");
}

Result<HttpResponse> ServerMetadata(const OAuthRouteParts& ctx, ApiRequest& req) {
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

void AddOAuthRoutes(ApiRoutes& routes, const OAuthRouteParts& ctx) {
  routes.Add({.method = "POST", .pattern = "/api/v1/apps"},
             [ctx](ApiRequest& r) { return CreateApp(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/api/v1/apps/verify_credentials",
              .auth = AuthRequirement::kAnyToken},
             [ctx](ApiRequest& r) -> Result<HttpResponse> {
               auto app = ctx.oauth.FindApp(r.principal->app_id);
               if (!app) return std::move(app).error();
               return JsonBody(200, ApplicationJson(*app, ""));
             });
  routes.Add({.method = "GET", .pattern = "/oauth/authorize", .rate_limit_headers = false},
             [ctx](ApiRequest& r) { return ShowAuthorize(ctx, r); });
  routes.Add({.method = "POST",
              .pattern = "/oauth/authorize",
              .limit = LimitClass::kSignIn,
              .rate_limit_headers = false},
             [ctx](ApiRequest& r) { return DecideAuthorize(ctx, r); });
  routes.Add({.method = "POST", .pattern = "/oauth/token", .rate_limit_headers = false},
             [ctx](ApiRequest& r) { return TokenGrant(ctx, r); });
  routes.Add({.method = "POST", .pattern = "/oauth/revoke", .rate_limit_headers = false},
             [ctx](ApiRequest& r) { return Revoke(ctx, r); });
  routes.Add({.method = "GET",
              .pattern = "/.well-known/oauth-authorization-server",
              .execution = Execution::kInline,
              .rate_limit_headers = false},
             [ctx](ApiRequest& r) { return ServerMetadata(ctx, r); });
}

}  // namespace chirp
