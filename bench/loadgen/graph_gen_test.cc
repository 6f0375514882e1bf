#include "graph_gen.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace chirp::loadgen {
namespace {

using Edges = std::vector<std::pair<uint32_t, uint32_t>>;

Edges Generate(const GraphOptions& options) {
  Edges edges;
  GraphGenerator(options).Generate([&](uint32_t follower, std::span<const uint32_t> followed) {
    for (uint32_t t : followed) edges.emplace_back(follower, t);
  });
  return edges;
}

GraphSummary Summarize(const GraphOptions& options) {
  GraphSummarizer summary(options.accounts);
  GraphGenerator(options).Generate([&](uint32_t follower, std::span<const uint32_t> followed) {
    summary.Add(follower, followed);
  });
  return summary.Finish();
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(GraphGenerator, SameSeedGivesTheSameGraph) {
  GraphOptions options{.accounts = 3000, .seed = 42};
  EXPECT_EQ(Generate(options), Generate(options));
}

TEST(GraphGenerator, DifferentSeedsGiveDifferentGraphs) {
  EXPECT_NE(Generate({.accounts = 3000, .seed = 1}), Generate({.accounts = 3000, .seed = 2}));
}

TEST(GraphGenerator, WritesByteIdenticalFilesForOneSeed) {
  const auto dir = std::filesystem::path(testing::TempDir());
  const GraphOptions options{.accounts = 2000, .seed = 9};
  auto a = WriteGraph(options, (dir / "graph_a.edges").string());
  auto b = WriteGraph(options, (dir / "graph_b.edges").string());
  ASSERT_TRUE(a.ok()) << a.error().message;
  ASSERT_TRUE(b.ok());
  const std::string text = ReadFile(dir / "graph_a.edges");
  EXPECT_EQ(text, ReadFile(dir / "graph_b.edges"));
  // A comment line the importer skips, then one "follower followed" line
  // per follow.
  ASSERT_TRUE(text.starts_with("# chirp-bench generate-graph accounts=2000 seed=9"));
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  uint64_t follows = 0;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    long long follower = -1;
    long long followed = -1;
    ASSERT_TRUE(fields >> follower >> followed) << line;
    ASSERT_TRUE(follower >= 0 && follower < 2000 && followed >= 0 && followed < 2000) << line;
    ++follows;
  }
  EXPECT_EQ(follows, a->follows);
  std::filesystem::remove(dir / "graph_a.edges");
  std::filesystem::remove(dir / "graph_b.edges");
}

TEST(GraphGenerator, NeverFollowsItselfOrTwice) {
  const GraphOptions options{.accounts = 5000, .seed = 3};
  GraphGenerator generator(options);
  uint32_t expected_follower = 0;
  generator.Generate([&](uint32_t follower, std::span<const uint32_t> followed) {
    ASSERT_EQ(follower, expected_follower++);
    ASSERT_EQ(followed.size(), generator.FollowingOf(follower));
    for (size_t i = 0; i < followed.size(); ++i) {
      ASSERT_NE(followed[i], follower);
      ASSERT_LT(followed[i], options.accounts);
      if (i > 0) {
        ASSERT_LT(followed[i - 1], followed[i]);  // sorted, so distinct
      }
    }
  });
  EXPECT_EQ(expected_follower, options.accounts);
}

TEST(GraphGenerator, TinyGraphsFollowEveryoneElse) {
  for (uint32_t n : {2u, 3u, 10u}) {
    GraphGenerator(GraphOptions{.accounts = n})
        .Generate([&](uint32_t follower, std::span<const uint32_t> followed) {
          // A median of 200 is clamped to the n - 1 others.
          ASSERT_EQ(followed.size(), n - 1) << follower;
        });
  }
}

TEST(GraphGenerator, RanksMapToDistinctAccounts) {
  GraphGenerator generator(GraphOptions{.accounts = 1000});
  std::set<uint32_t> accounts;
  for (uint32_t r = 0; r < 1000; ++r) accounts.insert(generator.AccountOfRank(r));
  EXPECT_EQ(accounts.size(), 1000u);
}

TEST(GraphGenerator, MostAccountsFollowAboutTwoHundred) {
  const GraphSummary s = Summarize({.accounts = 20'000, .seed = 5});
  EXPECT_GE(s.median_following, 190u);
  EXPECT_LE(s.median_following, 210u);
  // The log-normal's mean, 200 * e^(0.5^2 / 2) ~ 227.
  EXPECT_NEAR(s.mean_following, 227, 5);
}

TEST(GraphGenerator, CelebritiesHoldALargeShareOfFollows) {
  const GraphSummary s = Summarize({.accounts = 100'000, .seed = 5});
  EXPECT_GE(s.top_0_1_percent_share, 0.10);
  EXPECT_GE(s.top_1_percent_share, 0.20);
  // A heavy tail: the median account has far fewer followers than the
  // mean, and the most followed has most of the network.
  EXPECT_LT(s.median_followers, s.mean_following);
  ASSERT_FALSE(s.most_followed.empty());
  EXPECT_GT(s.most_followed[0].second, 50'000u);
}

TEST(GraphGenerator, RejectsOptionsOutOfRange) {
  EXPECT_FALSE(ValidateGraphOptions({.accounts = 1}).ok());
  EXPECT_FALSE(ValidateGraphOptions({.median_following = 0.5}).ok());
  EXPECT_FALSE(ValidateGraphOptions({.following_sigma = -1}).ok());
  EXPECT_FALSE(ValidateGraphOptions({.popular_share = 1.0}).ok());
  EXPECT_FALSE(ValidateGraphOptions({.zipf_exponent = -0.5}).ok());
  EXPECT_TRUE(ValidateGraphOptions({}).ok());
}

}  // namespace
}  // namespace chirp::loadgen
