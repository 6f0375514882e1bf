// The search index's contract (search/search_index.h), against each
// implementation: SQLite FTS5 in a temporary file, and PostgreSQL on the
// test server (store/postgres/pg_test_server.h), in a database of its own
// with the store's schema.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "core/snowflake.h"
#include "search/pg_search_index.h"
#include "search/sqlite_search_index.h"
#include "store/postgres/pg_test_server.h"

namespace chirp {
namespace {

constexpr int64_t kDay = 24 * 3600 * 1000;
constexpr int64_t kJan1 = 1704067200000;  // 2024-01-01T00:00:00Z

enum class SearchIndexKind { kSqlite, kPostgres };

std::string KindName(const ::testing::TestParamInfo<SearchIndexKind>& info) {
  return info.param == SearchIndexKind::kSqlite ? "Sqlite" : "Postgres";
}

class SearchIndexTest : public ::testing::TestWithParam<SearchIndexKind> {
 protected:
  void SetUp() override {
    std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::replace(name.begin(), name.end(), '/', '-');
    if (GetParam() == SearchIndexKind::kSqlite) {
      dir_ = std::filesystem::temp_directory_path() /
             ("chirp-search-" + name + "-" + std::to_string(::getpid()));
      std::filesystem::remove_all(dir_);
      std::filesystem::create_directories(dir_);
      auto opened = SqliteSearchIndex::Open((dir_ / "search.db").string(), {.readers = 2});
      ASSERT_TRUE(opened.ok()) << opened.error().message;
      index_ = std::move(opened).value();
      return;
    }
    auto server = PgTestServer::Get();
    ASSERT_TRUE(server.ok()) << server.error().message;
    auto conninfo = (*server)->CreateDatabase();
    ASSERT_TRUE(conninfo.ok()) << conninfo.error().message;
    auto opened = PgSearchIndex::Open({.conn = {.conninfo = *conninfo}, .connections = 2});
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    index_ = std::move(opened).value();
  }
  void TearDown() override {
    index_.reset();
    if (!dir_.empty()) std::filesystem::remove_all(dir_);
  }

  // A status by `author` on day `day` after 2024-01-01, the n-th of that day.
  int64_t Put(int64_t author, std::string text, Visibility visibility = Visibility::kPublic,
              int day = 0, std::vector<std::string> tags = {}, uint32_t features = 0,
              std::vector<int64_t> mentioned = {}) {
    const int64_t id = SnowflakeGenerator::IdAt(kJan1 + day * kDay + (++sequence_) * 1000, 1, 0);
    IndexedStatus s{.id = id,
                    .author_id = author,
                    .visibility = visibility,
                    .features = features,
                    .language = "en",
                    .text = std::move(text),
                    .tags = std::move(tags),
                    .mentioned_ids = std::move(mentioned)};
    EXPECT_TRUE(index_->Write([&](SearchIndexWriter& w) { return w.PutStatus(s); }).ok());
    return id;
  }

  std::vector<int64_t> Find(int64_t viewer, const SearchQuery& query, int limit = 20) {
    StatusSearch search{.query = query, .viewer_id = viewer, .limit = limit};
    auto found = index_->FindStatuses(search);
    EXPECT_TRUE(found.ok()) << found.error().message;
    return found.ok() ? *found : std::vector<int64_t>{};
  }
  static SearchQuery Words(std::vector<std::string> words) {
    SearchQuery q;
    q.words = std::move(words);
    return q;
  }

