#include "redis/redis_rate_limiter.h"

#include <cstdlib>
#include <vector>

#include "core/thread_entry.h"

namespace chirp {
namespace {

// KEYS: the bucket. ARGV: tokens taken, limit, period (ms), now (ms).
// Refills the bucket to now, takes what was taken (not below empty), and
// answers the tokens left, as a string (Lua numbers are doubles; an
// integer reply would drop the fraction).
constexpr const char* kTake = R"lua(
local taken, limit, period, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local held = redis.call('HMGET', KEYS[1], 't', 'at')
local tokens, at = tonumber(held[1]), tonumber(held[2])
if not tokens then tokens, at = limit, now end
if now > at then
  tokens = math.min(limit, tokens + (now - at) * limit / period)
  at = now
end
tokens = math.max(0, tokens - taken)
redis.call('HSET', KEYS[1], 't', tostring(tokens), 'at', tostring(at))
redis.call('PEXPIRE', KEYS[1], period)
return tostring(tokens)
)lua";

}  // namespace

RedisRateLimiter::RedisRateLimiter(RedisCluster& cluster, const Clock& clock,
                                   RedisRateLimiterOptions options)
    : cluster_(cluster), clock_(clock), options_(std::move(options)), take_(kTake) {
  if (options_.sync_thread) {
    thread_ = std::thread([this] { RunThread("rl-sync", [this] { SyncEvery(); }); });
  }
}

RedisRateLimiter::~RedisRateLimiter() {
  {
    std::lock_guard lock(stop_mu_);
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

RateLimitDecision RedisRateLimiter::Take(std::span<const BucketRequest> buckets, int64_t now_ms) {
  const RateLimitDecision decision = local_.Take(buckets, now_ms);
  if (decision.allowed) {
    std::lock_guard lock(taken_mu_);
    for (const BucketRequest& b : buckets) {
      Taken& t = taken_[b.key];
      t.rule = b.rule;
      ++t.count;
    }
  }
  return decision;
}

Status RedisRateLimiter::Sync() {
  std::lock_guard syncing(sync_mu_);
  std::map<std::string, Taken> sending;
  {
    std::lock_guard lock(taken_mu_);
    sending.swap(taken_);
  }
  if (sending.empty()) return {};
  const int64_t now_ms = clock_.NowMillis();
  std::vector<RedisCommand> batch;
  batch.reserve(sending.size());
  for (const auto& [key, t] : sending) {
    batch.push_back(RedisCommand::Script(
        take_, {KeyOf(key)},
        {std::to_string(t.count), std::to_string(t.rule.limit), std::to_string(t.rule.period_ms),
         std::to_string(now_ms)}));
  }
  auto replies = cluster_.RunAll(batch);
  if (!replies) return std::move(replies).error();
  size_t i = 0;
  std::lock_guard lock(taken_mu_);
  for (const auto& [key, t] : sending) {
    const RedisReply& reply = (*replies)[i++];
    if (reply.type != RedisReply::Type::kString) continue;
    // What this process took since the batch left is not in the answer.
    auto since = taken_.find(key);
    const double taken_since = since == taken_.end() ? 0.0 : static_cast<double>(since->second.count);
    local_.Set(key, t.rule, std::strtod(reply.str.c_str(), nullptr) - taken_since, now_ms);
  }
  return {};
}

void RedisRateLimiter::SyncEvery() {
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.sync_interval_ms),
                            [this] { return stopping_; })) {
    lock.unlock();
    (void)Sync();  // unreachable: each process limits on its own meanwhile
    lock.lock();
  }
}

}  // namespace chirp
