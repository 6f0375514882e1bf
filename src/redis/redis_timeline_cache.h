// Home timelines in a Redis Cluster, for the scaled-out deployment: every
// API instance reads the same timelines, and one fan-out (in a worker)
// writes them.
//
// A timeline is one string key, `<prefix>tl:<account id>`: a state byte
// ('C' complete, 'R' reserved by a rebuild not yet installed), then its
// entries oldest to newest, 20 bytes each as in memory (status id, author
// id, flags; big-endian). The common push (a status newer than every entry)
// is an APPEND; a full timeline is cut back to its capacity once it is a
// quarter over, so it holds 20 bytes an entry plus Redis's own per-key
// bookkeeping. Every change is a Lua script over one key, so it is atomic
// with respect to other writers and readers.
//
// Idle timelines expire by themselves: each is kept `live_window_ms` after
// it was installed or last read (Redis's own expiry, so DropIdle does
// nothing); the cluster's memory is bounded by its `maxmemory` (ShrinkTo
// does nothing either).
//
// Read on a thread that must not wait (core/no_wait.h) answers nullopt
// without asking Redis, as for a timeline not held: the reader's request
// then starts over where it may wait (HomeTimeline's rebuild refuses first).
//
// Redis cannot be reached (a failover beyond the retry window): a push
// returns false as for a timeline that is not live and a read nullopt, so
// a reader's timeline is rebuilt from the store; `failures()` counts them,
// and fan-out hands such an event out again (timeline/fan_out.h).
// Thread-safe. Every call waits on the network.
#pragma once

#include <atomic>
#include <mutex>
#include <string>

#include "redis/redis_cluster.h"
#include "timeline/timeline_cache.h"

namespace chirp {

struct RedisTimelineOptions {
  std::string prefix = "chirp:";  // keeps deployments sharing a cluster apart
  size_t capacity = 800;
  int64_t live_window_ms = 7LL * 24 * 3600 * 1000;
  // Accounts one pipelined batch of a fan-out pushes to.
  size_t fan_out_batch = 1000;
  // Replicas that must have fan-out's writes (pushes, removals) before they
  // count (all a master has when fewer; redis/redis_cluster.h): a master's
  // failover then loses none of them, and a timeline on the new master is
  // never missing an entry fan-out handled.
  int replicas = 1;
  // How often Stats() counts the timelines again (a scan of the cluster).
  int64_t census_interval_ms = 60'000;
};

class RedisTimelineCache final : public TimelineCache {
 public:
  // `cluster` must outlive the cache.
  RedisTimelineCache(RedisCluster& cluster, RedisTimelineOptions options);

  bool Push(int64_t account_id, const TimelineEntry& entry, int dedupe_window = 0) override;
  // Pipelined, `fan_out_batch` accounts a batch.
  size_t PushMany(const std::vector<int64_t>& account_ids, const TimelineEntry& entry,
                  int dedupe_window = 0) override;
  bool PushEach(int64_t account_id, const std::vector<TimelineEntry>& entries,
                int dedupe_window = 0) override;
  int64_t OldestIfFull(int64_t account_id) const override;
  void Remove(int64_t account_id, int64_t status_id) override;
  void RemoveAuthor(int64_t account_id, int64_t author_id) override;
  std::optional<std::vector<TimelineEntry>> Read(int64_t account_id, const PageRequest& page,
                                                 int64_t now_ms) override;
  void Reserve(int64_t account_id, int64_t now_ms) override;
  void Install(int64_t account_id, std::vector<TimelineEntry> entries, int64_t now_ms) override;
  bool IsLive(int64_t account_id) const override;
  // Redis expires idle timelines itself: returns 0.
  size_t DropIdle(int64_t cutoff_ms) override;
  // Bounded by the cluster's maxmemory: returns 0.
  size_t ShrinkTo(size_t max_bytes) override;
  // Timelines and their entries as last counted (a scan, at most once per
  // `census_interval_ms`); `bytes` is what the masters use in all (INFO
  // memory), shared with Chirp's other keys there.
  TimelineCacheStats Stats() const override;

  // Calls that could not reach the cluster.
  uint64_t failures() const override { return failures_.load(std::memory_order_relaxed); }
  // Counts the timelines now (the census Stats() reports), and returns it.
  Result<TimelineCacheStats> Census() const;

  // The key of an account's timeline.
  std::string KeyOf(int64_t account_id) const;

 private:
  RedisCommand PushCommand(int64_t account_id, const TimelineEntry& entry,
                           int dedupe_window) const;
  // Runs a one-key command; nullopt (and a failure counted) when the
  // cluster could not answer. A write waits for the replicas.
  std::optional<RedisReply> RunOne(const RedisCommand& command) const;
  std::optional<RedisReply> RunWrite(const RedisCommand& command) const;
  RedisBatchOptions WriteOptions() const { return {.replicas = options_.replicas}; }

  RedisCluster& cluster_;
  const RedisTimelineOptions options_;
  const RedisScript push_, read_, install_, remove_, remove_author_, oldest_if_full_;
  mutable std::atomic<uint64_t> failures_{0};
  mutable std::mutex census_mu_;
  mutable TimelineCacheStats census_;  // guarded by census_mu_
  mutable int64_t census_at_ms_ = -1;  // steady clock; guarded by census_mu_
};

}  // namespace chirp
