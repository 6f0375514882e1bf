#include "auth/oauth_service.h"

#include <gtest/gtest.h>

#include <memory>

#include "core/secrets.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

constexpr const char* kRedirect = "https://client.example/callback";
constexpr const char* kPassword = "correct horse battery";
constexpr int64_t kStart = SnowflakeGenerator::kEpochMillis + 1000LL * 24 * 3600 * 1000;

class OAuthServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitSecrets());
    temp_ = std::make_unique<TempStore>(
        std::string("oauth-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(), 0);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    Account account;
    account.id = 1;
    account.username = "alice";
    User user;
    user.account_id = 1;
    user.email = "alice@example.com";
    user.password_hash = HashPassword(kPassword);
    ASSERT_TRUE(store().CreateAccount(account, user).ok());
    auth_ = std::make_unique<Authenticator>(store());
    service_ = std::make_unique<OAuthService>(store(), clock_, ids_, *auth_);
    auto app = service_->RegisterApp(
        {.name = "client", .redirect_uris = {kRedirect}, .scopes = "read write"});
    ASSERT_TRUE(app.ok()) << app.error().message;
    app_ = std::move(app).value();
  }

  SqliteStore& store() { return temp_->store(); }
  ClientCredentials Client() const {
    return {.client_id = app_.app.client_id, .client_secret = app_.client_secret};
  }

  // Alice's consent to the app, with `challenge` for PKCE ("" for none).
  std::string Code(const std::string& challenge = "") {
    auto authorization =
        service_->CheckAuthorization({.client_id = app_.app.client_id,
                                      .response_type = "code",
                                      .scope = "read",
                                      .code_challenge = challenge,
                                      .code_challenge_method = challenge.empty() ? "" : "S256"});
    EXPECT_TRUE(authorization.ok()) << authorization.error().message;
    auto code = service_->IssueCode(*authorization, 1);
    EXPECT_TRUE(code.ok());
    return code ? *code : "";
  }

  ManualClock clock_{kStart};
  SnowflakeGenerator ids_{clock_, 1};
  std::unique_ptr<TempStore> temp_;
  std::unique_ptr<Authenticator> auth_;
  std::unique_ptr<OAuthService> service_;
  RegisteredApp app_;
};

// The OAuth error an answer carries; "" when it succeeded.
template <typename T>
std::string OAuthErrorOf(const Result<T>& result) {
  return result ? "" : result.error().oauth_error;
}

TEST_F(OAuthServiceTest, RegistersAnAppWithCanonicalScopesAndAuthenticatesItsClient) {
  auto app = service_->RegisterApp({.name = "  Tusky ",
                                    .redirect_uris = {kRedirect, "urn:ietf:wg:oauth:2.0:oob"},
                                    .scopes = "write read"});
  ASSERT_TRUE(app.ok());
  EXPECT_EQ(app->app.name, "Tusky");
  EXPECT_EQ(app->app.scopes, "read write");
  EXPECT_EQ(store().FindAppByClientId(app->app.client_id)->id, app->app.id);
  EXPECT_EQ(service_->RegisterApp({.name = "x", .redirect_uris = {kRedirect}})->app.scopes, "read");

  const ClientCredentials right{app->app.client_id, app->client_secret};
  EXPECT_EQ(service_->AuthenticateClient(right, false)->id, app->app.id);
  EXPECT_EQ(OAuthErrorOf(service_->AuthenticateClient({app->app.client_id, "wrong"}, false)),
            "invalid_client");
  EXPECT_EQ(OAuthErrorOf(service_->AuthenticateClient({app->app.client_id, ""}, false)),
            "invalid_client");
  EXPECT_TRUE(service_->AuthenticateClient({app->app.client_id, ""}, true).ok());
  EXPECT_EQ(OAuthErrorOf(service_->AuthenticateClient({"unknown", "secret"}, true)),
            "invalid_client");
}

