#include "ratelimit/rate_limiter.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <functional>
#include <vector>

namespace chirp {

bool RateLimitRule::Parse(std::string_view text, RateLimitRule* out) {
  const size_t slash = text.find('/');
  if (slash == std::string_view::npos) return false;
  int64_t limit = 0;
  int64_t seconds = 0;
  const auto a = std::from_chars(text.data(), text.data() + slash, limit);
  const auto b = std::from_chars(text.data() + slash + 1, text.data() + text.size(), seconds);
  if (a.ec != std::errc() || a.ptr != text.data() + slash || b.ec != std::errc() ||
      b.ptr != text.data() + text.size() || limit <= 0 || seconds <= 0) {
    return false;
  }
  out->limit = limit;
  out->period_ms = seconds * 1000;
  return true;
}

InMemoryRateLimiter::InMemoryRateLimiter(size_t max_buckets)
    : max_per_shard_(std::max<size_t>(1, max_buckets / kShards)),
      shards_(std::make_unique<Shard[]>(kShards)) {
  for (size_t i = 0; i < kShards; ++i) {
    shards_[i].sweep_at = std::min(shards_[i].sweep_at, max_per_shard_);
  }
}

void InMemoryRateLimiter::Sweep(Shard& shard, int64_t now_ms) {
  std::erase_if(shard.buckets, [&](auto& entry) {
    Bucket copy = entry.second;
    Refill(copy, now_ms);
    return copy.tokens >= static_cast<double>(copy.rule.limit);
  });
  if (shard.buckets.size() > max_per_shard_) {
    // Keep the three quarters touched most recently.
    std::vector<int64_t> touched;
    touched.reserve(shard.buckets.size());
    for (const auto& [key, bucket] : shard.buckets) touched.push_back(bucket.updated_ms);
    const size_t drop = shard.buckets.size() - max_per_shard_ * 3 / 4;
    std::nth_element(touched.begin(), touched.begin() + (drop - 1), touched.end());
    const int64_t cutoff = touched[drop - 1];
    size_t dropped = 0;
    std::erase_if(shard.buckets, [&](auto& entry) {
      if (dropped == drop || entry.second.updated_ms > cutoff) return false;
      ++dropped;
      return true;
    });
  }
  shard.sweep_at = std::min(max_per_shard_, std::max<size_t>(1024, shard.buckets.size() * 2));
}

InMemoryRateLimiter::Shard& InMemoryRateLimiter::ShardOf(std::string_view key) {
  return shards_[std::hash<std::string_view>()(key) % kShards];
}

void InMemoryRateLimiter::Refill(Bucket& b, int64_t now_ms) {
  const RateLimitRule& rule = b.rule;
  const double rate = static_cast<double>(rule.limit) / static_cast<double>(rule.period_ms);
  const int64_t elapsed = std::max<int64_t>(0, now_ms - b.updated_ms);
  b.tokens =
      std::min(static_cast<double>(rule.limit), b.tokens + rate * static_cast<double>(elapsed));
  b.updated_ms = std::max(b.updated_ms, now_ms);
}

RateLimitDecision InMemoryRateLimiter::Take(std::span<const BucketRequest> requests,
                                            int64_t now_ms) {
  // Lock the shards involved in a fixed order so that concurrent requests
  // with overlapping buckets cannot deadlock.
  std::vector<Shard*> involved;
  for (const auto& r : requests) involved.push_back(&ShardOf(r.key));
  std::sort(involved.begin(), involved.end());
  involved.erase(std::unique(involved.begin(), involved.end()), involved.end());
  std::vector<std::unique_lock<std::mutex>> locks;
  for (Shard* s : involved) locks.emplace_back(s->mu);

  std::vector<Bucket*> buckets;
  bool allowed = true;
  for (const auto& r : requests) {
    Shard& shard = ShardOf(r.key);
    auto [it, inserted] = shard.buckets.try_emplace(r.key);
    if (inserted) it->second = {static_cast<double>(r.rule.limit), now_ms, r.rule};
    it->second.rule = r.rule;
    Refill(it->second, now_ms);
    if (it->second.tokens < 1.0) allowed = false;
    buckets.push_back(&it->second);
  }
  RateLimitDecision decision;
  decision.allowed = allowed;
  double tightest = 2.0;
  for (size_t i = 0; i < requests.size(); ++i) {
    Bucket& b = *buckets[i];
    const RateLimitRule& rule = requests[i].rule;
    if (allowed) b.tokens -= 1.0;
    const double fraction = b.tokens / static_cast<double>(rule.limit);
    if (fraction < tightest) {
      tightest = fraction;
      const double rate = static_cast<double>(rule.limit) / static_cast<double>(rule.period_ms);
      decision.limit = rule.limit;
      decision.remaining = std::max<int64_t>(0, static_cast<int64_t>(std::floor(b.tokens)));
      decision.reset_at_ms =
          now_ms +
          static_cast<int64_t>(std::ceil((static_cast<double>(rule.limit) - b.tokens) / rate));
    }
  }
  // Sweep shards that grew: drop buckets that have refilled completely.
  for (const auto& r : requests) {
    Shard& shard = ShardOf(r.key);
    if (shard.buckets.size() >= shard.sweep_at) Sweep(shard, now_ms);
  }
  return decision;
}

void InMemoryRateLimiter::Set(const std::string& key, const RateLimitRule& rule, double tokens,
                              int64_t now_ms) {
  Shard& shard = ShardOf(key);
  std::lock_guard lock(shard.mu);
  Bucket& b = shard.buckets[key];
  b.rule = rule;
  b.tokens = std::clamp(tokens, 0.0, static_cast<double>(rule.limit));
  b.updated_ms = now_ms;
}

size_t InMemoryRateLimiter::bucket_count() const {
  size_t n = 0;
  for (size_t i = 0; i < kShards; ++i) {
    std::lock_guard lock(shards_[i].mu);
    n += shards_[i].buckets.size();
  }
  return n;
}

}  // namespace chirp