  std::filesystem::path dir_;
  std::unique_ptr<SearchIndex> index_;
  int sequence_ = 0;
};

TEST_P(SearchIndexTest, WordsMatchWhateverTheirCaseAndAccentsNewestFirst) {
  const int64_t a = Put(1, "Un café à Paris");
  const int64_t b = Put(2, "CAFE society");
  Put(3, "tea only");
  EXPECT_EQ(Find(9, Words({"cafe"})), (std::vector<int64_t>{b, a}));
  EXPECT_EQ(Find(9, Words({"Café", "paris"})), (std::vector<int64_t>{a}));
}

TEST_P(SearchIndexTest, PhrasesNeedTheirWordsInOrder) {
  const int64_t a = Put(1, "the quick brown fox");
  Put(1, "brown quick");
  SearchQuery q;
  q.phrases = {"quick brown"};
  EXPECT_EQ(Find(9, q), (std::vector<int64_t>{a}));
}

TEST_P(SearchIndexTest, ExcludedWordsAndTagsLeaveOut) {
  const int64_t a = Put(1, "cats and dogs", Visibility::kPublic, 0, {"pets"});
  const int64_t b = Put(1, "cats only");
  SearchQuery q = Words({"cats"});
  q.excluded_words = {"dogs"};
  EXPECT_EQ(Find(9, q), (std::vector<int64_t>{b}));
  SearchQuery only_negative;
  only_negative.excluded_words = {"only"};
  EXPECT_EQ(Find(9, only_negative), (std::vector<int64_t>{a}));
  SearchQuery no_tag = Words({"cats"});
  no_tag.excluded_tags = {"pets"};
  EXPECT_EQ(Find(9, no_tag), (std::vector<int64_t>{b}));
}

TEST_P(SearchIndexTest, TagsMatchTheTagNotTheWord) {
  const int64_t tagged = Put(1, "#rust is fun", Visibility::kPublic, 0, {"rust"});
  Put(1, "rust on my bike");
  SearchQuery q;
  q.tags = {"rust"};
  EXPECT_EQ(Find(9, q), (std::vector<int64_t>{tagged}));
}

TEST_P(SearchIndexTest, CjkTextIsFoundBySubstring) {
  const int64_t a = Put(1, "今日は東京タワーに行った");
  EXPECT_EQ(Find(9, Words({"東京タワー"})), (std::vector<int64_t>{a}));
  EXPECT_EQ(Find(9, Words({"タワ"})), (std::vector<int64_t>{a}));
  EXPECT_EQ(Find(9, Words({"京"})), (std::vector<int64_t>{a}));
  EXPECT_EQ(Find(9, Words({"た"})), (std::vector<int64_t>{a}));
  EXPECT_TRUE(Find(9, Words({"大阪"})).empty());
}

TEST_P(SearchIndexTest, StrangersFindOnlyPublicStatusesOfIndexableAuthors) {
  const int64_t open = Put(1, "word");
  Put(1, "word", Visibility::kUnlisted);
  const int64_t followers = Put(1, "word", Visibility::kPrivate);
  const int64_t direct = Put(1, "word", Visibility::kDirect, 0, {}, 0, {5});
  EXPECT_EQ(Find(9, Words({"word"})), (std::vector<int64_t>{open}));
  // The author finds all of them; a mentioned account its direct status.
  EXPECT_EQ(Find(1, Words({"word"})).size(), 4u);
  EXPECT_EQ(Find(5, Words({"word"})), (std::vector<int64_t>{direct, open}));
  // Favouriting puts a status in one's library, unfavouriting takes it out.
  ASSERT_TRUE(index_
                  ->Write([&](SearchIndexWriter& w) {
                    return w.AddToLibrary(9, followers, kLibraryFavourite);
                  })
                  .ok());
  EXPECT_EQ(Find(9, Words({"word"})), (std::vector<int64_t>{followers, open}));
  ASSERT_TRUE(index_
                  ->Write([&](SearchIndexWriter& w) -> Status {
                    if (Status s = w.AddToLibrary(9, followers, kLibraryReblog); !s) return s;
                    return w.RemoveFromLibrary(9, followers, kLibraryFavourite);
                  })
                  .ok());
  EXPECT_EQ(Find(9, Words({"word"})).size(), 2u) << "still reblogged";
  // An author who is not indexable: their public statuses are found by
  // their library only.
  ASSERT_TRUE(index_
                  ->Write([&](SearchIndexWriter& w) {
                    return w.PutAccount({.id = 1, .username = "one", .indexable = false});
                  })
                  .ok());
  EXPECT_EQ(Find(9, Words({"word"})), (std::vector<int64_t>{followers}));
  SearchQuery in_public = Words({"word"});
  in_public.scope = SearchScope::kPublic;
  EXPECT_TRUE(Find(9, in_public).empty());
  SearchQuery in_library = Words({"word"});
  in_library.scope = SearchScope::kLibrary;
  EXPECT_EQ(Find(9, in_library), (std::vector<int64_t>{followers}));
}

TEST_P(SearchIndexTest, TheLibraryIsSearchedNewestFirst) {
  const int64_t oldest = Put(9, "mine");
  const int64_t favourited = Put(1, "mine too", Visibility::kPrivate);
  const int64_t newest = Put(9, "mine again");
  ASSERT_TRUE(index_
                  ->Write([&](SearchIndexWriter& w) {
                    return w.AddToLibrary(9, favourited, kLibraryFavourite);
                  })
                  .ok());
  SearchQuery q = Words({"mine"});
  q.scope = SearchScope::kLibrary;
  EXPECT_EQ(Find(9, q), (std::vector<int64_t>{newest, favourited, oldest}));
  EXPECT_EQ(Find(9, q, 2), (std::vector<int64_t>{newest, favourited}));
}

TEST_P(SearchIndexTest, AnonymousReadersFindNoStatuses) {
  Put(1, "word");
  EXPECT_TRUE(Find(0, Words({"word"})).empty());
}

TEST_P(SearchIndexTest, RemovedStatusesAreGoneWithTheirTagsAndLibraries) {
  const int64_t id = Put(1, "word", Visibility::kDirect, 0, {"tag"}, 0, {5});
  EXPECT_TRUE(*index_->HoldsStatuses());
  ASSERT_TRUE(index_->Write([&](SearchIndexWriter& w) { return w.RemoveStatus(id); }).ok());
  EXPECT_FALSE(*index_->HoldsStatuses());
  EXPECT_TRUE(Find(5, Words({"word"})).empty());
  SearchQuery tag;
  tag.tags = {"tag"};
  EXPECT_TRUE(Find(1, tag).empty());
  EXPECT_EQ(*index_->CountStatuses(), 0);
}

TEST_P(SearchIndexTest, OperatorsFilterByAuthorFeaturesLanguageAndDay) {
  const int64_t first = Put(1, "news", Visibility::kPublic, 0, {}, kHasLink);
  const int64_t second = Put(2, "news", Visibility::kPublic, 1, {}, kIsReply);
  const int64_t third = Put(1, "news", Visibility::kPublic, 2, {}, kHasLink | kIsSensitive);
  StatusSearch from{.query = Words({"news"}), .viewer_id = 9, .from_ids = {1}};
  EXPECT_EQ(*index_->FindStatuses(from), (std::vector<int64_t>{third, first}));
  StatusSearch not_from{.query = Words({"news"}), .viewer_id = 9, .excluded_from_ids = {1}};
  EXPECT_EQ(*index_->FindStatuses(not_from), (std::vector<int64_t>{second}));
  SearchQuery links = Words({"news"});
  links.required_features = kHasLink;
  links.excluded_features = kIsSensitive;
  EXPECT_EQ(Find(9, links), (std::vector<int64_t>{first}));
  SearchQuery during = Words({"news"});
  during.created_after_ms = kJan1 + kDay;
  during.created_before_ms = kJan1 + 2 * kDay;
  EXPECT_EQ(Find(9, during), (std::vector<int64_t>{second}));
  SearchQuery french = Words({"news"});
  french.languages = {"fr"};
  EXPECT_TRUE(Find(9, french).empty());
  // Without words: the author's statuses, and pages by id.
  SearchQuery none;
  StatusSearch all_of_one{.query = none, .viewer_id = 9, .from_ids = {1}, .max_id = third};
  EXPECT_EQ(*index_->FindStatuses(all_of_one), (std::vector<int64_t>{first}));
}

TEST_P(SearchIndexTest, AStatusIndexedTwiceCountsOnceInItsTagsHistory) {
  const int64_t id = Put(1, "x", Visibility::kPublic, 0, {"once"});
  IndexedStatus again{.id = id, .author_id = 1, .text = "x", .tags = {"once"}};
  ASSERT_TRUE(index_->Write([&](SearchIndexWriter& w) { return w.PutStatus(again); }).ok());
  Put(1, "y", Visibility::kPublic, 0, {"once"});
  auto history = index_->TagHistory("once", kJan1 + 5000, 1);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ((*history)[0].uses, 2);
  EXPECT_EQ((*history)[0].accounts, 1);
}

TEST_P(SearchIndexTest, IndexSyntaxInQueriesIsSearchedAsText) {
  const int64_t id = Put(1, "a NEAR b and c* d^e f:g");
  for (const char* word :
       {"NEAR(", "*", "^", ":", "AND", "\"", "c*", "(a OR b)", "f:g", "{text}"}) {
    auto found = index_->FindStatuses({.query = Words({word}), .viewer_id = 9});
    ASSERT_TRUE(found.ok()) << word << ": " << found.error().message;
  }
  EXPECT_EQ(Find(9, Words({"f:g"})), (std::vector<int64_t>{id}));
}

TEST_P(SearchIndexTest, AccountsByExactNameThenPrefixByFollowers) {
  ASSERT_TRUE(index_
                  ->Write([&](SearchIndexWriter& w) -> Status {
                    for (const IndexedAccount& a :
                         {IndexedAccount{.id = 1, .username = "anna", .followers_count = 5},
                          IndexedAccount{.id = 2, .username = "annabel", .followers_count = 50},
                          IndexedAccount{.id = 3,
                          .username = "zed",
                          .display_name = "Anna Zed",
                          .followers_count = 10},
                          IndexedAccount{.id = 4, .username = "bob", .followers_count = 99}}) {
                      if (Status s = w.PutAccount(a); !s) return s;
                    }
                    return {};
                  })
                  .ok());
  EXPECT_EQ(*index_->FindAccounts({.prefix = "anna"}), (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(*index_->FindAccounts({.prefix = "@ann"}), (std::vector<int64_t>{2, 3, 1}));
  EXPECT_EQ(*index_->FindAccounts({.prefix = "ann", .limit = 1, .offset = 1}),
            (std::vector<int64_t>{3}));
  EXPECT_EQ(*index_->FindAccounts({.prefix = "ann", .only_ids = {1, 4}}),
            (std::vector<int64_t>{1}));
  // A renamed account is found by its new name only.
  ASSERT_TRUE(index_
                  ->Write([&](SearchIndexWriter& w) {
                    return w.PutAccount({.id = 3, .username = "zed", .display_name = "Zed"});
                  })
                  .ok());
  EXPECT_EQ(*index_->FindAccounts({.prefix = "ann"}), (std::vector<int64_t>{2, 1}));
}

TEST_P(SearchIndexTest, TagsByExactNameThenPrefixByLatestUseWithHistory) {
  Put(1, "x", Visibility::kPublic, 0, {"cats"});
  Put(2, "x", Visibility::kPublic, 1, {"cat"});
  Put(1, "x", Visibility::kPublic, 2, {"catsofchirp"});
  Put(1, "x", Visibility::kPublic, 2, {"cats"});
  Put(2, "x", Visibility::kPublic, 2, {"cats"});
  EXPECT_EQ(*index_->FindTags("cat", 10, 0),
            (std::vector<std::string>{"cat", "cats", "catsofchirp"}));
  EXPECT_EQ(*index_->FindTags("cats", 10, 0), (std::vector<std::string>{"cats", "catsofchirp"}));
  auto history = index_->TagHistory("cats", kJan1 + 2 * kDay + 5000, 3);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->size(), 3u);
  EXPECT_EQ((*history)[0].day_start_ms, kJan1 + 2 * kDay);
  EXPECT_EQ((*history)[0].uses, 2);
  EXPECT_EQ((*history)[0].accounts, 2);
  EXPECT_EQ((*history)[1].uses, 0);
  EXPECT_EQ((*history)[2].uses, 1);
}

INSTANTIATE_TEST_SUITE_P(Indexes, SearchIndexTest,
                         ::testing::Values(SearchIndexKind::kSqlite, SearchIndexKind::kPostgres),
                         KindName);

}  // namespace
}  // namespace chirp