TEST_F(OAuthServiceTest, RefusesTheAppsMastodonRefuses) {
  const std::vector<AppRegistration> refused = {
      {.name = " ", .redirect_uris = {kRedirect}},
      {.name = std::string(201, 'a'), .redirect_uris = {kRedirect}},
      {.name = "app"},
      {.name = "app", .redirect_uris = std::vector<std::string>(11, kRedirect)},
      {.name = "app", .redirect_uris = {"/relative"}},
      {.name = "app", .redirect_uris = {"https://app.example/cb#fragment"}},
      {.name = "app", .redirect_uris = {"https://app.example/c b"}},
      {.name = "app", .redirect_uris = {"https://app.example/%zz"}},
      {.name = "app", .redirect_uris = {"https:"}},
      {.name = "app", .redirect_uris = {kRedirect}, .scopes = "read bogus"},
      {.name = "app", .redirect_uris = {kRedirect}, .website = "not a uri"},
  };
  for (const AppRegistration& registration : refused) {
    auto result = service_->RegisterApp(registration);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnprocessable) << result.error().message;
  }
}

TEST_F(OAuthServiceTest, AcceptsTheRedirectUrisClientsRegister) {
  for (const char* uri : {"https://app.example/callback?x=1", "com.example.app:/oauth",
                          "urn:ietf:wg:oauth:2.0:oob", "http://127.0.0.1:8000/cb"}) {
    auto result = service_->RegisterApp({.name = "app", .redirect_uris = {uri}});
    EXPECT_TRUE(result.ok()) << uri << ": " << result.error().message;
  }
}

TEST_F(OAuthServiceTest, AnAuthorizationIsCheckedAgainstItsApp) {
  const AuthorizationRequest good{.client_id = app_.app.client_id, .response_type = "code"};
  auto checked = service_->CheckAuthorization(good);
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(checked->redirect_uri, kRedirect);  // the only one registered
  EXPECT_EQ(checked->scope, "read");

  AuthorizationRequest r = good;
  r.client_id = "unknown";
  EXPECT_EQ(OAuthErrorOf(service_->CheckAuthorization(r)), "invalid_client");
  r = good;
  r.redirect_uri = "https://elsewhere.example/";
  EXPECT_EQ(OAuthErrorOf(service_->CheckAuthorization(r)), "invalid_redirect_uri");
  r = good;
  r.response_type = "token";
  EXPECT_EQ(OAuthErrorOf(service_->CheckAuthorization(r)), "unsupported_response_type");
  r = good;
  r.scope = "read follow";  // beyond the app's
  EXPECT_EQ(OAuthErrorOf(service_->CheckAuthorization(r)), "invalid_scope");
  r = good;
  r.code_challenge = "challenge";
  r.code_challenge_method = "plain";
  EXPECT_EQ(OAuthErrorOf(service_->CheckAuthorization(r)), "invalid_request");
}

TEST_F(OAuthServiceTest, ACodeRedeemsOnceForATokenOfItsAccount) {
  const std::string code = Code();
  auto issued = service_->ExchangeCode(app_.app, {.code = code});
  ASSERT_TRUE(issued.ok()) << issued.error().message;
  EXPECT_EQ(issued->record.account_id, 1);
  EXPECT_EQ(issued->record.scopes, "read");
  auto principal = auth_->Authenticate(issued->token);
  ASSERT_TRUE(principal.ok() && principal->has_value());
  EXPECT_EQ((*principal)->account_id, 1);
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(app_.app, {.code = code})), "invalid_grant");
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(app_.app, {.code = ""})), "invalid_grant");
}

TEST_F(OAuthServiceTest, ACodeIsRefusedToAnotherAppOrRedirectAndSpentByTheTry) {
  auto other = service_->RegisterApp({.name = "other", .redirect_uris = {kRedirect}});
  ASSERT_TRUE(other.ok());
  const std::string code = Code();
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(other->app, {.code = code})), "invalid_grant");
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(app_.app, {.code = code})), "invalid_grant");
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(
                app_.app, {.code = Code(), .redirect_uri = "https://elsewhere.example/"})),
            "invalid_grant");
}

