#include "auth/oauth_service.h"

#include <boost/url/parse.hpp>

#include "auth/scopes.h"
#include "core/secrets.h"
#include "core/text.h"

namespace chirp {
namespace {

constexpr const char* kDefaultScope = "read";

// RFC 3986's absolute URI (a scheme, no fragment), as OAuth 2.0 wants a
// redirect URI, with something after the scheme.
bool IsAbsoluteUri(std::string_view uri) {
  if (uri == OAuthService::kOutOfBand) return true;
  auto parsed = boost::urls::parse_absolute_uri(uri);
  return parsed && uri.size() > parsed->scheme().size() + 1;
}

Error InvalidClient() {
  return Error::OAuth(ErrorCode::kUnauthorized, "invalid_client",
                      "Client authentication failed due to unknown client, no client "
                      "authentication included, or unsupported authentication method.");
}

Error InvalidGrant() {
  return Error::OAuth(
      ErrorCode::kBadRequest, "invalid_grant",
      "The provided authorization grant is invalid, expired, revoked, does not match the "
      "redirection URI used in the authorization request, or was issued to another client.");
}

Error UnauthorizedToRevoke() {
  return Error::OAuth(ErrorCode::kForbidden, "unauthorized_client",
                      "You are not authorized to revoke this token");
}

// The redirect URI a request names, or the app's only one when it names none.
std::string RedirectUriOf(const App& app, const std::string& requested) {
  if (requested.empty() && app.redirect_uris.size() == 1) return app.redirect_uris[0];
  return requested;
}

}  // namespace

OAuthService::OAuthService(Store& store, const Clock& clock, SnowflakeGenerator& ids,
                           Authenticator& auth)
    : store_(store), clock_(clock), ids_(ids), auth_(auth) {}

Result<RegisteredApp> OAuthService::RegisterApp(const AppRegistration& r) {
  const std::string_view name = TrimAscii(r.name);
  if (name.empty()) return Error::Unprocessable("Validation failed: Name can't be blank");
  // Mastodon counts the name as sent.
  if (r.name.size() > kMaxAppNameLength) {
    return Error::Unprocessable(
        "Validation failed: Application name is too long (maximum is 200 characters)");
  }
  if (r.redirect_uris.empty()) {
    return Error::Unprocessable("Validation failed: Redirect URI can't be blank");
  }
  if (r.redirect_uris.size() > kMaxRedirectUris) {
    return Error::Unprocessable("Validation failed: Redirect URI has too many entries");
  }
  for (const std::string& uri : r.redirect_uris) {
    if (uri.size() > kMaxUriLength || !IsAbsoluteUri(uri)) {
      return Error::Unprocessable("Validation failed: Redirect URI must be an absolute URI.");
    }
  }
  const auto scopes = ScopeSet::Parse(TrimAscii(r.scopes).empty() ? kDefaultScope : r.scopes);
  if (!scopes || scopes->empty()) {
    return Error::Unprocessable("Validation failed: Scopes are invalid");
  }
  if (!r.website.empty() && (r.website.size() > kMaxUriLength || !IsAbsoluteUri(r.website))) {
    return Error::Unprocessable("Validation failed: Website is invalid");
  }
  RegisteredApp out;
  App& app = out.app;
  app.id = ids_.Next();
  app.name = std::string(name);
  app.website = r.website;
  app.redirect_uris = r.redirect_uris;
  app.scopes = scopes->ToString();
  app.client_id = RandomToken();
  out.client_secret = RandomToken();
  app.client_secret_digest = TokenDigest(out.client_secret);
  app.created_at_ms = clock_.NowMillis();
  if (Status s = store_.CreateApp(app); !s) return std::move(s).error();
  return out;
}

Result<App> OAuthService::FindApp(int64_t app_id) { return store_.FindApp(app_id); }

Result<App> OAuthService::AuthenticateClient(const ClientCredentials& client, bool allow_public) {
  if (client.client_id.empty()) return InvalidClient();
  auto app = store_.FindAppByClientId(client.client_id);
  if (!app) return app.error().code == ErrorCode::kNotFound ? InvalidClient() : app.error();
  if (client.client_secret.empty()) {
    if (allow_public) return app;
    return InvalidClient();
  }
  if (!ConstantTimeEquals(TokenDigest(client.client_secret), app->client_secret_digest)) {
    return InvalidClient();
  }
  return app;
}

Result<std::string> OAuthService::GrantableScopes(const App& app, std::string_view requested) {
  if (TrimAscii(requested).empty()) requested = kDefaultScope;
  const auto parsed = ScopeSet::Parse(requested);
  if (!parsed || parsed->empty() || !ScopesWithin(requested, app.scopes)) {
    return Error::OAuth(ErrorCode::kBadRequest, "invalid_scope",
                        "The requested scope is invalid, unknown, or malformed.");
  }
  return parsed->ToString();
}

Result<Authorization> OAuthService::CheckAuthorization(const AuthorizationRequest& request) {
  auto app = store_.FindAppByClientId(request.client_id);
  if (!app) {
    // Whatever the reason: the page must not go on without a client.
    return Error::OAuth(ErrorCode::kUnauthorized, "invalid_client",
                        "Client authentication failed due to unknown client.");
  }
  Authorization out;
  out.redirect_uri = RedirectUriOf(*app, request.redirect_uri);
  bool registered = false;
  for (const auto& uri : app->redirect_uris) registered |= uri == out.redirect_uri;
  if (!registered) {
    return Error::OAuth(
        ErrorCode::kBadRequest, "invalid_redirect_uri",
        "The requested redirect uri is malformed or doesn't match client redirect URI.");
  }
  if (request.response_type != "code") {
    return Error::OAuth(ErrorCode::kBadRequest, "unsupported_response_type",
                        "The authorization server does not support this response type.");
  }
  auto scope = GrantableScopes(*app, request.scope);
  if (!scope) return std::move(scope).error();
  if (!request.code_challenge.empty() && request.code_challenge_method != "S256") {
    return Error::OAuth(ErrorCode::kBadRequest, "invalid_request",
                        "Only the S256 code challenge method is supported.");
  }
  out.app = std::move(app).value();
  out.scope = std::move(scope).value();
  out.state = request.state;
  out.code_challenge = request.code_challenge;
  out.code_challenge_method = request.code_challenge_method;
  return out;
}

Result<Account> OAuthService::SignIn(std::string_view login, std::string_view password) {
  const Error invalid = Error::Unauthorized("Invalid username, e-mail or password.");
  Result<User> user = Error::NotFound();
  if (login.find('@') != std::string_view::npos) {
    user = store_.FindUserByEmail(TrimAscii(login));
  } else {
    auto account = store_.FindAccountByUsername(TrimAscii(login));
    if (account) user = store_.FindUser(account->id);
  }
  if (!user) {
    // Spend the time a verification would, so that timing does not tell
    // whether the account exists.
    (void)VerifyPassword(password, HashPassword("timing-equaliser"));
    return invalid;
  }
  if (!VerifyPassword(password, user->password_hash)) return invalid;
  // The last sign-in is informative: failing to record it fails nothing.
  (void)store_.RecordLogin(user->account_id, clock_.NowMillis());
  return store_.FindAccount(user->account_id);
}

Result<std::string> OAuthService::IssueCode(const Authorization& authorization,
                                            int64_t account_id) {
  std::string code = RandomToken();
  AuthorizationCode record;
  record.digest = TokenDigest(code);
  record.app_id = authorization.app.id;
  record.account_id = account_id;
  record.redirect_uri = authorization.redirect_uri;
  record.scopes = authorization.scope;
  record.code_challenge = authorization.code_challenge;
  record.created_at_ms = clock_.NowMillis();
  record.expires_at_ms = record.created_at_ms + kCodeLifetimeMs;
  if (Status s = store_.CreateAuthorizationCode(record); !s) return std::move(s).error();
  return code;
}

Result<IssuedToken> OAuthService::IssueToken(int64_t app_id, int64_t account_id,
                                             const std::string& scopes) {
  IssuedToken out;
  out.token = RandomToken();
  AccessToken& record = out.record;
  record.id = ids_.Next();
  record.digest = TokenDigest(out.token);
  record.app_id = app_id;
  record.account_id = account_id;
  record.scopes = scopes;
  record.created_at_ms = clock_.NowMillis();
  if (Status s = store_.CreateToken(record); !s) return std::move(s).error();
  return out;
}

Result<IssuedToken> OAuthService::ExchangeCode(const App& app, const CodeExchange& exchange) {
  if (exchange.code.empty()) return InvalidGrant();
  // Spent before it is checked: a code is tried once, right or wrong.
  auto stored = store_.ConsumeAuthorizationCode(TokenDigest(exchange.code));
  if (!stored) {
    return stored.error().code == ErrorCode::kNotFound ? InvalidGrant() : stored.error();
  }
  if (stored->app_id != app.id || stored->expires_at_ms < clock_.NowMillis()) {
    return InvalidGrant();
  }
  if (RedirectUriOf(app, exchange.redirect_uri) != stored->redirect_uri) return InvalidGrant();
  if (!stored->code_challenge.empty()) {
    if (exchange.code_verifier.empty() ||
        !ConstantTimeEquals(PkceS256(exchange.code_verifier), stored->code_challenge)) {
      return InvalidGrant();
    }
  } else if (exchange.public_client) {
    return Error::OAuth(ErrorCode::kUnauthorized, "invalid_client",
                        "Client authentication failed: a client secret or PKCE is required.");
  }
  return IssueToken(app.id, stored->account_id, stored->scopes);
}

Result<IssuedToken> OAuthService::ClientCredentialsGrant(const App& app, std::string_view scope) {
  auto scopes = GrantableScopes(app, scope);
  if (!scopes) return std::move(scopes).error();
  return IssueToken(app.id, 0, *scopes);
}

Result<IssuedToken> OAuthService::PasswordGrant(const App& app, std::string_view scope,
                                                std::string_view login, std::string_view password) {
  auto scopes = GrantableScopes(app, scope);
  if (!scopes) return std::move(scopes).error();
  auto account = SignIn(login, password);
  if (!account) return InvalidGrant();
  return IssueToken(app.id, account->id, *scopes);
}

Status OAuthService::Revoke(const ClientCredentials& client, std::string_view token) {
  auto app = AuthenticateClient(client, /*allow_public=*/false);
  if (!app) return UnauthorizedToRevoke();
  if (token.empty()) return {};
  // A token of another client may not be revoked by this one (RFC 7009
  // leaves this open; Doorkeeper answers 403, and clients expect that).
  auto stored = store_.FindTokenByDigest(TokenDigest(token));
  if (stored && stored->app_id != app->id) return UnauthorizedToRevoke();
  return auth_.Revoke(token, app->id, clock_.NowMillis());
}

}  // namespace chirp
