// chirpd: the Chirp server and its operator commands. This file only wires
// modules together.
#include <malloc.h>

#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "api/api_context.h"
#include "api/routes.h"
#include "app/admin_commands.h"
#include "app/command_support.h"
#include "app/config.h"
#include "app/worker.h"
#include "app/worker_lease.h"
#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/open_files.h"
#include "core/process_stats.h"
#include "core/secrets.h"
#include "core/snowflake.h"
#include "core/stop_signals.h"
#include "core/thread_entry.h"
#include "events/lane_metrics.h"
#include "events/outbox_drainer.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "mastodon/account_directory.h"
#include "mastodon/cache_keeper.h"
#include "media/image_processing.h"
#include "media/media_janitor.h"
#include "media/media_service.h"
#include "media/media_storage.h"
#include "ratelimit/rate_limiter.h"
#include "search/search_indexer.h"
#include "search/search_service.h"
#include "social/notifier.h"
#include "store/sqlite/sqlite_store.h"
#include "stream/pubsub.h"
#include "stream/stream_hub.h"
#include "stream/stream_publisher.h"
#include "timeline/author_preload.h"
#include "timeline/fan_out.h"
#include "timeline/home_timeline.h"

namespace chirp {
namespace {

constexpr const char* kUsage =
    "chirpd: a microblogging server that speaks the Mastodon client API.\n"
    "\n"
    "Usage:\n"
    "  chirpd [serve] [options]        serve HTTP on the embedded store (the default)\n"
    "  chirpd worker [options]         run the event stream's durable consumers for API\n"
    "                                  instances sharing a PostgreSQL database (--database-url)\n"
    "  chirpd migrate [options]        create or upgrade the store's schema, then exit\n"
    "  chirpd admin ...                operator commands (accounts, imports, the event\n"
    "                                  stream's dead letters), below\n"
    "  chirpd --help                   this text\n"
    "\n";
constexpr const char* kOptionsHeading =
    "\nOptions (each also an environment variable; flags win):\n";

// Keeps the cached home timelines within their budget in bytes (every few
// seconds, dropping those read longest ago) and drops those not read within
// the live window (once a minute).
class TimelineJanitor {
 public:
  static constexpr auto kBudgetCheck = std::chrono::seconds(5);
  static constexpr int kChecksPerIdleSweep = 12;

