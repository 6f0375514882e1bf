#include "timeline/home_rules.h"

#include <gtest/gtest.h>

namespace chirp {
namespace {

constexpr int64_t kReader = 1;
constexpr int64_t kAuthor = 2;
constexpr int64_t kOther = 3;

StatusRecord Post(Visibility v = Visibility::kPublic) {
  StatusRecord s;
  s.id = 100;
  s.account_id = kAuthor;
  s.visibility = v;
  return s;
}

TEST(HomeRules, OwnStatusesAlwaysAppear) {
  StatusRecord s = Post(Visibility::kDirect);
  s.account_id = kReader;
  EXPECT_TRUE(BelongsInHome(s, {kReader}));
}

TEST(HomeRules, RepliesNeedTheReaderToFollowBoth) {
  StatusRecord reply = Post();
  reply.in_reply_to_id = 50;
  reply.in_reply_to_account_id = kOther;
  EXPECT_FALSE(BelongsInHome(reply, {kReader, true, false}));
  EXPECT_TRUE(BelongsInHome(reply, {kReader, true, true}));
  reply.mentioned_account_ids = {kReader};
  EXPECT_TRUE(BelongsInHome(reply, {kReader, true, false}));  // unless it mentions the reader
}

TEST(HomeRules, RepliesToTheReaderOrToOneselfAppear) {
  StatusRecord reply = Post();
  reply.in_reply_to_id = 50;
  reply.in_reply_to_account_id = kReader;
  EXPECT_TRUE(BelongsInHome(reply, {kReader, true, false}));
  reply.in_reply_to_account_id = kAuthor;  // a thread
  EXPECT_TRUE(BelongsInHome(reply, {kReader, true, false}));
}

TEST(HomeRules, ReblogsFollowTheFollowSetting) {
  StatusRecord reblog = Post();
  reblog.reblog_of_id = 50;
  EXPECT_TRUE(BelongsInHome(reblog, {kReader, true, false}, kOther));
  EXPECT_FALSE(BelongsInHome(reblog, {kReader, false, false}, kOther));
  EXPECT_FALSE(
      BelongsInHome(reblog, {kReader, true, false}, kReader));  // not one's own status back
}

TEST(HomeRules, DirectStatusesOnlyForTheMentioned) {
  StatusRecord dm = Post(Visibility::kDirect);
  EXPECT_FALSE(BelongsInHome(dm, {kReader}));
  dm.mentioned_account_ids = {kReader};
  EXPECT_TRUE(BelongsInHome(dm, {kReader}));
}

}  // namespace
}  // namespace chirp
