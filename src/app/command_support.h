// What chirpd's commands share: reporting a failure and opening the store
// a configuration names.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/config.h"
#include "core/clock.h"
#include "core/error.h"
#include "events/lane_group.h"
#include "events/outbox_drainer.h"
#include "ratelimit/rate_limiter.h"
#include "redis/redis_cluster.h"
#include "search/search_index.h"
#include "store/store.h"
#include "timeline/timeline_cache.h"

namespace chirp {

// Prints "chirpd: MESSAGE" to stderr; returns the exit status of a failed
// command (2).
int Fail(const std::string& message);

// The process environment, for ParseConfig.
std::string Env(const std::string& name);

// The store the configuration names, migrated to the current schema:
// PostgreSQL at config.database.url when set, else the embedded store in
// config.data_dir (created when missing), its writer with a page cache of
// `writer_cache_mib`.
Result<std::unique_ptr<Store>> OpenStore(const Config& config, int writer_cache_mib = 64);
// The store of an API instance: OpenStore's, and on PostgreSQL with the
// replicas config.database.replica_urls names serving the reads that may
// lag, the accounts' write positions in `redis` when given (so that every
// instance keeps an account's reads after its writes), else in process.
Result<std::unique_ptr<Store>> OpenServingStore(const Config& config, RedisCluster* redis);

// The Redis Cluster config.redis.url names, with its slot map read; null
// when none is named. kBadRequest when one is named without a PostgreSQL
// database (what the cluster serves is shared by the processes of one
// database); kUnavailable, naming the cluster, when it cannot be reached.
Result<std::unique_ptr<RedisCluster>> ConnectRedis(const Config& config);

// Where home timelines are kept: in `redis` when given (shared by every
// process of the deployment), else in this process's memory.
std::unique_ptr<TimelineCache> MakeTimelineCache(const Config& config, RedisCluster* redis);

// Where rate-limit buckets are kept: shared by the deployment's instances
// through `redis` when given, else in this process's memory.
std::unique_ptr<RateLimiter> MakeRateLimiter(const Config& config, RedisCluster* redis,
                                             const Clock& clock);

// Holds `worker_id` among the processes that share the store
// (Store::HoldWorkerId): kUnavailable, saying what to do, when another
// holds it.
Status HoldWorkerIdInStore(Store& store, int64_t worker_id);

// The name of fan-out's lane: durable when the timelines are in Redis.
inline constexpr char kFanOutLane[] = "fan_out";

// A durable consumer the processes of one database share (the notifier;
// fan-out to timelines in Redis), as this process runs it: one lane taking
// every event, or with config.lane_partitions above 1, a lane for each
// partition by account (events/lane_group.h), each with a consumer of its
// own, since partitions run at once on lanes' threads.
struct SharedLanes {
  std::unique_ptr<LaneGroup> group;                   // null for one lane
  std::vector<std::unique_ptr<EventConsumer>> owned;  // the partitions' consumers
  std::vector<const EventLane*> lanes;
};

// Adds the lanes of the shared consumer `options.name` to `drainer`:
// `single` in one lane when there is one partition, else a consumer made by
// `make` for each partition. `options` apply to every lane (durable).
SharedLanes AddSharedLanes(OutboxDrainer& drainer, EventLog& log, const Config& config,
                           LaneOptions options, EventConsumer& single,
                           const std::function<std::unique_ptr<EventConsumer>()>& make);

// The name of the search indexer's lane, under which its cursor is saved.
inline constexpr char kSearchIndexerLane[] = "search_indexer";

// The lane of the search index a process reads: the embedded store's index,
// or the one in the PostgreSQL database every process shares
// (search/pg_search_index.h), is kept by the durable lane
// kSearchIndexerLane, run by one process at a time like the other shared
// consumers, and never split into partitions (a status's library entries
// come from other accounts' events, which must follow its own). The
// store's trimming waits for it.
std::string SearchIndexerLane(const Config& config);

// The options of the indexer's lane: durable, and events in large batches
// (up to 2,048, gathered for 100 ms), since each commit of the index
// flushes a segment of it, so fewer, larger commits cost less (posting ran
// at 0.81 of its rate without the indexer with 5 ms and 512, at 0.9 with
// these), and the index lag stays far under its 1 s bound.
LaneOptions SearchIndexerLaneOptions(const Config& config);

// The search index: in config.data_dir (created when missing) for the
// embedded store, else in the database of --database-url, whose migrations
// made its tables.
Result<std::unique_ptr<SearchIndex>> OpenSearchIndex(const Config& config);

// Rebuilds the search index from the store and saves the indexer's cursor
// at the outbox's end as it was before the rebuild (what came after is
// indexed again by the lane, idempotently). Progress on stderr.
Status ReindexSearch(Store& store, SearchIndex& index, const Clock& clock,
                     const std::string& lane = kSearchIndexerLane);

// The indexer's cursor while its index is behind the outbox for good (a
// run without search trimmed the outbox past it): no event has this id.
inline constexpr int64_t kStaleSearchCursor = -1;

// Before the indexer's lane opens: rebuilds the index when it has never
// been built beside this store (no cursor saved), when a run without search
// left it behind (kStaleSearchCursor, see MarkSearchIndexStale), or when it
// holds nothing while the store holds accounts (its file was removed), or
// when the outbox no longer holds the events after its cursor. On a shared
// store, only the process that can hold the indexer's lane now does so
// (and keeps holding it): another that holds it keeps the index current.
Status PrepareSearchIndex(Store& store, SearchIndex& index, const Clock& clock,
                          const std::string& lane = kSearchIndexerLane);

// For a run with search off: the outbox is trimmed without waiting for the
// indexer, so its cursor is set to kStaleSearchCursor and the next run with
// search rebuilds the index. On a shared store, only while no other
// process holds the indexer's lane (one that does keeps the index current).
Status MarkSearchIndexStale(Store& store, const Clock& clock,
                            const std::string& lane = kSearchIndexerLane);

}  // namespace chirp
