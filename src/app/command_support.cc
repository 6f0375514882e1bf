#include "app/command_support.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "redis/redis_rate_limiter.h"
#include "redis/redis_timeline_cache.h"
#include "redis/redis_write_positions.h"
#include "search/pg_search_index.h"
#include "search/search_indexer.h"
#include "search/sqlite_search_index.h"
#include "store/postgres/pg_store.h"
#include "store/sqlite/sqlite_store.h"
#include "timeline/memory_timeline_cache.h"

namespace chirp {

int Fail(const std::string& message) {
  std::fprintf(stderr, "chirpd: %s\n", message.c_str());
  return 2;
}

std::string Env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v != nullptr ? v : "";
}

namespace {

Result<std::unique_ptr<Store>> OpenStoreWith(const Config& config, int writer_cache_mib,
                                             bool replicas, RedisCluster* redis) {
  if (!config.database.url.empty()) {
    PgStoreOptions options;
    options.conninfo = config.database.url;
    options.session_conninfo = config.database.session_url;
    if (replicas) {
      options.replica_conninfos = config.database.replica_urls;
      options.max_replica_lag_ms = config.database.replica_max_lag_ms;
      if (redis != nullptr && !options.replica_conninfos.empty()) {
        options.write_positions = std::make_shared<RedisWritePositions>(
            *redis, RedisWritePositionsOptions{
                        .prefix = config.redis.prefix,
                        .keep_ms = WritePositionKeepMs(config.database.replica_max_lag_ms)});
      }
    }
    options.connections = config.database.connections > 0 ? config.database.connections
                                                          : config.server.blocking_threads + 4;
    options.prepare = config.database.prepared_statements;
    // Other processes on the database read the outbox behind its end for
    // their caches and streams; a minute covers a pause of theirs.
    options.outbox_retention_ms = 60'000;
    auto opened = PgStore::Open(options);
    if (!opened) return std::move(opened).error();
    return std::unique_ptr<Store>(std::move(opened).value());
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Error::Unavailable("cannot create " + config.data_dir + ": " + ec.message());
  SqliteStoreOptions options;
  options.path = (std::filesystem::path(config.data_dir) / "chirp.db").string();
  options.synchronous = config.synchronous;
  // One read connection for every thread that may read, so none waits for one.
  options.readers = config.server.blocking_threads + 4;
  options.writer_cache_mib = writer_cache_mib;
  auto opened = SqliteStore::Open(options);
  if (!opened) return std::move(opened).error();
  return std::unique_ptr<Store>(std::move(opened).value());
}

}  // namespace

Result<std::unique_ptr<Store>> OpenStore(const Config& config, int writer_cache_mib) {
  return OpenStoreWith(config, writer_cache_mib, false, nullptr);
}

Result<std::unique_ptr<Store>> OpenServingStore(const Config& config, RedisCluster* redis) {
  return OpenStoreWith(config, 64, true, redis);
}

Result<std::unique_ptr<RedisCluster>> ConnectRedis(const Config& config) {
  if (config.redis.url.empty()) return std::unique_ptr<RedisCluster>();
  if (config.database.url.empty()) {
    return Error::BadRequest(
        "a Redis Cluster keeps what the processes of one PostgreSQL database share: give "
        "--database-url with --redis-url");
  }
  auto options = ParseRedisClusterUrl(config.redis.url);
  if (!options) return std::move(options).error();
  auto connected = RedisCluster::Connect(std::move(options).value());
  if (!connected) {
    return Error::Unavailable("cannot reach the Redis Cluster at " + config.redis.url + ": " +
                              connected.error().message);
  }
  return std::move(connected).value();
}

std::unique_ptr<TimelineCache> MakeTimelineCache(const Config& config, RedisCluster* redis) {
  if (redis == nullptr) return std::make_unique<MemoryTimelineCache>(config.timeline_size);
  return std::make_unique<RedisTimelineCache>(
      *redis, RedisTimelineOptions{.prefix = config.redis.prefix,
                                   .capacity = config.timeline_size,
                                   .live_window_ms = config.timelines.live_window_ms});
}

std::unique_ptr<RateLimiter> MakeRateLimiter(const Config& config, RedisCluster* redis,
                                             const Clock& clock) {
  if (redis == nullptr) return std::make_unique<InMemoryRateLimiter>();
  return std::make_unique<RedisRateLimiter>(*redis, clock,
                                            RedisRateLimiterOptions{.prefix = config.redis.prefix});
}

SharedLanes AddSharedLanes(OutboxDrainer& drainer, EventLog& log, const Config& config,
                           LaneOptions options, EventConsumer& single,
                           const std::function<std::unique_ptr<EventConsumer>()>& make) {
  SharedLanes shared;
  options.cursor = CursorKind::kDurable;
  if (config.lane_partitions <= 1) {
    shared.lanes.push_back(&drainer.Add(single, options));
    return shared;
  }
  shared.group = std::make_unique<LaneGroup>(log, options.name, config.lane_partitions);
  for (int k = 0; k < config.lane_partitions; ++k) {
    shared.owned.push_back(make());
    LaneOptions partition = options;
    partition.name = shared.group->LaneName(k);
    partition.group = shared.group.get();
    partition.partition = k;
    shared.lanes.push_back(&drainer.Add(*shared.owned.back(), partition));
  }
  return shared;
}

Status HoldWorkerIdInStore(Store& store, int64_t worker_id) {
  auto held = store.HoldWorkerId(worker_id);
  if (!held) return std::move(held).error();
  if (!*held) {
    return Error::Unavailable("worker id " + std::to_string(worker_id) +
                              " is held by another process on the database: give each process "
                              "its own --worker-id");
  }
  return {};
}

Result<std::unique_ptr<SearchIndex>> OpenSearchIndex(const Config& config) {
  if (!config.database.url.empty()) {
    PgSearchIndexOptions options;
    options.conn = {.conninfo = config.database.url, .prepare = config.database.prepared_statements};
    auto opened = PgSearchIndex::Open(options);
    if (!opened) return std::move(opened).error();
    return std::unique_ptr<SearchIndex>(std::move(opened).value());
  }
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Error::Unavailable("cannot create " + config.data_dir + ": " + ec.message());
  auto opened =
      SqliteSearchIndex::Open((std::filesystem::path(config.data_dir) / "search.db").string());
  if (!opened) return std::move(opened).error();
  return std::unique_ptr<SearchIndex>(std::move(opened).value());
}

std::string SearchIndexerLane(const Config&) { return kSearchIndexerLane; }

LaneOptions SearchIndexerLaneOptions(const Config& config) {
  return {.name = SearchIndexerLane(config),
          .cursor = CursorKind::kDurable,
          .batch = 2048,
          .gather_us = 100000};
}

namespace {

// Whether the outbox has lost events after `cursor` (trimmed while the
// lane was away): the next event it holds is not the one right after.
// Event ids have no gaps in either store: a write that rolls back takes
// none.
Result<bool> MissedEvents(Store& store, int64_t cursor) {
  auto next = store.ReadOutbox(cursor, 1);
  if (!next) return std::move(next).error();
  if (!next->empty()) return next->front().id > cursor + 1;
  auto newest = store.NewestOutboxId();
  if (!newest) return std::move(newest).error();
  return *newest > cursor;
}

}  // namespace

Status PrepareSearchIndex(Store& store, SearchIndex& index, const Clock& clock,
                          const std::string& lane) {
  auto held = store.HoldLane(lane);
  if (!held) return std::move(held).error();
  if (!*held) return {};
  auto cursor = store.LoadCursor(lane);
  if (!cursor) return std::move(cursor).error();
  if (*cursor && **cursor != kStaleSearchCursor) {
    auto indexed = index.HoldsStatuses();
    if (!indexed) return std::move(indexed).error();
    auto accounts = store.CountAccounts();
    if (!accounts) return std::move(accounts).error();
    auto missed = MissedEvents(store, **cursor);
    if (!missed) return std::move(missed).error();
    if ((*indexed || *accounts == 0) && !*missed) return {};
  }
  std::fprintf(stderr, "chirpd: building the search index from the store\n");
  return ReindexSearch(store, index, clock, lane);
}

Status MarkSearchIndexStale(Store& store, const Clock& clock, const std::string& lane) {
  auto held = store.HoldLane(lane);
  if (!held) return std::move(held).error();
  if (!*held) return {};
  auto cursor = store.LoadCursor(lane);
  Status marked;
  if (!cursor) {
    marked = std::move(cursor).error();
  } else if (*cursor && **cursor != kStaleSearchCursor) {
    marked = store.SaveCursor(lane, kStaleSearchCursor, clock.NowMillis(), 0);
  }
  store.ReleaseLane(lane);
  return marked;
}

Status ReindexSearch(Store& store, SearchIndex& index, const Clock& clock,
                     const std::string& lane) {
  auto newest = store.NewestOutboxId();
  if (!newest) return std::move(newest).error();
  constexpr int64_t kReportEvery = 100000;
  int64_t reported = 0;
  Status rebuilt = SearchIndexer::Rebuild(store, index, [&](int64_t done) {
    if (done - reported < kReportEvery) return;
    reported = done;
    std::fprintf(stderr, "chirpd: search index: %lld statuses\n", static_cast<long long>(done));
  });
  if (!rebuilt) return rebuilt;
  return store.SaveCursor(lane, *newest, clock.NowMillis(), 0);
}

}  // namespace chirp
