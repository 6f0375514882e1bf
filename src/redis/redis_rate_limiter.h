// Rate limits shared by a deployment's API instances through a Redis
// Cluster, so that a client sent to any instance spends one budget.
//
// A request is decided in this process, at once, from its own view of each
// bucket (an InMemoryRateLimiter), as it must be: rate limits are taken on
// the network threads, which must not wait on Redis. What the process
// took is added up per bucket and sent every `sync_interval_ms` by a thread
// of its own, as one pipelined batch of Lua scripts that take it from the
// bucket in Redis (a token bucket as in memory, refilled by the callers'
// clocks, atomic per key) and answer what is left there; the process's
// view of the bucket is set to that, less what it took since. So a bucket
// is spent by every instance's requests, and a client can exceed it by at
// most what the instances let through in one interval before they hear of
// each other (50 ms by default).
//
// While the cluster cannot be reached, each process limits on its own view
// (as the embedded deployment does) and drops what it could not send.
//
// Thread-safe.
#pragma once

#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "core/clock.h"
#include "ratelimit/rate_limiter.h"
#include "redis/redis_cluster.h"

namespace chirp {

struct RedisRateLimiterOptions {
  std::string prefix = "chirp:";
  int64_t sync_interval_ms = 50;
  // Whether a thread of the limiter's own syncs every interval; off, only
  // Sync() does (tests).
  bool sync_thread = true;
};

class RedisRateLimiter final : public RateLimiter {
 public:
  // `cluster` and `clock` must outlive the limiter.
  RedisRateLimiter(RedisCluster& cluster, const Clock& clock, RedisRateLimiterOptions options);
  ~RedisRateLimiter() override;

  RateLimitDecision Take(std::span<const BucketRequest> buckets, int64_t now_ms) override;

  // Sends what was taken since the last sync and takes in what the shared
  // buckets hold. kUnavailable when the cluster could not answer (what was
  // taken is then dropped).
  Status Sync();

  std::string KeyOf(const std::string& bucket) const { return options_.prefix + "rl:" + bucket; }

 private:
  struct Taken {
    RateLimitRule rule;
    int64_t count = 0;
  };

  void SyncEvery();

  RedisCluster& cluster_;
  const Clock& clock_;
  const RedisRateLimiterOptions options_;
  const RedisScript take_;
  InMemoryRateLimiter local_;

  std::mutex taken_mu_;
  std::map<std::string, Taken> taken_;  // since the last sync; guarded by taken_mu_
  std::mutex sync_mu_;                  // one sync at a time

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread thread_;     // last: starts after the members it uses
};

}  // namespace chirp
