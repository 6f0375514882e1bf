#include "auth/authenticator.h"

#include <gtest/gtest.h>

#include <thread>

#include "core/secrets.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

class AuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(InitSecrets());
    temp_ = std::make_unique<TempStore>(
        std::string("authenticator-") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        1);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    App app;
    app.id = 10;
    app.name = "test";
    app.client_id = "client";
    app.client_secret_digest = TokenDigest("secret");
    ASSERT_TRUE(temp_->store().CreateApp(app).ok());
    AccessToken record;
    record.id = 20;
    record.digest = TokenDigest(token_);
    record.app_id = 10;
    record.account_id = 1;
    record.scopes = "read write";
    ASSERT_TRUE(temp_->store().CreateToken(record).ok());
  }

  std::unique_ptr<TempStore> temp_;
  const std::string token_ = RandomToken();
};

TEST_F(AuthenticatorTest, RepeatRequestsAreServedAndRevocationEndsThemAtOnce) {
  Authenticator auth(temp_->store());
  for (int i = 0; i < 3; ++i) {
    auto principal = auth.Authenticate(token_);
    ASSERT_TRUE(principal.ok());
    ASSERT_TRUE(principal->has_value());
    EXPECT_EQ((*principal)->account_id, 1);
  }
  // Another thread has its own memory of tokens and the same answer.
  std::thread other([&] { EXPECT_TRUE(auth.Authenticate(token_).ok()); });
  other.join();
  ASSERT_TRUE(auth.Revoke(token_, 10, 1000).ok());
  auto after = auth.Authenticate(token_);
  ASSERT_FALSE(after.ok());
  EXPECT_EQ(after.error().code, ErrorCode::kUnauthorized);
  std::thread later([&] { EXPECT_FALSE(auth.Authenticate(token_).ok()); });
  later.join();
}

TEST_F(AuthenticatorTest, ATokenThatDiffersInOneCharacterIsRefused) {
  Authenticator auth(temp_->store());
  ASSERT_TRUE(auth.Authenticate(token_).ok());
  std::string other = token_;
  other.back() = other.back() == 'a' ? 'b' : 'a';
  EXPECT_FALSE(auth.Authenticate(other).ok());
  EXPECT_FALSE(auth.Authenticate("").value().has_value());  // no token: anonymous
}

TEST_F(AuthenticatorTest, AnotherAuthenticatorDoesNotShareWhatAThreadRemembers) {
  {
    Authenticator first(temp_->store());
    ASSERT_TRUE(first.Authenticate(token_).ok());
  }
  ASSERT_TRUE(temp_->store().RevokeToken(TokenDigest(token_), 10, 1000).ok());
  Authenticator second(temp_->store());  // may sit where the first one did
  EXPECT_FALSE(second.Authenticate(token_).ok());
}

}  // namespace
}  // namespace chirp
