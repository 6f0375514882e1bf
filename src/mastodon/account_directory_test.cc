#include "mastodon/account_directory.h"

#include <gtest/gtest.h>

#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

constexpr int kAccounts = 1000;

class AccountDirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(temp_.ok()) << temp_.error(); }
  TempStore temp_{std::string("account-directory-") +
                      ::testing::UnitTest::GetInstance()->current_test_info()->name(),
                  kAccounts};
};

TEST_F(AccountDirectoryTest, StaysWithinItsBudgetAndServesEveryAccountStill) {
  constexpr size_t kBudget = 256 * 1024;
  AccountDirectory directory(temp_.store(), kBudget);
  for (int round = 0; round < 2; ++round) {
    for (int64_t id = 1; id <= kAccounts; ++id) {
      auto account = directory.Get(id);
      ASSERT_TRUE(account.ok()) << account.error().message;
      EXPECT_EQ((*account)->id, id);
      auto by_name = directory.GetByUsername("USER" + std::to_string(id));
      ASSERT_TRUE(by_name.ok()) << by_name.error().message;
      EXPECT_EQ((*by_name)->id, id);
      ASSERT_TRUE(directory.Json(id, "http://chirp.test").ok());
      EXPECT_LE(directory.bytes(), kBudget);
    }
  }
  EXPECT_LT(directory.size(), static_cast<size_t>(kAccounts));
  EXPECT_GT(directory.size(), 0u);
}

TEST_F(AccountDirectoryTest, HoldsEveryAccountWithinALargeBudget) {
  AccountDirectory directory(temp_.store());
  for (int64_t id = 1; id <= kAccounts; ++id) ASSERT_TRUE(directory.Get(id).ok());
  EXPECT_EQ(directory.size(), static_cast<size_t>(kAccounts));
  directory.Forget(1);
  EXPECT_EQ(directory.size(), static_cast<size_t>(kAccounts) - 1);
  ASSERT_TRUE(directory.GetByUsername("user1").ok());
  EXPECT_EQ(directory.size(), static_cast<size_t>(kAccounts));
}

}  // namespace
}  // namespace chirp
