#include "app/worker.h"

#include <signal.h>

#include <cstdio>
#include <limits>

#include "app/command_support.h"
#include "auth/authenticator.h"
#include "core/clock.h"
#include "core/snowflake.h"
#include "events/outbox_drainer.h"
#include "mastodon/account_directory.h"
#include "mastodon/cache_keeper.h"
#include "mastodon/status_directory.h"
#include "social/notifier.h"
#include "social/viewer_cache.h"
#include "timeline/fan_out.h"

namespace chirp {

int Work(const Config& config) {
  if (config.database.url.empty()) {
    return Fail(
        "a worker shares a PostgreSQL database with the API instances: give --database-url");
  }
  // Held from here on, so that the threads started below inherit the mask
  // and the signals wait for sigwait.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

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
  if (Status s = drainer.Open(); !s) return Fail(s.error().message);
  if (Status s = drainer.Start(); !s) return Fail(s.error().message);
  std::printf("chirpd worker %lld running\n", static_cast<long long>(config.worker_id));
  std::fflush(stdout);
  int received = 0;
  sigwait(&stop_signals, &received);
  drainer.Stop();
  (*store)->Close();
  std::fprintf(stderr, "chirpd: worker stopped\n");
  return 0;
}

}  // namespace chirp