TEST_F(OAuthServiceTest, PkceS256IsChecked) {
  const std::string verifier = RandomToken();
  const std::string challenge = PkceS256(verifier);
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(
                app_.app, {.code = Code(challenge), .code_verifier = "wrong"})),
            "invalid_grant");
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(app_.app, {.code = Code(challenge)})),
            "invalid_grant");
  // A public client proves itself with PKCE alone.
  EXPECT_TRUE(
      service_
          ->ExchangeCode(
              app_.app, {.code = Code(challenge), .code_verifier = verifier, .public_client = true})
          .ok());
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(app_.app, {.code = Code(), .public_client = true})),
            "invalid_client");
}

TEST_F(OAuthServiceTest, AnExpiredCodeIsRefused) {
  const std::string on_time = Code();
  const std::string late = Code();
  clock_.Advance(OAuthService::kCodeLifetimeMs);
  EXPECT_TRUE(service_->ExchangeCode(app_.app, {.code = on_time}).ok());
  clock_.Advance(1);
  EXPECT_EQ(OAuthErrorOf(service_->ExchangeCode(app_.app, {.code = late})), "invalid_grant");
}

TEST_F(OAuthServiceTest, SignInChecksThePasswordAndRecordsTheLogin) {
  clock_.Advance(5000);
  auto by_name = service_->SignIn(" alice ", kPassword);
  ASSERT_TRUE(by_name.ok()) << by_name.error().message;
  EXPECT_EQ(by_name->id, 1);
  EXPECT_EQ(store().FindUser(1)->last_login_ms, kStart + 5000);
  EXPECT_EQ(service_->SignIn("ALICE@example.com", kPassword)->id, 1);
  EXPECT_EQ(service_->SignIn("alice", "wrong password").error().code, ErrorCode::kUnauthorized);
  EXPECT_EQ(service_->SignIn("nobody", kPassword).error().code, ErrorCode::kUnauthorized);
}

TEST_F(OAuthServiceTest, ThePasswordGrantRefusesAWrongPassword) {
  EXPECT_EQ(OAuthErrorOf(service_->PasswordGrant(app_.app, "read", "alice", "wrong password")),
            "invalid_grant");
  EXPECT_EQ(OAuthErrorOf(service_->PasswordGrant(app_.app, "admin:read", "alice", kPassword)),
            "invalid_scope");
  auto issued = service_->PasswordGrant(app_.app, "", "alice", kPassword);
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->record.account_id, 1);
  EXPECT_EQ(issued->record.scopes, "read");
}

TEST_F(OAuthServiceTest, ARevokedTokenIsRefusedAtOnce) {
  auto issued = service_->ClientCredentialsGrant(app_.app, "read write");
  ASSERT_TRUE(issued.ok());
  EXPECT_EQ(issued->record.account_id, 0);
  ASSERT_TRUE(auth_->Authenticate(issued->token).ok());  // now cached

  auto other = service_->RegisterApp({.name = "other", .redirect_uris = {kRedirect}});
  ASSERT_TRUE(other.ok());
  const ClientCredentials other_client{other->app.client_id, other->client_secret};
  EXPECT_EQ(service_->Revoke(other_client, issued->token).error().oauth_error,
            "unauthorized_client");
  EXPECT_EQ(service_->Revoke({app_.app.client_id, "wrong"}, issued->token).error().code,
            ErrorCode::kForbidden);
  ASSERT_TRUE(auth_->Authenticate(issued->token).ok());

  ASSERT_TRUE(service_->Revoke(Client(), issued->token).ok());
  EXPECT_EQ(auth_->Authenticate(issued->token).error().code, ErrorCode::kUnauthorized);
  EXPECT_TRUE(service_->Revoke(Client(), issued->token).ok());  // idempotent
  EXPECT_TRUE(service_->Revoke(Client(), "").ok());
}

}  // namespace
}  // namespace chirp
