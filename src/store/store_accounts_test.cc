// Accounts, users, applications, tokens and authorization codes, against
// each store.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "store/store_kinds.h"

namespace chirp {
namespace {

class AccountStoreTest : public ::testing::TestWithParam<StoreKind> {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<StoreUnderTest>(
        GetParam(),
        std::string("accounts-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        0);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
  }
  static Account MakeAccount(int64_t id, std::string username) {
    Account a;
    a.id = id;
    a.username = std::move(username);
    a.created_at_ms = 1000;
    return a;
  }
  static User MakeUser(int64_t id, std::string email) {
    User u;
    u.account_id = id;
    u.email = std::move(email);
    u.password_hash = "hash";
    u.created_at_ms = 1000;
    return u;
  }

  std::unique_ptr<StoreUnderTest> temp_;
  Store* store_ = nullptr;
};

TEST_P(AccountStoreTest, CreatesAndFindsAccountsCaseInsensitively) {
  ASSERT_TRUE(
      store_->CreateAccount(MakeAccount(1, "Alice"), MakeUser(1, "Alice@Example.com")).ok());
  auto a = store_->FindAccountByUsername("aLiCe");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(a->username, "Alice");
  auto u = store_->FindUserByEmail("alice@example.COM");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->account_id, 1);
  EXPECT_EQ(store_->FindAccount(2).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->CountAccounts(), 1);
}

TEST_P(AccountStoreTest, DuplicateUsernameOrEmailIsTakenAndChangesNothing) {
  ASSERT_TRUE(store_->CreateAccount(MakeAccount(1, "alice"), MakeUser(1, "a@example.com")).ok());
  Status s = store_->CreateAccount(MakeAccount(2, "ALICE"), MakeUser(2, "b@example.com"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().details.at("username")[0].error, "ERR_TAKEN");
  s = store_->CreateAccount(MakeAccount(3, "bob"), MakeUser(3, "A@example.com"));
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().details.at("email")[0].error, "ERR_TAKEN");
  // The failed registration of bob left no account behind.
  EXPECT_EQ(store_->FindAccountByUsername("bob").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(*store_->CountAccounts(), 1);
}

TEST_P(AccountStoreTest, ProfileUpdatesReplaceFields) {
  Account a = MakeAccount(1, "alice");
  a.fields = {{"site", "https://a.example"}, {"pronouns", "she/her"}};
  ASSERT_TRUE(store_->CreateAccount(a, MakeUser(1, "a@example.com")).ok());
  a.display_name = "Alice";
  a.locked = true;
  a.fields = {{"only", "one"}};
  a.avatar = "0123456789abcdef0123456789abcdef/avatar.jpg";
  a.header = "fedcba9876543210fedcba9876543210/header.png";
  ASSERT_TRUE(store_->UpdateProfile(a).ok());
  auto read = store_->FindAccount(1);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->display_name, "Alice");
  EXPECT_TRUE(read->locked);
  EXPECT_EQ(read->avatar, a.avatar);
  EXPECT_EQ(read->header, a.header);
  EXPECT_EQ(store_->FindAccountByUsername("alice")->avatar, a.avatar);
  ASSERT_EQ(read->fields.size(), 1u);
  EXPECT_EQ(read->fields[0].name, "only");
  EXPECT_EQ(store_->UpdateProfile(MakeAccount(99, "ghost")).error().code, ErrorCode::kNotFound);
  // Caches and the search index elsewhere learn of the account and its update.
  auto events = store_->ReadOutbox(0, 10).value();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, EventKind::kAccountCreated);
  EXPECT_EQ(events[1].kind, EventKind::kAccountUpdated);
  EXPECT_EQ(events[1].account_id, 1);
}

TEST_P(AccountStoreTest, ScansReadEveryAccountStatusAndFavouriteInIdOrder) {
  for (int i = 1; i <= 5; ++i) {
    ASSERT_TRUE(store_
                    ->CreateAccount(MakeAccount(i, "user" + std::to_string(i)),
                                    MakeUser(i, "u" + std::to_string(i) + "@e.com"))
                    .ok());
  }
  auto first = store_->ScanAccounts(0, 2);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[1].id, 2);
  auto rest = store_->ScanAccounts(2, 10);
  ASSERT_EQ(rest->size(), 3u);
  EXPECT_EQ(rest->front().id, 3);
  for (int64_t id = 10; id <= 12; ++id) {
    StatusRecord s{.id = id, .account_id = 1, .text = "t", .created_at_ms = 1};
    ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
  }
  ASSERT_TRUE(store_->DeleteStatus(11, 2).ok());
  ASSERT_TRUE(store_->Favourite(2, 10, 100, 3).ok());
  ASSERT_TRUE(store_->Favourite(3, 12, 101, 3).ok());
  auto statuses = store_->ScanStatuses(0, 10);
  ASSERT_TRUE(statuses.ok());
  ASSERT_EQ(statuses->size(), 2u) << "the deleted one is left out";
  EXPECT_EQ((*statuses)[1].id, 12);
  auto favourites = store_->ScanFavourites(100, 10);
  ASSERT_TRUE(favourites.ok());
  ASSERT_EQ(favourites->size(), 1u);
  EXPECT_EQ((*favourites)[0].account_id, 3);
}

