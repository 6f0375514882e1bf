#include "timeline/author_merge.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

class AuthorMergeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    temp_ = std::make_unique<TempStore>(
        std::string("author-merge-") +
            ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        40);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    store_ = &temp_->store();
  }
  void Post(int64_t id, int64_t author) {
    StatusRecord s;
    s.id = id;
    s.account_id = author;
    s.text = "post";
    ASSERT_TRUE(store_->CreateStatus(s, "", 0).ok());
  }
  // Every post the merge gives, as "author:id", newest first.
  static std::vector<std::string> Drain(AuthorMerge& merge, size_t most = 1000) {
    std::vector<std::string> out;
    while (out.size() < most) {
      auto item = merge.Next();
      EXPECT_TRUE(item.ok());
      if (!item.ok() || !*item) break;
      EXPECT_NE((*item)->mentions, nullptr);
      out.push_back(std::to_string((*item)->author) + ":" +
                    std::to_string((*item)->post->status_id));
    }
    return out;
  }

  std::unique_ptr<TempStore> temp_;
  SqliteStore* store_ = nullptr;
};

TEST_F(AuthorMergeTest, MergesAuthorsNewestFirstAcrossBatches) {
  for (int64_t id : {10, 13, 16, 19}) Post(id, 1);
  for (int64_t id : {11, 12, 17}) Post(id, 2);
  for (int64_t id : {14, 15, 18}) Post(id, 3);
  AuthorPosts posts(*store_, 100, 1000);
  AuthorMerge merge(posts, *store_, 2, 0);  // two posts of an author at a time
  for (int64_t author : {1, 2, 3}) ASSERT_TRUE(merge.Add(author).ok());
  EXPECT_EQ(Drain(merge), (std::vector<std::string>{"1:19", "3:18", "2:17", "1:16", "3:15", "3:14",
                                                    "1:13", "2:12", "2:11", "1:10"}));
}

// Enough authors for a heap of several levels, their posts interleaved
// unevenly, some read from memory and some from the store in batches.
TEST_F(AuthorMergeTest, MergesManyAuthorsInExactlyTheOrderOfTheirIds) {
  std::vector<std::string> expected;
  uint64_t x = 7;
  for (int64_t id = 100; id < 700; ++id) {
    x = x * 6364136223846793005ULL + 1442695040888963407ULL;
    const int64_t author = 1 + static_cast<int64_t>((x >> 33) % 37);
    Post(id, author);
    expected.push_back(std::to_string(author) + ":" + std::to_string(id));
  }
  std::reverse(expected.begin(), expected.end());
  AuthorPosts posts(*store_, 8, 1000);  // each author's 8 newest in memory
  AuthorMerge merge(posts, *store_, 5, 0);
  for (int64_t author = 1; author <= 40; ++author) ASSERT_TRUE(merge.Add(author).ok());  // 38..40: none
  EXPECT_EQ(Drain(merge), expected);
}

TEST_F(AuthorMergeTest, ReadsBelowWhatMemoryHoldsFromTheStore) {
  for (int64_t id = 10; id <= 19; ++id) Post(id, 1);
  for (int64_t id = 20; id <= 21; ++id) Post(id, 2);
  AuthorPosts posts(*store_, 3, 1000);  // holds author 1's 17..19 only
  AuthorMerge merge(posts, *store_, 3, 0);
  ASSERT_TRUE(merge.Add(1).ok());
  ASSERT_TRUE(merge.Add(2).ok());
  const std::vector<std::string> all = Drain(merge);
  ASSERT_EQ(all.size(), 12u);
  EXPECT_EQ(all.front(), "2:21");
  EXPECT_EQ(all[2], "1:19");
  EXPECT_EQ(all.back(), "1:10");
}

// A merge walks the list it took; a status pushed meanwhile publishes a
// new list, seen by the merges that start after it.
TEST_F(AuthorMergeTest, WalksTheListItTookWhileAPushPublishesANewOne) {
  for (int64_t id = 10; id <= 12; ++id) Post(id, 1);
  AuthorPosts posts(*store_, 100, 1000);
  AuthorMerge merge(posts, *store_, 2, 0);
  ASSERT_TRUE(merge.Add(1).ok());
  EXPECT_EQ(Drain(merge, 1), std::vector<std::string>{"1:12"});
  StatusRecord pushed;
  pushed.id = 13;
  pushed.account_id = 1;
  Post(13, 1);
  posts.Push(pushed, 0);
  EXPECT_EQ(Drain(merge), (std::vector<std::string>{"1:11", "1:10"}));
  AuthorMerge later(posts, *store_, 2, 0);
  ASSERT_TRUE(later.Add(1).ok());
  EXPECT_EQ(Drain(later), (std::vector<std::string>{"1:13", "1:12", "1:11", "1:10"}));
}

TEST_F(AuthorMergeTest, StartsBelowTheBoundAndStopsWhereTheCallerStops) {
  for (int64_t id = 10; id <= 19; ++id) Post(id, id % 2 == 0 ? 1 : 2);
  AuthorPosts posts(*store_, 100, 1000);
  AuthorMerge merge(posts, *store_, 4, 15);
  ASSERT_TRUE(merge.Add(1).ok());
  ASSERT_TRUE(merge.Add(2).ok());
  ASSERT_TRUE(merge.Add(3).ok());  // no posts: never given
  EXPECT_EQ(Drain(merge, 3), (std::vector<std::string>{"1:14", "2:13", "1:12"}));
  EXPECT_EQ(Drain(merge), (std::vector<std::string>{"2:11", "1:10"}));
  EXPECT_EQ(Drain(merge), std::vector<std::string>{});
}

}  // namespace
}  // namespace chirp
