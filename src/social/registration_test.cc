#include "social/registration.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/secrets.h"
#include "store/sqlite/sqlite_store.h"

namespace chirp {
namespace {

RegistrationRequest Valid() {
  return {.username = "alice",
          .email = "alice@example.com",
          .password = "password123",
          .agreement = true};
}

std::vector<std::string> Codes(const Error& e, const std::string& field) {
  std::vector<std::string> out;
  auto it = e.details.find(field);
  if (it == e.details.end()) return out;
  for (const auto& fe : it->second) out.push_back(fe.error);
  return out;
}

TEST(ValidateRegistration, EmptyFormReportsWhatMastodonReports) {
  Status s = ValidateRegistration({});
  ASSERT_FALSE(s.ok());
  const Error& e = s.error();
  EXPECT_EQ(e.code, ErrorCode::kUnprocessable);
  EXPECT_EQ(Codes(e, "agreement"), std::vector<std::string>{"ERR_ACCEPTED"});
  EXPECT_EQ(Codes(e, "email"), (std::vector<std::string>{"ERR_BLANK", "ERR_INVALID"}));
  EXPECT_EQ(Codes(e, "password"), std::vector<std::string>{"ERR_BLANK"});
  EXPECT_EQ(Codes(e, "username"), std::vector<std::string>{"ERR_BLANK"});
  EXPECT_EQ(e.details.size(), 4u);
  EXPECT_TRUE(e.message.starts_with("Validation failed: Agreement must be accepted"));
}

TEST(ValidateRegistration, ChecksEachField) {
  auto r = Valid();
  EXPECT_TRUE(ValidateRegistration(r).ok());
  r.username = "bad name";
  EXPECT_EQ(Codes(ValidateRegistration(r).error(), "username"),
            std::vector<std::string>{"ERR_INVALID"});
  r.username = std::string(31, 'a');
  EXPECT_EQ(Codes(ValidateRegistration(r).error(), "username"),
            std::vector<std::string>{"ERR_TOO_LONG"});
  r.username = "Admin";
  EXPECT_EQ(Codes(ValidateRegistration(r).error(), "username"),
            std::vector<std::string>{"ERR_RESERVED"});
  r = Valid();
  r.password = "short";
  EXPECT_EQ(Codes(ValidateRegistration(r).error(), "password"),
            std::vector<std::string>{"ERR_TOO_SHORT"});
  r = Valid();
  r.email = "no-at-sign";
  EXPECT_EQ(Codes(ValidateRegistration(r).error(), "email"),
            std::vector<std::string>{"ERR_INVALID"});
  r = Valid();
  r.username = "Ab_9";
  EXPECT_TRUE(ValidateRegistration(r).ok());
  r.username = "a.b";
  EXPECT_FALSE(ValidateRegistration(r).ok());
  r.username = "a-b";
  EXPECT_FALSE(ValidateRegistration(r).ok());
}

TEST(RegisterAccount, CreatesOnceThenReportsTaken) {
  ASSERT_TRUE(InitSecrets());
  const auto dir =
      std::filesystem::temp_directory_path() / ("chirp-reg-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  {
    auto store = SqliteStore::Open({.path = (dir / "db").string(), .synchronous = "NORMAL"});
    ASSERT_TRUE(store.ok());
    ManualClock clock(1'700'000'000'000);
    SnowflakeGenerator ids(clock, 0);
    auto first = RegisterAccount(Valid(), **store, ids, clock);
    ASSERT_TRUE(first.ok()) << first.error().message;
    auto user = (*store)->FindUser(first->id);
    ASSERT_TRUE(user.ok());
    EXPECT_TRUE(VerifyPassword("password123", user->password_hash));
    auto again = Valid();
    again.username = "ALICE";
    again.email = "Alice@Example.com";
    auto second = RegisterAccount(again, **store, ids, clock);
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(Codes(second.error(), "username"), std::vector<std::string>{"ERR_TAKEN"});
    EXPECT_EQ(Codes(second.error(), "email"), std::vector<std::string>{"ERR_TAKEN"});
    EXPECT_EQ(*(*store)->CountAccounts(), 1);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chirp
