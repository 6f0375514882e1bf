#include "social/status_reads.h"

#include <gtest/gtest.h>

#include "social/service_test_support.h"

namespace chirp {
namespace {

class StatusReadsTest : public ServiceTest {
 protected:
  // Posts a public status of `account` replying to `parent` (0: none).
  int64_t Reply(int64_t account, int64_t parent) {
    StatusRecord s{.id = ids_.Next(),
                   .account_id = account,
                   .text = "reply",
                   .in_reply_to_id = parent,
                   .in_reply_to_account_id = parent == 0 ? 0 : account,
                   .created_at_ms = clock_.NowMillis()};
    EXPECT_TRUE(store_->CreateStatus(s, "", 0).ok());
    return s.id;
  }
};

TEST_F(StatusReadsTest, DescendantsComeDepthFirstEachReplyBeforeItsOwnReplies) {
  StatusReads reads(*store_, *lookups_, *lookups_, *readers_);
  const int64_t root = Reply(2, 0);
  const int64_t a = Reply(2, root);
  const int64_t b = Reply(3, root);
  const int64_t a1 = Reply(3, a);
  const int64_t a1x = Reply(2, a1);
  const int64_t b1 = Reply(2, b);
  auto thread = reads.Context(1, root);
  ASSERT_TRUE(thread.ok()) << thread.error().message;
  EXPECT_EQ(thread->descendants, (std::vector<int64_t>{a, a1, a1x, b, b1}));
  auto from_leaf = reads.Context(1, a1x);
  ASSERT_TRUE(from_leaf.ok());
  EXPECT_EQ(from_leaf->ancestors, (std::vector<int64_t>{root, a, a1}));
}

// A thread thousands of levels deep is walked without recursion, within
// the limits: as deep as it goes for an account, 20 levels anonymously.
TEST_F(StatusReadsTest, ADeepChainIsReadToItsLimits) {
  StatusReads reads(*store_, *lookups_, *lookups_, *readers_);
  constexpr int kDepth = 3000;
  std::vector<int64_t> chain{Reply(2, 0)};
  for (int i = 1; i < kDepth; ++i) chain.push_back(Reply(i % 2 == 0 ? 2 : 3, chain.back()));
  auto signed_in = reads.Context(1, chain.front());
  ASSERT_TRUE(signed_in.ok()) << signed_in.error().message;
  EXPECT_EQ(signed_in->descendants.size(), static_cast<size_t>(kDepth - 1));
  EXPECT_EQ(signed_in->descendants.back(), chain.back());
  auto anonymous = reads.Context(0, chain.front());
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->descendants.size(),
            static_cast<size_t>(StatusReads::kAnonymousDescendantDepthLimit));
  auto up = reads.Context(0, chain.back());
  ASSERT_TRUE(up.ok());
  EXPECT_EQ(up->ancestors.size(), static_cast<size_t>(StatusReads::kAnonymousAncestorLimit));
  EXPECT_EQ(up->ancestors.back(), chain[kDepth - 2]);  // the nearest ones
}

}  // namespace
}  // namespace chirp
