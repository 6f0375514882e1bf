#include "app/command_support.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/clock.h"
#include "search/sqlite_search_index.h"
#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

// A store with one status and a search index beside it, for what chirpd's
// start does with the index.
class SearchIndexStartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    temp_ = std::make_unique<TempStore>("search-start-" + name, 2);
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    dir_ = std::filesystem::temp_directory_path() /
           ("chirp-search-start-" + name + "-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto index = SqliteSearchIndex::Open((dir_ / "search.db").string(), {.readers = 1});
    ASSERT_TRUE(index.ok()) << index.error().message;
    index_ = std::move(index).value();
    StatusRecord s{.id = 100, .account_id = 1, .text = "hello", .created_at_ms = 1};
    ASSERT_TRUE(temp_->store().CreateStatus(s, "", 0).ok());
  }
  void TearDown() override {
    index_.reset();
    std::filesystem::remove_all(dir_);
  }
  bool Indexed() { return *index_->HoldsStatuses(); }

  ManualClock clock_{1000};
  std::unique_ptr<TempStore> temp_;
  std::filesystem::path dir_;
  std::unique_ptr<SqliteSearchIndex> index_;
};

TEST_F(SearchIndexStartTest, AFirstStartBuildsTheIndexAndTheNextDoesNot) {
  ASSERT_TRUE(PrepareSearchIndex(temp_->store(), *index_, clock_).ok());
  EXPECT_TRUE(Indexed());
  ASSERT_TRUE(index_->Clear().ok());
  // Saved at the outbox's end: kept, even while the outbox is empty (0).
  ASSERT_TRUE(temp_->store().SaveCursor(kSearchIndexerLane, 0, 1, 0).ok());
  ASSERT_TRUE(index_
                  ->Write([](SearchIndexWriter& w) {
                    return w.PutStatus({.id = 7, .author_id = 1, .text = "x"});
                  })
                  .ok());
  ASSERT_TRUE(PrepareSearchIndex(temp_->store(), *index_, clock_).ok());
  EXPECT_EQ(*index_->CountStatuses(), 1) << "not rebuilt";
}

TEST_F(SearchIndexStartTest, ARunWithoutSearchLeavesTheIndexToBeRebuilt) {
  ASSERT_TRUE(PrepareSearchIndex(temp_->store(), *index_, clock_).ok());
  ASSERT_TRUE(index_->Clear().ok());
  ASSERT_TRUE(index_
                  ->Write([](SearchIndexWriter& w) {
                    return w.PutStatus({.id = 7, .author_id = 1, .text = "x"});
                  })
                  .ok());
  ASSERT_TRUE(MarkSearchIndexStale(temp_->store(), clock_).ok());
  EXPECT_EQ(**temp_->store().LoadCursor(kSearchIndexerLane), kStaleSearchCursor);
  ASSERT_TRUE(PrepareSearchIndex(temp_->store(), *index_, clock_).ok());
  EXPECT_EQ(*index_->CountStatuses(), 1);
  auto found = index_->FindStatuses({.query = {.words = {"hello"}}, .viewer_id = 1});
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, std::vector<int64_t>{100}) << "rebuilt from the store";
  EXPECT_GE(**temp_->store().LoadCursor(kSearchIndexerLane), 0);
}

}  // namespace
}  // namespace chirp
