#include "app/worker.h"

#include <signal.h>

#include <cstdio>
#include <limits>
#include <memory>
#include <string>
#include <thread>

#include "app/command_support.h"
#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/snowflake.h"
#include "core/stop_signals.h"
#include "events/lane_metrics.h"
#include "events/outbox_drainer.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "mastodon/account_directory.h"
#include "mastodon/cache_keeper.h"
#include "mastodon/status_directory.h"
#include "search/search_indexer.h"
#include "social/notifier.h"
#include "social/viewer_cache.h"
#include "timeline/fan_out.h"

namespace chirp {
namespace {

// A worker's /metrics and /ready on --metrics-listen: a server of its own,
// small (one network thread, two blocking ones), run on a thread of its
// own until Stop.
class WorkerMetricsServer {
 public:
  // `drainer` and `store` must outlive the server.
  WorkerMetricsServer(const ListenAddress& address, const OutboxDrainer& drainer, Store& store)
      : drainer_(drainer), store_(store) {
    router_.Add({.method = "GET", .pattern = "/metrics", .handler = [this](HttpRequest&, const PathParams&) {
                   HttpResponse r;
                   r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                   AppendLaneMetrics(drainer_, r.body);
                   AppendOutboxDepth(store_, r.body);
                   return r;
                 }});
    router_.Add({.method = "GET", .pattern = "/ready", .handler = [this](HttpRequest&, const PathParams&) {
                   if (!store_.NewestOutboxId()) {
                     return JsonResponse(503, "{\"status\":\"unavailable\"}");
                   }
                   return JsonResponse(200, "{\"status\":\"ready\"}");
                 }});
    metrics_ = std::make_unique<HttpMetrics>(std::vector<std::string>{"GET /metrics", "GET /ready"});
    ServerOptions options;
    options.host = address.host;
    options.port = address.port;
    options.network_threads = 1;
    options.blocking_threads = 2;
    options.stop_on_signals = false;  // the worker's main thread waits for them
    server_ = std::make_unique<HttpServer>(
        options, router_, *metrics_,
        [](HttpRequest&, bool) { return JsonResponse(404, "{\"error\":\"Record not found\"}"); },
        [](const HttpRequest&, HttpResponse&) {});
  }
  ~WorkerMetricsServer() { Stop(); }

  // Binds and starts serving; the bound port.
  Result<uint16_t> Start() {
    auto port = server_->Listen();
    if (!port) return port;
    thread_ = std::thread([this] { server_->Run(); });
    return port;
  }
  void Stop() {
    if (!thread_.joinable()) return;
    server_->Stop();
    thread_.join();
  }

 private:
  const OutboxDrainer& drainer_;
  Store& store_;
  Router router_;
  std::unique_ptr<HttpMetrics> metrics_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

}  // namespace

int Work(const Config& config) {
  if (config.database.url.empty()) {
    return Fail(
        "a worker shares a PostgreSQL database with the API instances: give --database-url");
  }
  // Held from here on, so that the threads started below inherit the mask
  // and the signals wait for sigwait.
  BlockStopSignals();

  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  auto redis = ConnectRedis(config);
  if (!redis) return Fail(redis.error().message);
  if (Status s = HoldWorkerIdInStore(**store, config.worker_id); !s) {
    return Fail(s.error().message);
  }
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  // The notifier renders nothing, but reads statuses through the directory
  // the cache keeper keeps current, as in an API instance.
  Authenticator auth(**store);
  AccountDirectory accounts(**store, config.account_cache_mib << 20);
  StatusDirectory statuses(**store, accounts, std::numeric_limits<size_t>::max(),
                           config.status_cache_mib << 20);
  ViewerCache viewers(
      **store, clock,
      {.capacity = config.reader_cache_size, .max_bytes = config.reader_cache_mib << 20});
  CacheKeeper cache_keeper(accounts, statuses, viewers, auth, nullptr, nullptr);
  const auto find_status = [&statuses](int64_t id) { return statuses.FindLive(id); };
  Notifier notifier(**store, clock, ids, find_status);
  OutboxDrainer drainer(**store, clock);
  drainer.Add(cache_keeper, {.name = "cache_keeper", .gather_us = 5000});
  const SharedLanes notifier_lanes =
      AddSharedLanes(drainer, **store, config, {.name = "notifier", .gather_us = 5000}, notifier,
                     [&] { return std::make_unique<Notifier>(**store, clock, ids, find_status); });
  // Timelines in Redis are fanned out to by the processes that share them,
  // each lane (or partition) by one at a time; a worker takes those no
  // other process holds. Timelines kept in the API instances' memory are
  // theirs to fan out to.
  std::unique_ptr<TimelineCache> timelines;
  std::unique_ptr<FanOut> fan_out;
  SharedLanes fan_out_lanes;
  if (*redis != nullptr) {
    timelines = MakeTimelineCache(config, redis->get());
    fan_out = std::make_unique<FanOut>(**store, *timelines, config.timelines);
    fan_out_lanes = AddSharedLanes(drainer, **store, config, {.name = kFanOutLane}, *fan_out, [&] {
      return std::make_unique<FanOut>(**store, *timelines, config.timelines);
    });
  }
  // The search index in the database, which every process reads, kept by
  // one process at a time.
  std::unique_ptr<SearchIndex> search_index;
  std::unique_ptr<SearchIndexer> search_indexer;
  if (config.search) {
    auto opened = OpenSearchIndex(config);
    if (!opened) return Fail(opened.error().message);
    search_index = std::move(opened).value();
    if (Status s = PrepareSearchIndex(**store, *search_index, clock, SearchIndexerLane(config));
        !s) {
      return Fail(s.error().message);
    }
    search_indexer = std::make_unique<SearchIndexer>(**store, *search_index);
    drainer.Add(*search_indexer, SearchIndexerLaneOptions(config));
  } else if (Status s = MarkSearchIndexStale(**store, clock, SearchIndexerLane(config)); !s) {
    return Fail(s.error().message);
  }
  if (Status s = drainer.Open(); !s) return Fail(s.error().message);
  if (Status s = drainer.Start(); !s) return Fail(s.error().message);
  std::unique_ptr<WorkerMetricsServer> metrics;
  if (config.metrics_listen) {
    metrics = std::make_unique<WorkerMetricsServer>(*config.metrics_listen, drainer, **store);
    auto port = metrics->Start();
    if (!port) return Fail(port.error().message);
    std::printf("chirpd worker %lld metrics on http://%s:%u\n",
                static_cast<long long>(config.worker_id), config.metrics_listen->host.c_str(),
                static_cast<unsigned>(*port));
  }
  std::printf("chirpd worker %lld running\n", static_cast<long long>(config.worker_id));
  std::fflush(stdout);
  const int received = WaitForStopSignal();
  std::fprintf(stderr, "chirpd: worker stopping on %s\n", received == SIGINT ? "SIGINT" : "SIGTERM");
  if (metrics) metrics->Stop();
  drainer.Stop();
  (*store)->Close();
  std::fprintf(stderr, "chirpd: worker stopped\n");
  return 0;
}

}  // namespace chirp
