// Apps and the OAuth 2 grants that give them tokens, with the rules Mastodon
// (Doorkeeper) applies: registering an app, authenticating a client,
// checking an authorization request against its app, signing in by e-mail
// or username, authorization codes (ten minutes, redeemed once, PKCE S256),
// the authorization_code, client_credentials and password grants, and
// revocation, which also drops the token from the authenticator's cache at
// once. Parsing requests and rendering pages and entities stay with the
// routes (api/oauth_routes.cc, api/authorize_page.h).
//
// OAuth failures are Error::OAuth values carrying the error and description
// of RFC 6749 (invalid_client, invalid_grant, invalid_scope, ...); app
// registration fails with kUnprocessable and Mastodon's messages.
//
// Lives in api/ rather than a module of its own: it needs the scopes
// (api/scopes.h) and the authenticator (api/authenticator.h), and the API
// needs it, so a separate library would depend on chirp_api and back.
//
// Thread-safe; calls block on the store.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/error.h"
#include "core/snowflake.h"
#include "store/store.h"

namespace chirp {

// An app as a client asks to register it, as sent.
struct AppRegistration {
  std::string name;
  std::vector<std::string> redirect_uris;  // each one URI
  std::string scopes;                      // blank for "read"
  std::string website;                     // "" for none
};

struct RegisteredApp {
  App app;
  std::string client_secret;  // shown once; the store keeps its digest
};

// A client's credentials as presented (client_secret_basic or client_secret_post).
struct ClientCredentials {
  std::string client_id;
  std::string client_secret;  // "" when none was presented
};

// A request to /oauth/authorize, as sent.
struct AuthorizationRequest {
  std::string client_id;
  std::string response_type;
  std::string redirect_uri;  // "" for the app's only one
  std::string scope;         // blank for "read"
  std::string state;
  std::string code_challenge;  // "" without PKCE
  std::string code_challenge_method;
};

// An authorization request checked against its app: what the resource
// owner is asked to consent to.
struct Authorization {
  App app;
  std::string redirect_uri;  // one the app registered
  std::string scope;         // canonical, within the app's
  std::string state;
  std::string code_challenge;
  std::string code_challenge_method;  // "S256" when there is a challenge
};

// The exchange of an authorization code for a token, as sent.
struct CodeExchange {
  std::string code;
  std::string redirect_uri;  // "" for the app's only one
  std::string code_verifier;
  // The client presented nothing but its id (no secret, no Authorization
  // header): it must then prove itself with PKCE.
  bool public_client = false;
};

// A token just issued.
struct IssuedToken {
  std::string token;  // the secret, shown once
  AccessToken record;
};

class OAuthService {
 public:
  // The redirect URI that shows the code on a page instead.
  static constexpr std::string_view kOutOfBand = "urn:ietf:wg:oauth:2.0:oob";
  static constexpr int64_t kCodeLifetimeMs = 10 * 60 * 1000;
  static constexpr size_t kMaxAppNameLength = 200;
  static constexpr size_t kMaxRedirectUris = 10;
  static constexpr size_t kMaxUriLength = 2000;

  // Everything must outlive the service.
  OAuthService(Store& store, const Clock& clock, SnowflakeGenerator& ids, Authenticator& auth);

  // Registers an app with a new client id and secret. kUnprocessable when
  // the name is blank or too long, the redirect URIs are none, too many or
  // not absolute, the scopes unknown, or the website not an absolute URI.
  Result<RegisteredApp> RegisterApp(const AppRegistration& registration);
  // kNotFound for an unknown app.
  Result<App> FindApp(int64_t app_id);

  // The app whose credentials these are; a missing secret passes only when
  // `allow_public`. invalid_client (kUnauthorized) otherwise.
  Result<App> AuthenticateClient(const ClientCredentials& client, bool allow_public);

  // Checks an authorization request: invalid_client for an unknown client,
  // invalid_redirect_uri for one the app did not register,
  // unsupported_response_type but for "code", invalid_scope for scopes
  // beyond the app's, invalid_request for a challenge method but S256.
  Result<Authorization> CheckAuthorization(const AuthorizationRequest& request);

  // The account behind a login (an e-mail when it has an '@', else a
  // username) whose password this is; the sign-in is recorded. kUnauthorized
  // ("Invalid username, e-mail or password.") otherwise, after as long as a
  // password check takes, so that timing does not tell whether it exists.
  Result<Account> SignIn(std::string_view login, std::string_view password);

  // A code for `account_id`, which consented to `authorization`; it is
  // redeemed once, within kCodeLifetimeMs.
  Result<std::string> IssueCode(const Authorization& authorization, int64_t account_id);

  // The grants. Each takes an app from AuthenticateClient.
  // authorization_code: the code is spent by any attempt to redeem it;
  // invalid_grant for an unknown, spent or expired code, one of another app,
  // a redirect URI other than the authorization's, or a wrong PKCE verifier;
  // invalid_client for a public client that used no PKCE.
  Result<IssuedToken> ExchangeCode(const App& app, const CodeExchange& exchange);
  // client_credentials: a token of the app alone. invalid_scope as above.
  Result<IssuedToken> ClientCredentialsGrant(const App& app, std::string_view scope);
  // password: invalid_scope as above; invalid_grant when the sign-in fails.
  Result<IssuedToken> PasswordGrant(const App& app, std::string_view scope, std::string_view login,
                                    std::string_view password);

  // Revokes `token` for the client (idempotent; an empty or unknown token
  // revokes nothing), and drops it from the authenticator's cache at once.
  // unauthorized_client (kForbidden) when the client fails authentication
  // or the token is another client's.
  Status Revoke(const ClientCredentials& client, std::string_view token);

 private:
  // The scopes asked for (blank: "read"), canonical, within the app's.
  Result<std::string> GrantableScopes(const App& app, std::string_view requested);
  Result<IssuedToken> IssueToken(int64_t app_id, int64_t account_id, const std::string& scopes);

  Store& store_;
  const Clock& clock_;
  SnowflakeGenerator& ids_;
  Authenticator& auth_;
};

}  // namespace chirp
