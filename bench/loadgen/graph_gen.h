// A deterministic social graph for benchmarks: who follows whom among N
// accounts, generated from a seed, with the shape of a real network (most
// accounts follow about 200 others; a few celebrities hold a large share of
// all follows), at any size from a few thousand to millions of accounts.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "core/error.h"

namespace chirp::loadgen {

// The model. Account a (0 <= a < accounts) follows d(a) others, d drawn from
// a log-normal distribution with median `median_following` and shape
// `following_sigma`, rounded and clamped to [1, accounts - 1]. Each of its
// follows picks the followed account
//   - with probability `popular_share` by popularity: a rank r in
//     [0, accounts) from a bounded power law P(r) ~ (r + 1)^-zipf_exponent
//     (continuous Zipf), mapped to an account by a fixed permutation so that
//     celebrities are spread over the ids rather than being accounts 0, 1, 2;
//   - otherwise uniformly among all accounts;
// and is drawn again if it names the follower itself or an account already
// followed. With the defaults (seed 1) the top 0.1% of accounts receive 14%
// of all follows at 100,000 accounts and 23% at 1,000,000 (the top 1%: 27%
// and 34%), the median account has about 130 followers, and the most
// popular accounts are followed by nearly everyone: with some 120 draws by
// popularity each, a follower almost surely picks them. Mean following is
// about 227 (the log-normal's 200 * e^(sigma^2 / 2)).
struct GraphOptions {
  uint32_t accounts = 100'000;
  uint64_t seed = 1;
  double median_following = 200;
  double following_sigma = 0.5;
  double popular_share = 0.6;
  double zipf_exponent = 1.0;
};

// kBadRequest naming the offending option: accounts below 2, a median below
// 1, a negative sigma or exponent, popular_share outside [0, 0.99] (some
// uniform share keeps the redraws of dense small graphs finite).
Status ValidateGraphOptions(const GraphOptions& options);

// Generates the follows of each account in turn. The output depends only on
// the options: the same options give the same follows everywhere (the
// arithmetic is the C library's exp/log/pow/sqrt/cos on IEEE doubles, whose
// results are fixed for a given platform's library).
class GraphGenerator {
 public:
  // Precondition: ValidateGraphOptions(options) is ok.
  explicit GraphGenerator(const GraphOptions& options);

  // Calls sink(follower, followed) for followers 0, 1, ..., accounts - 1 in
  // order; `followed` is sorted ascending, holds distinct ids, never the
  // follower, and is valid only during the call. Memory stays proportional
  // to one account's follows.
  using Sink = std::function<void(uint32_t follower, std::span<const uint32_t> followed)>;
  void Generate(const Sink& sink) const;

  // The number of follows of `follower` (the first step of Generate).
  uint32_t FollowingOf(uint32_t follower) const;
  // The account holding popularity rank `rank` (0 is the most popular).
  uint32_t AccountOfRank(uint32_t rank) const;

 private:
  GraphOptions options_;
  double mu_;                // log of the median out-degree
  double zipf_log_limit_;    // log(accounts + 1)
  double zipf_power_limit_;  // (accounts + 1)^(1 - s) - 1, for s != 1
  uint64_t permute_multiplier_;
  uint64_t permute_offset_;
};

// What a generated graph looks like, for the generate-graph summary and the
// tests.
struct GraphSummary {
  uint64_t accounts = 0;
  uint64_t follows = 0;
  double mean_following = 0;
  uint32_t median_following = 0;
  uint32_t max_following = 0;
  uint32_t median_followers = 0;
  // Fractions of all follows received by the most followed 0.1% and 1% of
  // accounts (at least one account each).
  double top_0_1_percent_share = 0;
  double top_1_percent_share = 0;
  // The most followed accounts, most first: (account, followers).
  std::vector<std::pair<uint32_t, uint64_t>> most_followed;
};

// Accumulates a GraphSummary from a Generate sink; holds two counters per
// account.
class GraphSummarizer {
 public:
  explicit GraphSummarizer(uint32_t accounts);
  void Add(uint32_t follower, std::span<const uint32_t> followed);
  GraphSummary Finish(size_t most_followed = 5) const;

 private:
  std::vector<uint32_t> following_;
  std::vector<uint32_t> followers_;
  uint64_t follows_ = 0;
};

// Writes the graph to `path` in the edge-list format chirpd's import-graph
// reads: one "follower followed" pair of account numbers per line, after
// one '#' comment line naming the options (the importer skips lines that
// are not two numbers). Each line is one directed follow, so import it with
// `chirpd admin import-graph --one-way on`. kUnavailable if the file cannot
// be written.
Result<GraphSummary> WriteGraph(const GraphOptions& options, const std::string& path);

}  // namespace chirp::loadgen