  TimelineJanitor(TimelineCache& cache, const Clock& clock, int64_t window_ms, size_t max_bytes)
      : thread_([this, &cache, &clock, window_ms, max_bytes] {
          RunThread("tl-janitor", [&] {
            std::unique_lock lock(mu_);
            for (int check = 1; !cv_.wait_for(lock, kBudgetCheck, [this] { return stopping_; });
                 ++check) {
              if (check % kChecksPerIdleSweep == 0) cache.DropIdle(clock.NowMillis() - window_ms);
              cache.ShrinkTo(max_bytes);
            }
          });
        }) {}
  ~TimelineJanitor() { Stop(); }
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread thread_;     // last: starts after the members it uses
};

// Descriptors kept for what is not a client connection: the store's files,
// listening sockets, the event stream's and the logs'.
constexpr size_t kReservedDescriptors = 128;

// `options` with the connection cap lowered to what `open_file_limit`
// allows, said once on stderr when it is.
ServerOptions ServerOptionsWithin(ServerOptions options, size_t open_file_limit) {
  const size_t allowed = open_file_limit > 2 * kReservedDescriptors
                             ? open_file_limit - kReservedDescriptors
                             : open_file_limit / 2;
  if (options.connections.total > allowed) {
    std::fprintf(stderr,
                 "chirpd: at most %zu connections, not %zu: the limit on open files is %zu\n",
                 allowed, options.connections.total, open_file_limit);
    options.connections.total = allowed;
  }
  return options;
}

// The streaming replicas' reads and lag (the PostgreSQL store's), one
// series a replica, numbered from 1 in the order of --database-replica-url.
void AppendReplicaMetrics(std::string& out, const StoreStats& s) {
  if (s.replicas.empty()) return;
  AppendMetric(out, "chirp_store_replica_reads_total", "Reads served by a streaming replica.",
               s.replica_reads, "counter");
  AppendMetric(out, "chirp_store_replica_passed_over_total",
               "Reads that could have gone to a replica but went to the primary: none had "
               "replayed the reader's last write, or none was within the lag allowed.",
               s.replica_passed_over, "counter");
  AppendMetric(out, "chirp_store_write_position_failures_total",
               "Writes whose log position could not be recorded, or reads whose reader's "
               "position could not be read (Redis unreachable).",
               s.write_position_failures, "counter");
  const auto series = [&](const char* name, const char* help, auto value_of) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " gauge\n";
    for (size_t i = 0; i < s.replicas.size(); ++i) {
      out += std::string(name) + "{replica=\"" + std::to_string(i + 1) + "\"} " +
             std::to_string(value_of(s.replicas[i])) + "\n";
    }
  };
  series("chirp_store_replica_lag_bytes",
         "Bytes of the primary's write-ahead log the replica has not replayed.",
         [](const ReplicaLag& r) { return r.lag_bytes; });
  series("chirp_store_replica_lag_seconds",
         "How long ago the primary first held a change the replica has not replayed.",
         [](const ReplicaLag& r) { return static_cast<double>(r.lag_ms) / 1000.0; });
  series("chirp_store_replica_up",
         "1 when the replica answered its last poll and follows the primary.",
         [](const ReplicaLag& r) { return r.reachable ? 1 : 0; });
}

int Serve(const Config& config) {
  if (!config.shared_lanes && config.database.url.empty()) {
    return Fail(
        "--shared-lanes off leaves work to chirpd worker processes, which need "
        "--database-url");
  }
  // Before any thread starts: the server takes the signals on its own
  // thread (core/stop_signals.h).
  BlockStopSignals();
  auto redis = ConnectRedis(config);
  if (!redis) return Fail(redis.error().message);
  auto store = OpenServingStore(config, redis->get());
  if (!store) return Fail(store.error().message);
  // Two processes with one worker id would make the same ids.
  auto worker = WorkerLease::Hold(config.data_dir, config.worker_id);
  if (!worker) return Fail(worker.error().message);
  if (Status s = HoldWorkerIdInStore(**store, config.worker_id); !s) {
    return Fail(s.error().message);
  }
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  Authenticator auth(**store);
  AccountDirectory accounts(**store, config.account_cache_mib << 20);
  StatusDirectory statuses(**store, accounts, std::numeric_limits<size_t>::max(),
                           config.status_cache_mib << 20);
  ViewerCache viewers(
      **store, clock,
      {.capacity = config.reader_cache_size, .max_bytes = config.reader_cache_mib << 20});
  const std::unique_ptr<RateLimiter> limiter = MakeRateLimiter(config, redis->get(), clock);
  const std::unique_ptr<TimelineCache> timeline_cache = MakeTimelineCache(config, redis->get());
  TimelineCache& timelines = *timeline_cache;
  HomeTimeline home(**store, timelines, config.timelines, clock);
  if (Status s = home.celebrities().Load(); !s) return Fail(s.error().message);
  AuthorPreload author_preload(**store, home.author_posts(),
                               config.timelines.author_posts_max_authors);
  FanOut fan_out(**store, timelines, config.timelines, &home.author_posts());
  CacheKeeper cache_keeper(accounts, statuses, viewers, auth, &home.celebrities(),
                           &home.author_posts());
  Posting posting(**store, clock, ids, accounts, statuses, viewers, cache_keeper,
                  {.max_characters = config.api.max_characters,
                   .max_media_attachments = config.api.max_media_attachments});
  Engagement engagement(**store, clock, ids, statuses, viewers, cache_keeper);
  GraphService graph(**store, clock, ids, accounts, cache_keeper);
  if (Status s = StartImageLibrary(); !s) return Fail(s.error().message);
  const std::string media_dir =
      config.media_dir.empty() ? config.data_dir + "/media" : config.media_dir;
  auto media_storage = LocalMediaStorage::Create(media_dir);
  if (!media_storage) return Fail(media_storage.error().message);
  const MediaLimits media_limits;
  // What processing makes waits beside the files, so that keeping it is a
  // rename.
  MediaService media(**store, **media_storage, ids, clock, media_limits, media_dir + "/.work");
  AccountService account_service(**store, clock, ids, accounts, graph, cache_keeper, &media);
  StatusReads status_reads(**store, accounts, statuses, viewers);
  UserTimeline user_timeline(**store, accounts, viewers, home.author_posts());
  PublicTimelines public_timelines(**store);
  NotificationService notification_service(**store, clock);
  OAuthService oauth(**store, clock, ids, auth);
  std::unique_ptr<SearchIndex> search_index;
  std::unique_ptr<SearchIndexer> search_indexer;
  std::unique_ptr<SearchService> search;
  // On PostgreSQL the index is shared and so is its lane: with
  // --shared-lanes off, workers keep it and this process only reads it.
  const bool keeps_search_index = config.database.url.empty() || config.shared_lanes;
  if (config.search) {
    auto opened = OpenSearchIndex(config);
    if (!opened) return Fail(opened.error().message);
    search_index = std::move(opened).value();
    if (keeps_search_index) {
      if (Status s = PrepareSearchIndex(**store, *search_index, clock, SearchIndexerLane(config));
          !s) {
        return Fail(s.error().message);
      }
      search_indexer = std::make_unique<SearchIndexer>(**store, *search_index);
    }
    search =
        std::make_unique<SearchService>(*search_index, **store, accounts, statuses, viewers, clock);
  } else if (keeps_search_index) {
    if (Status s = MarkSearchIndexStale(**store, clock, SearchIndexerLane(config)); !s) {
      return Fail(s.error().message);
    }
  }
  // What /api/v2/instance tells clients of uploads.
  ApiConfig api_config = config.api;
  api_config.media_mime_types.assign(std::begin(kMediaMimeTypes), std::end(kMediaMimeTypes));
  api_config.image_size_limit = static_cast<int64_t>(media_limits.image.max_bytes);
  api_config.image_matrix_limit = media_limits.image.max_pixels;
  api_config.description_limit = static_cast<int>(media_limits.max_description);
  ReadModels read_models{
      .store = **store, .accounts = accounts, .statuses = statuses, .viewers = viewers};
  ApiContext context{.config = api_config,
                     .read = read_models,
                     .clock = clock,
                     .auth = auth,
                     .accounts = accounts,
                     .statuses = statuses,
                     .viewers = viewers,
                     .limiter = *limiter,
                     .posting = posting,
                     .engagement = engagement,
                     .graph = graph,
                     .account_service = account_service,
                     .status_reads = status_reads,
                     .public_timelines = public_timelines,
                     .user_timeline = user_timeline,
                     .notifications = notification_service,
                     .oauth = oauth,
                     .home = &home,
                     .search = search.get(),
                     .media = &media,
                     .media_storage = media_storage->get()};
  LocalPubSub pubsub;
  StreamHub stream_hub(pubsub, viewers, clock, config.stream_limits);
  context.stream_hub = &stream_hub;
  context.stream_options.buffer_bytes = config.stream_buffer_bytes;
  StreamPublisher stream_publisher(read_models, pubsub, stream_hub, fan_out);
  // Statuses come from the directory the API renders them with: a status
  // just posted is there already.
  Notifier notifier(**store, clock, ids, [&statuses](int64_t id) { return statuses.FindLive(id); });
  // In one process the notifier hands what it added to the streams; on
  // PostgreSQL, where another process may run it, the store announces each
  // in the outbox (kNotificationAdded) and every process's publisher
  // streams them.
  if (config.database.url.empty()) {
    notifier.SetListener([&](const std::vector<NotificationRecord>& added) {
      stream_publisher.NotificationsAdded(added);
    });
  }
  // Each consumer in a lane of its own. The notifier's notifications are
  // in the store, so it resumes where it stopped; the others keep state in
  // memory that starts empty, so they start at the outbox's end, taken now,
  // before any request.
  OutboxDrainer drainer(**store, clock);
  drainer.Add(cache_keeper, {.name = "cache_keeper", .gather_us = 5000});
  // Timelines in Redis are shared: one process at a time pushes to them,
  // from where the last one stopped (a worker, or an instance when no
  // worker runs); the others' fan-out stands by. With --shared-lanes off,
  // the work the deployment shares is left to `chirpd worker` processes.
  SharedLanes fan_out_lanes;
  if (*redis == nullptr) {
    fan_out_lanes.lanes.push_back(&drainer.Add(fan_out, {.name = kFanOutLane}));
  } else if (config.shared_lanes) {
    fan_out_lanes = AddSharedLanes(drainer, **store, config, {.name = kFanOutLane}, fan_out, [&] {
      return std::make_unique<FanOut>(**store, timelines, config.timelines, &home.author_posts());
    });
  }
  SharedLanes notifier_lanes;
  if (config.shared_lanes) {
    notifier_lanes = AddSharedLanes(
        drainer, **store, config, {.name = "notifier", .gather_us = 5000}, notifier, [&] {
          return std::make_unique<Notifier>(
              **store, clock, ids, [&statuses](int64_t id) { return statuses.FindLive(id); });
        });
  }
  drainer.Add(stream_publisher, {.name = "stream_publisher"});
  const EventLane* search_lane =
      search_indexer == nullptr ? nullptr
                                : &drainer.Add(*search_indexer, SearchIndexerLaneOptions(config));
  if (Status s = drainer.Open(); !s) return Fail(s.error().message);

  context.extra_metrics = [&](std::string& out) {
    const StoreStats s = (*store)->Stats();
    AppendMetric(out, "chirp_store_write_transactions_total",
                 "Group-commit transactions of the store.", s.write_transactions, "counter");
    AppendMetric(out, "chirp_store_write_operations_total",
                 "Request writes committed inside those transactions.", s.write_operations,
                 "counter");
    AppendMetric(out, "chirp_store_write_failures_total", "Writes that failed and rolled back.",
                 s.write_failures, "counter");
    AppendMetric(out, "chirp_store_reads_total", "Reads served by the store.", s.reads, "counter");
    AppendMetric(out, "chirp_store_write_queue_depth", "Writes waiting for the writer.",
                 s.write_queue_depth, "gauge");
    AppendMetric(out, "chirp_store_max_batch", "Largest group commit so far.", s.max_batch,
                 "gauge");
    AppendMetric(out, "chirp_store_log_pages",
                 "Pages the store's write-ahead log held at its last commit.", s.log_pages,
                 "gauge");
    AppendMetric(out, "chirp_store_log_restarts_total",
                 "Times the write-ahead log was checkpointed and started again.", s.log_restarts,
                 "counter");
    AppendMetric(out, "chirp_store_log_restart_pause_microseconds_total",
                 "Time writes were held for the write-ahead log's restarts.",
                 s.log_restart_pause_us, "counter");
    AppendMetric(out, "chirp_store_memory_bytes",
                 "Memory the store's engine holds in this process (its page caches).",
                 s.memory_bytes, "gauge");
    AppendReplicaMetrics(out, s);
    const TimelineCacheStats t = timelines.Stats();
    AppendMetric(out, "chirp_timeline_live", "Home timelines held in the cache.", t.live_timelines,
                 "gauge");
    AppendMetric(out, "chirp_timeline_entries", "Entries in cached home timelines.", t.entries,
                 "gauge");
    AppendMetric(out, "chirp_timeline_bytes",
                 "Memory cached home timelines hold (bounded by --timeline-cache-mib).", t.bytes,
                 "gauge");
    AppendMetric(out, "chirp_timeline_cache_failures_total",
                 "Operations on cached home timelines that could not reach the cache (Redis).",
                 timelines.failures(), "counter");
    AppendMetric(out, "chirp_timeline_cache_hits_total",
                 "Home timeline reads served from the cache.", home.hits(), "counter");
    AppendMetric(out, "chirp_timeline_cache_misses_total",
                 "Home timeline reads that rebuilt from the store.", home.misses(), "counter");
    AppendMetric(out, "chirp_timeline_entry_slots",
                 "Entries the memory held by cached home timelines could hold.", t.entry_slots,
                 "gauge");
    AppendMetric(out, "chirp_timeline_entry_bytes", "Bytes of one timeline entry.",
                 sizeof(TimelineEntry), "gauge");
    AppendMetric(out, "chirp_timeline_rebuilds_total",
                 "Home timelines rebuilt from the authors' lists and the store.", home.rebuilds(),
                 "counter");
    AppendMetric(out, "chirp_timeline_rebuild_cpu_microseconds_total",
                 "CPU time the rebuilds of home timelines took.", home.rebuild_cpu_ns() / 1000,
                 "counter");
    AppendMetric(out, "chirp_celebrities", "Accounts whose statuses are merged at read time.",
                 home.celebrities().size(), "gauge");
    const AuthorPostsStats authors = home.author_posts().Stats();
    AppendMetric(out, "chirp_author_lists", "Authors whose recent statuses are in memory.",
                 authors.authors, "gauge");
    AppendMetric(out, "chirp_author_posts", "Statuses held in the authors' lists.", authors.posts,
                 "gauge");
    AppendMetric(out, "chirp_author_posts_bytes", "Memory the authors' lists take (estimate).",
                 authors.bytes, "gauge");
    AppendMetric(out, "chirp_status_cache_entries", "Statuses held in memory.", statuses.size(),
                 "gauge");
    AppendMetric(out, "chirp_status_cache_bytes",
                 "Memory the statuses held take (estimate, bounded by --status-cache-mib).",
                 statuses.bytes(), "gauge");
    AppendMetric(out, "chirp_reader_cache_entries", "Readers whose relations are held in memory.",
                 viewers.size(), "gauge");
    AppendMetric(out, "chirp_reader_cache_bytes", "Memory the readers held take (estimate).",
                 viewers.bytes(), "gauge");
    AppendMetric(out, "chirp_accounts_held", "Accounts held in memory.", accounts.size(), "gauge");
    AppendMetric(out, "chirp_account_bytes",
                 "Memory the accounts held and their JSON take (estimate).", accounts.bytes(),
                 "gauge");
    AppendMetric(out, "chirp_process_resident_bytes", "Resident memory of the process.",
                 ProcessResidentBytes(), "gauge");
    std::vector<double> lag_bounds;
    for (int64_t ms : LagHistogram::kBucketsMs) lag_bounds.push_back(ms / 1000.0);
    if (!fan_out_lanes.lanes.empty()) {
      // Over every partition this process runs (standing by, a lane adds
      // nothing).
      uint64_t handled = 0;
      int64_t last_ms = 0;
      double sum_ms = 0;
      std::vector<uint64_t> counts;
      for (const EventLane* lane : fan_out_lanes.lanes) {
        handled += lane->handled();
        last_ms = std::max(last_ms, lane->lag().last_ms());
        sum_ms += static_cast<double>(lane->lag().sum_ms());
        const std::vector<uint64_t> c = lane->lag().counts();
        counts.resize(std::max(counts.size(), c.size()));
        for (size_t i = 0; i < c.size(); ++i) counts[i] += c[i];
      }
      AppendMetric(out, "chirp_events_handled_total", "Outbox events handled by fan-out.", handled,
                   "counter");
      AppendMetric(out, "chirp_events_lag_milliseconds",
                   "From the commit of the newest event fan-out handled to its handling.",
                   static_cast<uint64_t>(last_ms), "gauge");
      AppendHistogram(out, "chirp_events_lag_seconds",
                      "From an event's commit to its handling by fan-out (fan-out lag).",
                      lag_bounds, counts, sum_ms / 1000.0);
    }
    AppendLaneMetrics(drainer, out);
    AppendOutboxDepth(**store, out);
    if (search_lane != nullptr) {
      AppendHistogram(out, "chirp_search_index_lag_seconds",
                      "From an event's commit to its indexing for search.", lag_bounds,
                      search_lane->lag().counts(), search_lane->lag().sum_ms() / 1000.0);
    }
    if (search_index != nullptr) {
      AppendMetric(
          out, "chirp_search_index_bytes",
          "Bytes of the search index (its files, or its tables in PostgreSQL).",
          [&] {
            auto bytes = search_index->Bytes();
            return bytes ? static_cast<uint64_t>(*bytes) : 0;
          }(),
          "gauge");
    }
    AppendMetric(out, "chirp_fanout_pushes_total", "Timeline entries pushed by fan-out.",
                 fan_out.pushes(), "counter");
    AppendMetric(out, "chirp_stream_connections", "Open streaming API connections.",
                 stream_hub.connections(), "gauge");
    AppendMetric(out, "chirp_stream_readers", "Accounts with a user stream open.",
                 stream_hub.reader_count(), "gauge");
    AppendMetric(out, "chirp_stream_events_total", "Events handed to streaming connections.",
                 stream_hub.delivered(), "counter");
  };
  Router router;
  AddAllRoutes(router, context);
  std::vector<std::string> names;
  for (const auto& route : router.routes()) names.push_back(route->method + " " + route->pattern);
  HttpMetrics metrics(std::move(names));
  context.metrics = &metrics;

  ServerOptions server_options = ServerOptionsWithin(config.server, RaiseOpenFileLimit());
  // Uploads are written beside the media files, where processing works
  // (created by media.Start(), before the server runs).
  server_options.spool_dir = media_dir + "/.work";
  HttpServer server(
      server_options, router, metrics,
      [parts = context.endpoint()](HttpRequest& r, bool path_matched) {
        return Fallback(parts, r, path_matched);
      },
      [](const HttpRequest& request, HttpResponse& response) {
        AddCorsHeaders(request, response);
      });
  server.AddStopListener([&stream_hub] { stream_hub.CloseAll(); });
  auto port = server.Listen();
  if (!port) return Fail(port.error().message);
  const std::string shown_host = config.server.host.find(':') != std::string::npos
                                     ? "[" + config.server.host + "]"
                                     : config.server.host;
  // The notifier first handles what a previous run left it (and every lane
  // any dead letters marked for replay); then each lane follows every commit.
  const std::string own_base_url = !config.api.public_url.empty()
                                       ? config.api.public_url
                                       : "http://" + shown_host + ":" + std::to_string(*port);
  stream_publisher.SetBaseUrl(own_base_url);
  stream_hub.Start();
  if (Status s = drainer.Start(); !s) return Fail(s.error().message);
  TimelineJanitor janitor(timelines, clock, config.timelines.live_window_ms,
                          config.timeline_cache_mib << 20);
  if (Status s = media.Start(); !s) return Fail(s.error().message);
  MediaJanitor media_janitor(media);
  std::printf("chirpd listening on http://%s:%u\n", shown_host.c_str(),
              static_cast<unsigned>(*port));
  std::fflush(stdout);
  server.Run();
  author_preload.Stop();
  media_janitor.Stop();
  media.Stop();
  janitor.Stop();
  drainer.Stop();
  (*store)->Close();
  std::fprintf(stderr, "chirpd: stopped\n");
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h" || a == "help") {
      std::printf("%s%s%s%s", kUsage, kAdminUsage, kOptionsHeading, OptionsHelp().c_str());
      return 0;
    }
  }
  if (!InitSecrets()) return Fail("libsodium failed to initialise");
  // Pages of a response are reused by the next one: without this, freeing a
  // large response at the top of the heap gives its pages back, and the
  // next response faults them in again.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  std::string command = "serve";
  if (!args.empty() && !args[0].starts_with("--")) {
    command = args[0];
    args.erase(args.begin());
  }
  if (command == "serve") {
    auto config = ParseConfig(args, Env);
    if (!config) return Fail(config.error().message);
    return Serve(*config);
  }
  if (command == "worker") {
    auto config = ParseConfig(args, Env);
    if (!config) return Fail(config.error().message);
    return Work(*config);
  }
  if (command == "migrate") {
    auto config = ParseConfig(args, Env);
    if (!config) return Fail(config.error().message);
    auto store = OpenStore(*config);
    if (!store) return Fail(store.error().message);
    (*store)->Close();
    std::printf("chirpd: schema is up to date\n");
    return 0;
  }
  if (command == "admin") return RunAdminCommand(std::move(args));
  return Fail("unknown command '" + command + "' (see chirpd --help)");
}

}  // namespace
}  // namespace chirp

int main(int argc, char** argv) { return chirp::Main(argc, argv); }
