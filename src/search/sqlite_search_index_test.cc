// What only the SQLite index does: its walk of the text index within a
// budget, and the reader's own statuses found when the walk is cut short.
#include "search/sqlite_search_index.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "core/snowflake.h"

namespace chirp {
namespace {

constexpr int64_t kJan1 = 1704067200000;  // 2024-01-01T00:00:00Z

TEST(SqliteSearchIndexBudgetTest, ACommonWordTheReaderMayNotSeeStillFindsTheirOwn) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("chirp-search-budget-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  auto index = SqliteSearchIndex::Open((dir / "search.db").string(),
                                       {.readers = 1, .status_query_budget = 20'000});
  ASSERT_TRUE(index.ok());
  int64_t id = SnowflakeGenerator::IdAt(kJan1, 1, 0);
  const int64_t own = id;
  ASSERT_TRUE((*index)
                  ->Write([&](SearchIndexWriter& w) -> Status {
                    if (Status s = w.PutStatus({.id = own, .author_id = 9, .text = "common"}); !s)
                      return s;
                    // Newer statuses the reader may not find (followers-only),
                    // with one more of the reader's among them.
                    for (int i = 1; i <= 2000; ++i) {
                      Status s = w.PutStatus({.id = own + i,
                                              .author_id = i == 1000 ? 9 : 1,
                                              .visibility = Visibility::kPrivate,
                                              .text = "common word"});
                      if (!s) return s;
                    }
                    return {};
                  })
                  .ok());
  SearchQuery q;
  q.words = {"common"};
  auto found = (*index)->FindStatuses({.query = q, .viewer_id = 9});
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(*found, (std::vector<int64_t>{own + 1000, own}));
  index->reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chirp
