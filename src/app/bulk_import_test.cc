#include "app/bulk_import.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "store/sqlite/temp_store.h"

namespace chirp {
namespace {

constexpr int64_t kDay = 86'400'000;
constexpr int64_t kNow = 1'790'000'000'000;

class BulkImportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    temp_ = std::make_unique<TempStore>("import-" + name, 3);  // user1..user3
    ASSERT_TRUE(temp_->ok()) << temp_->error();
    file_ = std::filesystem::path(testing::TempDir()) / ("bulk-import-" + name);
  }
  void TearDown() override { std::filesystem::remove(file_); }

  void Write(const std::string& text) { std::ofstream(file_, std::ios::binary) << text; }

  std::vector<StatusRecord> StatusesOf(int64_t account) {
    AccountStatusFilter all;
    all.visibilities = {Visibility::kPublic};
    std::vector<StatusRecord> out;
    auto listed = store().ListAccountStatuses(account, all, {.limit = 40});
    EXPECT_TRUE(listed.ok());
    if (listed) {
      for (auto& paged : *listed) out.push_back(std::move(paged.item));
    }
    return out;
  }

  SqliteStore& store() { return temp_->store(); }

  std::unique_ptr<TempStore> temp_;
  std::filesystem::path file_;
};

TEST_F(BulkImportTest, StatusesBecomeEachAccountsHistoryWithIdsFromTheirTimes) {
  Write(
      "# chirp-bench generate-statuses accounts=2\n"
      "1\t" +
      std::to_string(kNow - 3 * kDay) + "\tfirst of one #Chirp https://example.com/a\n" + "1\t" +
      std::to_string(kNow - kDay) + "\tsecond of one, for @user2\n" + "2\t" +
      std::to_string(kNow - 2 * kDay) + "\tonly of two\n");
  StatusImport options{.statuses_path = file_.string(), .base_url = "https://chirp.example/"};
  auto imported = ImportStatuses(store(), options);
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->statuses, 3);
  EXPECT_EQ(imported->malformed, 0);
  EXPECT_EQ(imported->unknown_account, 0);

  const std::vector<StatusRecord> one = StatusesOf(1);
  ASSERT_EQ(one.size(), 2u);
  EXPECT_EQ(one[0].text, "second of one, for @user2");  // newest first
  EXPECT_EQ(one[1].text, "first of one #Chirp https://example.com/a");
  EXPECT_EQ(SnowflakeGenerator::MillisOf(one[0].id), kNow - kDay);
  EXPECT_EQ(one[0].created_at_ms, kNow - kDay);
  EXPECT_EQ(SnowflakeGenerator::MillisOf(one[1].id), kNow - 3 * kDay);
  EXPECT_EQ(one[1].visibility, Visibility::kPublic);
  // Rendered as a post is, with the base URL given.
  EXPECT_NE(one[1].content.find("href=\"https://chirp.example/tags/Chirp\""), std::string::npos)
      << one[1].content;
  EXPECT_NE(one[1].content.find("href=\"https://example.com/a\""), std::string::npos);
  EXPECT_EQ(one[1].tags, (std::vector<std::string>{"chirp"}));
  EXPECT_NE(one[0].content.find("href=\"https://chirp.example/@user2\""), std::string::npos);
  EXPECT_EQ(one[0].mentioned_account_ids, (std::vector<int64_t>{2}));

  const Account account = store().FindAccount(1).value();
  EXPECT_EQ(account.statuses_count, 2);
  EXPECT_EQ(account.last_status_at_ms, kNow - kDay);
  EXPECT_EQ(store().FindAccount(2)->statuses_count, 1);
  EXPECT_EQ(store().FindAccount(3)->statuses_count, 0);
}

TEST_F(BulkImportTest, StatusesOfOneMillisecondAllArrive) {
  std::string text;
  for (int i = 0; i < 5; ++i) text += "3\t" + std::to_string(kNow) + "\tsame time\n";
  Write(text);
  auto imported = ImportStatuses(store(), {.statuses_path = file_.string()});
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->statuses, 5);
  const std::vector<StatusRecord> three = StatusesOf(3);
  ASSERT_EQ(three.size(), 5u);
  for (const StatusRecord& s : three) EXPECT_EQ(SnowflakeGenerator::MillisOf(s.id), kNow);
}

TEST_F(BulkImportTest, MalformedLinesAndUnknownAccountsAreCountedAndSkipped) {
  const std::string at = std::to_string(kNow);
  Write("1\t" + at + "\tkept\n" +            // the only good line
        "9\t" + at + "\tno user9\n" +        // unknown account
        "1 " + at + " spaces, not tabs\n" +  // malformed from here on
        "x\t" + at + "\tnot a number\n" + "1\t" + at + "\t   \n" + "1\t1000\tbefore 2020\n" +
        "1\t" + at + "\t" + std::string(281, 'a') + "\n" + "# a comment, not first\n");
  auto imported = ImportStatuses(store(), {.statuses_path = file_.string()});
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->statuses, 1);
  EXPECT_EQ(imported->unknown_account, 1);
  EXPECT_EQ(imported->malformed, 6);
  EXPECT_EQ(StatusesOf(1).size(), 1u);
}

TEST_F(BulkImportTest, MissingStatusFileIsUnavailable) {
  auto imported = ImportStatuses(store(), {.statuses_path = file_.string() + ".missing"});
  EXPECT_EQ(imported.error().code, ErrorCode::kUnavailable);
}

TEST_F(BulkImportTest, GraphImportAddsFollowsBothWaysUnlessOneWay) {
  Write("# comment\n1 2\n5 1\n");
  SystemClock clock;
  SnowflakeGenerator ids(clock, 1);
  auto imported = ImportGraph(store(), ids, clock, {.edges_path = file_.string()});
  ASSERT_TRUE(imported.ok()) << imported.error().message;
  EXPECT_EQ(imported->accounts, 3);  // user1 and user2 existed; user5 is new
  EXPECT_EQ(imported->follows, 4);
  const Account five = store().FindAccountByUsername("user5").value();
  EXPECT_EQ(five.followers_count, 1);
  EXPECT_EQ(five.following_count, 1);
  EXPECT_EQ(store().FindAccount(1)->followers_count, 2);

  Write("2 3\n");
  imported = ImportGraph(store(), ids, clock, {.edges_path = file_.string(), .one_way = true});
  ASSERT_TRUE(imported.ok());
  EXPECT_EQ(imported->follows, 1);
  EXPECT_TRUE(store().FindFollow(2, 3)->has_value());
  EXPECT_FALSE(store().FindFollow(3, 2)->has_value());
}

}  // namespace
}  // namespace chirp
