#include "status_gen.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <tuple>

namespace chirp::loadgen {
namespace {

using Generated = std::vector<std::tuple<uint32_t, int64_t, std::string>>;

constexpr int64_t kNow = 1'790'000'000'000;
constexpr int64_t kDayMs = 86'400'000;

Generated Generate(const StatusOptions& options) {
  Generated out;
  GenerateStatuses(options, [&](uint32_t account, int64_t at, std::string_view text) {
    out.emplace_back(account, at, std::string(text));
  });
  return out;
}

std::filesystem::path TempPath(const std::string& name) {
  return std::filesystem::path(testing::TempDir()) / ("status_gen_" + name);
}

TEST(StatusGenerator, SameOptionsGiveTheSameStatuses) {
  StatusOptions options{.accounts = {0, 1, 5}, .per_account = 50, .now_ms = kNow, .seed = 3};
  EXPECT_EQ(Generate(options), Generate(options));
  StatusOptions other = options;
  other.seed = 4;
  EXPECT_NE(Generate(options), Generate(other));
}

TEST(StatusGenerator, EachAccountGetsItsStatusesWithinTheDaysBeforeNowOldestFirst) {
  StatusOptions options{.accounts = {2, 7, 9}, .per_account = 100, .days = 7, .now_ms = kNow};
  const Generated got = Generate(options);
  ASSERT_EQ(got.size(), 300u);
  std::map<uint32_t, int> per_account;
  for (size_t i = 0; i < got.size(); ++i) {
    const auto& [account, at, text] = got[i];
    ++per_account[account];
    EXPECT_LT(at, kNow);
    EXPECT_GE(at, kNow - 7 * kDayMs);
    if (i > 0) {
      EXPECT_LE(std::get<1>(got[i - 1]), at);
    }
  }
  EXPECT_EQ(per_account, (std::map<uint32_t, int>{{2, 100}, {7, 100}, {9, 100}}));
}

TEST(StatusGenerator, AnAccountsStatusesDoNotDependOnTheOtherAccounts) {
  StatusOptions both{.accounts = {3, 4}, .per_account = 30, .now_ms = kNow};
  StatusOptions alone{.accounts = {4}, .per_account = 30, .now_ms = kNow};
  Generated of_four;
  for (auto& status : Generate(both)) {
    if (std::get<0>(status) == 4) of_four.push_back(status);
  }
  EXPECT_EQ(of_four, Generate(alone));
}

TEST(StatusGenerator, TimesSpreadOverTheWholeWindow) {
  StatusOptions options{.accounts = {0}, .per_account = 7000, .days = 7, .now_ms = kNow};
  std::vector<int> per_day(7);
  for (const auto& [account, at, text] : Generate(options)) ++per_day[(kNow - 1 - at) / kDayMs];
  for (int n : per_day) EXPECT_NEAR(n, 1000, 150);
}

TEST(StatusGenerator, MovingNowShiftsEveryTimeAndNothingElse) {
  StatusOptions options{.accounts = {0, 1}, .per_account = 20, .now_ms = kNow};
  StatusOptions later = options;
  later.now_ms = kNow + 12'345;
  const Generated a = Generate(options);
  const Generated b = Generate(later);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(std::get<1>(b[i]) - std::get<1>(a[i]), 12'345);
    EXPECT_EQ(std::get<2>(b[i]), std::get<2>(a[i]));
  }
}

TEST(StatusGenerator, TextsFitTheLimitWithoutSeparatorsOrMentions) {
  StatusOptions options{.accounts = {0, 1, 2, 3}, .per_account = 500, .now_ms = kNow};
  int links = 0;
  int tags = 0;
  for (const auto& [account, at, text] : Generate(options)) {
    EXPECT_FALSE(text.empty());
    EXPECT_LE(text.size(), 256u);
    EXPECT_EQ(text.find_first_of("\t\r\n\\@"), std::string::npos) << text;
    links += text.find("https://") != std::string::npos;
    tags += text.find('#') != std::string::npos;
  }
  // A link in about a quarter of the statuses, a hashtag in about a fifth.
  EXPECT_NEAR(links, 500, 100);
  EXPECT_NEAR(tags, 400, 100);
}

TEST(StatusGenerator, RejectsOptionsThatMakeNoStatuses) {
  EXPECT_FALSE(ValidateStatusOptions({.accounts = {}, .now_ms = kNow}).ok());
  EXPECT_FALSE(ValidateStatusOptions({.accounts = {1}, .per_account = 0}).ok());
  EXPECT_FALSE(ValidateStatusOptions({.accounts = {1}, .days = 0}).ok());
  EXPECT_TRUE(ValidateStatusOptions({.accounts = {1}, .now_ms = kNow}).ok());
}

TEST(StatusGenerator, WritesOneTabSeparatedLineAStatusAfterAHeader) {
  const std::filesystem::path path = TempPath("statuses");
  StatusOptions options{.accounts = {4, 6}, .per_account = 3, .now_ms = kNow, .seed = 9};
  auto written = WriteStatuses(options, path.string());
  ASSERT_TRUE(written.ok()) << written.error().message;
  EXPECT_EQ(*written, 6u);
  std::ifstream in(path);
  std::string line;
  ASSERT_TRUE(std::getline(in, line));
  EXPECT_EQ(line.rfind("# chirp-bench generate-statuses accounts=2 per-account=3", 0), 0u);
  Generated read;
  while (std::getline(in, line)) {
    const size_t tab = line.find('\t');
    const size_t second = line.find('\t', tab + 1);
    ASSERT_NE(second, std::string::npos);
    read.emplace_back(std::stoul(line.substr(0, tab)),
                      std::stoll(line.substr(tab + 1, second - tab - 1)), line.substr(second + 1));
  }
  EXPECT_EQ(read, Generate(options));
  std::filesystem::remove(path);
}

TEST(StatusGenerator, AccountsOfAGraphAreTheNodesItNames) {
  const std::filesystem::path path = TempPath("edges");
  std::ofstream(path) << "# a comment 1 2\n3 1\n1 8\nnot an edge\n8 3\n";
  auto accounts = AccountsOfGraph(path.string());
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(*accounts, (std::vector<uint32_t>{1, 3, 8}));
  std::filesystem::remove(path);
  EXPECT_FALSE(AccountsOfGraph(path.string()).ok());
}

}  // namespace
}  // namespace chirp::loadgen
