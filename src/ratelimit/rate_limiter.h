// Rate limiting by token bucket. A request takes one token from each bucket
// that applies to it (per token, per account, per IP, per endpoint class);
// it is refused when any of them is empty, and then takes from none.
//
// The in-memory implementation serves the embedded deployment; a Redis one
// serves the scaled-out deployment with the same interface.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chirp {

struct RateLimitRule {
  int64_t limit = 0;      // bucket capacity: requests allowed in a burst
  int64_t period_ms = 0;  // time for an empty bucket to refill completely

  // Parses "N/SECONDS" (e.g. "300/300"). nullopt-like: limit 0 on error.
  static bool Parse(std::string_view text, RateLimitRule* out);
};

struct BucketRequest {
  std::string key;  // e.g. "token:42", "ip:127.0.0.1", "registration:10.0.0.0"
  RateLimitRule rule;
};

struct RateLimitDecision {
  bool allowed = true;
  // Of the bucket closest to empty, after this request:
  int64_t limit = 0;
  int64_t remaining = 0;
  int64_t reset_at_ms = 0;  // when that bucket will be full again
};

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // Thread-safe. `buckets` must not be empty.
  virtual RateLimitDecision Take(std::span<const BucketRequest> buckets, int64_t now_ms) = 0;
};

class InMemoryRateLimiter final : public RateLimiter {
 public:
  // About 150 bytes a bucket: some 150 MiB at most.
  static constexpr size_t kDefaultMaxBuckets = size_t{1} << 20;

  // Holds at most about `max_buckets` buckets: past that, after the full
  // ones, those untouched longest go (their keys start afresh, as after a
  // full refill), so that a flood from many addresses cannot grow it
  // without bound.
  explicit InMemoryRateLimiter(size_t max_buckets = kDefaultMaxBuckets);
  RateLimitDecision Take(std::span<const BucketRequest> buckets, int64_t now_ms) override;
  // Buckets currently held; full buckets are dropped as the maps grow, since a
  // full bucket and an absent one behave the same.
  size_t bucket_count() const;
  // Sets the tokens of `key`'s bucket as of `now_ms` (within 0 and the
  // rule's limit): what another count of the same bucket says, such as the
  // one a deployment's processes share (redis/redis_rate_limiter.h).
  void Set(const std::string& key, const RateLimitRule& rule, double tokens, int64_t now_ms);

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
    RateLimitRule rule;  // the rule it was last used with; the sweep refills by it
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, Bucket> buckets;
    size_t sweep_at = 1024;
  };
  static constexpr size_t kShards = 16;

  static void Refill(Bucket& b, int64_t now_ms);
  Shard& ShardOf(std::string_view key);
  // Drops the buckets of a shard that refilled; past the cap, those
  // untouched longest too. With the shard locked.
  void Sweep(Shard& shard, int64_t now_ms);

  const size_t max_per_shard_;
  std::unique_ptr<Shard[]> shards_;
};

}  // namespace chirp