TEST_P(AccountStoreTest, TokensRevokeOnlyForTheirApp) {
  App app;
  app.id = 10;
  app.name = "app";
  app.redirect_uris = {"urn:ietf:wg:oauth:2.0:oob", "https://a.example/cb"};
  app.scopes = "read write";
  app.client_id = "cid";
  app.client_secret_digest = "sd";
  ASSERT_TRUE(store_->CreateApp(app).ok());
  EXPECT_EQ(store_->FindAppByClientId("cid")->redirect_uris.size(), 2u);
  AccessToken t;
  t.id = 20;
  t.digest = "d1";
  t.app_id = 10;
  t.scopes = "read";
  ASSERT_TRUE(store_->CreateToken(t).ok());
  ASSERT_TRUE(store_->RevokeToken("d1", 11, 5).ok());
  EXPECT_EQ(store_->FindTokenByDigest("d1")->revoked_at_ms, 0);
  ASSERT_TRUE(store_->RevokeToken("d1", 10, 5).ok());
  EXPECT_EQ(store_->FindTokenByDigest("d1")->revoked_at_ms, 5);
  ASSERT_TRUE(store_->RevokeToken("unknown", 10, 5).ok());
  ASSERT_TRUE(store_->RevokeToken("d1", 10, 6).ok());  // revoked already
  // One event, for the revocation that happened, naming the token.
  auto events = store_->ReadOutbox(0, 10).value();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].kind, EventKind::kTokenRevoked);
  EXPECT_EQ(events[0].subject_id, 20);
}

TEST_P(AccountStoreTest, AuthorizationCodesRedeemOnce) {
  ASSERT_TRUE(store_->CreateAccount(MakeAccount(1, "alice"), MakeUser(1, "a@e.com")).ok());
  App app;
  app.id = 10;
  app.name = "app";
  app.redirect_uris = {"urn:ietf:wg:oauth:2.0:oob"};
  app.scopes = "read";
  app.client_id = "cid";
  app.client_secret_digest = "sd";
  ASSERT_TRUE(store_->CreateApp(app).ok());
  AuthorizationCode c;
  c.digest = "code";
  c.app_id = 10;
  c.account_id = 1;
  c.redirect_uri = "urn:ietf:wg:oauth:2.0:oob";
  c.scopes = "read";
  c.code_challenge = "challenge";
  c.expires_at_ms = 99;
  ASSERT_TRUE(store_->CreateAuthorizationCode(c).ok());
  auto first = store_->ConsumeAuthorizationCode("code");
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(first->code_challenge, "challenge");
  EXPECT_EQ(store_->ConsumeAuthorizationCode("code").error().code, ErrorCode::kNotFound);
}

INSTANTIATE_TEST_SUITE_P(Stores, AccountStoreTest, ::testing::ValuesIn(kStoreKinds), StoreKindName);

}  // namespace
}  // namespace chirp
