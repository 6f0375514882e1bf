#include "social/account_service.h"

#include "core/secrets.h"
#include "social/service_test_support.h"

namespace chirp {
namespace {

class AccountServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    ASSERT_TRUE(InitSecrets());
    graph_ = std::make_unique<GraphService>(*store_, clock_, ids_, *lookups_, *applied_);
    service_ =
        std::make_unique<AccountService>(*store_, clock_, ids_, *lookups_, *graph_, *applied_);
  }

  std::unique_ptr<GraphService> graph_;
  std::unique_ptr<AccountService> service_;
};

TEST_F(AccountServiceTest, UpdatesWhatIsGivenAndKeepsTheRest) {
  auto updated = service_->UpdateProfile(
      1, {.display_name = "One",
          .fields = std::vector<ProfileField>{{"site", "a.example"}, {" ", ""}}});
  ASSERT_TRUE(updated.ok()) << updated.error().message;
  EXPECT_EQ((*updated)->display_name, "One");
  ASSERT_EQ((*updated)->fields.size(), 1u);  // the blank pair is dropped
  EXPECT_EQ(store_->FindAccount(1)->display_name, "One");
  auto again = service_->UpdateProfile(1, {.note = "hello"});
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->display_name, "One");
  EXPECT_EQ(applied_->kinds(),
            (std::vector<EventKind>{EventKind::kAccountUpdated, EventKind::kAccountUpdated}));
}

TEST_F(AccountServiceTest, RefusesValuesOutOfBoundsAndChangesNothing) {
  const std::vector<ProfileUpdate> refused = {
      {.display_name = std::string(31, 'a')},
      {.note = std::string(501, 'a')},
      {.fields = std::vector<ProfileField>(5, ProfileField{"k", "v"})},
      {.fields = std::vector<ProfileField>{{std::string(256, 'k'), "v"}}},
      {.default_privacy = "direct"},
      {.default_language = "english"},
  };
  for (const ProfileUpdate& update : refused) {
    auto result = service_->UpdateProfile(1, update);
    ASSERT_FALSE(result.ok());
    EXPECT_EQ(result.error().code, ErrorCode::kUnprocessable) << result.error().message;
  }
  EXPECT_TRUE(Committed().empty());
}

TEST_F(AccountServiceTest, UnlockingAcceptsTheWaitingRequests) {
  ASSERT_TRUE(service_->UpdateProfile(1, {.locked = true}).ok());
  ASSERT_TRUE(graph_->Follow(2, 1, {}).ok());
  ASSERT_TRUE(graph_->Follow(3, 1, {}).ok());
  auto locked = lookups_->Get(1).value();
  EXPECT_EQ(service_->PendingRequests(*locked).value(), 2);
  auto unlocked = service_->UpdateProfile(1, {.locked = false});
  ASSERT_TRUE(unlocked.ok());
  EXPECT_EQ((*unlocked)->followers_count, 2);
  EXPECT_EQ(service_->PendingRequests(**unlocked).value(), 0);
}

TEST_F(AccountServiceTest, SignUpGivesTheAppATokenForTheNewAccount) {
  App app;
  app.id = 10;
  app.name = "app";
  app.client_id = "client";
  app.scopes = "read write";
  ASSERT_TRUE(store_->CreateApp(app).ok());
  auto signed_up = service_->SignUp({.username = "newcomer",
                                     .email = "new@example.com",
                                     .password = "long enough secret",
                                     .agreement = true,
                                     .locale = "en"},
                                    10);
  ASSERT_TRUE(signed_up.ok()) << signed_up.error().message;
  auto token = store_->FindTokenByDigest(TokenDigest(signed_up->token));
  ASSERT_TRUE(token.ok());
  EXPECT_EQ(token->account_id, signed_up->account.id);
  EXPECT_EQ(token->scopes, "read write");
  EXPECT_EQ(service_->SignUp({.username = "other"}, 99).error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace chirp
