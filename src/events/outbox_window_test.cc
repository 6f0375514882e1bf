#include "events/outbox_window.h"

#include <gtest/gtest.h>

#include "events/test_consumers.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

class OutboxWindowTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // No accounts: the outbox's ids start at 1.
    temp_ = std::make_unique<TempStore>(
        std::string("window-") + ::testing::UnitTest::GetInstance()->current_test_info()->name(),
        0);
    ASSERT_TRUE(temp_->ok());
  }
  std::vector<int64_t> Ids(OutboxWindow& window, int64_t after, int limit) {
    auto events = window.Read(after, limit);
    EXPECT_TRUE(events.ok());
    std::vector<int64_t> ids;
    if (events.ok()) {
      for (const OutboxEvent& e : *events) ids.push_back(e.id);
    }
    return ids;
  }
  std::unique_ptr<TempStore> temp_;
};

TEST_F(OutboxWindowTest, LanesCloseBehindEachOtherShareOneStoreRead) {
  OutboxWindow window(temp_->store());
  window.FollowCommits(true);
  AppendEvents(temp_->store(), 5);
  window.NoteCommit();
  EXPECT_EQ(Ids(window, 0, 3), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(window.store_reads(), 1u);
  EXPECT_EQ(Ids(window, 0, 10), (std::vector<int64_t>{1, 2, 3, 4, 5}));  // another lane
  EXPECT_EQ(Ids(window, 3, 10), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(window.store_reads(), 1u);
  // Caught up, and no commit since: nothing is read.
  EXPECT_TRUE(Ids(window, 5, 10).empty());
  EXPECT_EQ(window.store_reads(), 1u);
  AppendEvents(temp_->store(), 2);
  window.NoteCommit();
  EXPECT_EQ(Ids(window, 5, 10), (std::vector<int64_t>{6, 7}));
  EXPECT_EQ(Ids(window, 4, 10), (std::vector<int64_t>{5, 6, 7}));
  EXPECT_EQ(window.store_reads(), 2u);
}

TEST_F(OutboxWindowTest, WithoutCommitsToFollowEveryReadAtTheEndAsksTheStore) {
  OutboxWindow window(temp_->store());
  AppendEvents(temp_->store(), 2);
  EXPECT_EQ(Ids(window, 0, 10), (std::vector<int64_t>{1, 2}));
  AppendEvents(temp_->store(), 1);  // no NoteCommit: nobody listens
  EXPECT_EQ(Ids(window, 2, 10), (std::vector<int64_t>{3}));
}

TEST_F(OutboxWindowTest, ALaneBehindTheWindowReadsTheStoreItself) {
  OutboxWindow window(temp_->store(), /*capacity=*/2);
  window.FollowCommits(true);
  AppendEvents(temp_->store(), 4);
  window.NoteCommit();
  EXPECT_EQ(Ids(window, 0, 10), (std::vector<int64_t>{1, 2, 3, 4}));  // keeps 3 and 4
  const uint64_t reads = window.store_reads();
  EXPECT_EQ(Ids(window, 1, 10), (std::vector<int64_t>{2, 3, 4}));
  EXPECT_EQ(window.store_reads(), reads + 1);
  EXPECT_EQ(Ids(window, 2, 10), (std::vector<int64_t>{3, 4}));
  EXPECT_EQ(window.store_reads(), reads + 1);
}

}  // namespace
}  // namespace chirp
