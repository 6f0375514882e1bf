#include "accounts.h"

#include <gtest/gtest.h>

namespace chirp::loadgen {
namespace {

TEST(Accounts, ParsesIdUsernameAndToken) {
  auto accounts = ParseAccounts(
      "# account_id username token\n"
      "111 user0 tokA\n"
      "\n"
      "222\tuser1   tokB\r\n");
  ASSERT_TRUE(accounts.ok()) << accounts.error().message;
  ASSERT_EQ(accounts->size(), 2u);
  EXPECT_EQ((*accounts)[0].id, 111);
  EXPECT_EQ((*accounts)[0].username, "user0");
  EXPECT_EQ((*accounts)[0].token, "tokA");
  EXPECT_EQ((*accounts)[1].id, 222);
  EXPECT_EQ((*accounts)[1].token, "tokB");
}

TEST(Accounts, NamesTheBadLine) {
  auto accounts = ParseAccounts("1 a t\nnot-a-number b t\n");
  ASSERT_FALSE(accounts.ok());
  EXPECT_NE(accounts.error().message.find("line 2"), std::string::npos);
  EXPECT_FALSE(ParseAccounts("1 only-two\n").ok());
  EXPECT_FALSE(ParseAccounts("1 a t extra\n").ok());
}

TEST(Accounts, MissingFileIsUnavailable) {
  auto accounts = LoadAccounts(testing::TempDir() + "/no-such-tokens-file");
  ASSERT_FALSE(accounts.ok());
  EXPECT_EQ(accounts.error().code, ErrorCode::kUnavailable);
}

TEST(IdRange, ParsesInclusiveRanges) {
  auto range = ParseIdRange("10-19");
  ASSERT_TRUE(range.ok());
  EXPECT_EQ(range->first, 10);
  EXPECT_EQ(range->last, 19);
  EXPECT_EQ(range->size(), 10u);
  EXPECT_FALSE(ParseIdRange("19-10").ok());
  EXPECT_FALSE(ParseIdRange("10").ok());
  EXPECT_FALSE(ParseIdRange("a-b").ok());
  EXPECT_TRUE(IdRange{}.empty());
}

}  // namespace
}  // namespace chirp::loadgen
