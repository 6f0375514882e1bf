// chirpd: the Chirp server and its operator commands. This file only wires
// modules together.
#include <malloc.h>

#include <boost/json/serialize.hpp>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api/account_directory.h"
#include "api/api_context.h"
#include "api/authenticator.h"
#include "api/routes.h"
#include "api/scopes.h"
#include "api/stream_publisher.h"
#include "app/config.h"
#include "core/clock.h"
#include "core/secrets.h"
#include "core/snowflake.h"
#include "core/text.h"
#include "events/outbox_drainer.h"
#include "http/metrics.h"
#include "http/router.h"
#include "http/server.h"
#include "ratelimit/rate_limiter.h"
#include "social/notifier.h"
#include "social/registration.h"
#include "store/sqlite/sqlite_store.h"
#include "stream/pubsub.h"
#include "stream/stream_hub.h"
#include "timeline/fan_out.h"
#include "timeline/home_timeline.h"
#include "timeline/memory_timeline_cache.h"

namespace chirp {
namespace {

constexpr const char* kUsage =
    "chirpd: a microblogging server that speaks the Mastodon client API.\n"
    "\n"
    "Usage:\n"
    "  chirpd [serve] [options]        serve HTTP on the embedded store (the default)\n"
    "  chirpd migrate [options]        create or upgrade the store's schema, then exit\n"
    "  chirpd admin create-account --username NAME --email ADDRESS --password SECRET [options]\n"
    "                                  create a confirmed account; prints it as JSON\n"
    "  chirpd admin token --username NAME [--scopes 'read write follow push'] [options]\n"
    "                                  issue an access token for an account; prints it as JSON\n"
    "  chirpd admin token --usernames FILE [--scopes ...] [options]\n"
    "                                  one token per username listed; prints 'id username "
    "token'\n"
    "  chirpd admin import-graph --edges FILE [--prefix user] [--one-way on] [options]\n"
    "                                  bulk-load accounts PREFIXn and follows from a file of 'a "
    "b'\n"
    "                                  lines (each a follow both ways unless --one-way on)\n"
    "  chirpd --help                   this text\n"
    "\n"
    "admin commands may run while a server uses the same data directory; their ids\n"
    "come from worker id 1023 unless --worker-id names another non-zero one.\n"
    "\n"
    "Options (each also an environment variable; flags win):\n";

std::string Env(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v != nullptr ? v : "";
}

int Fail(const std::string& message) {
  std::fprintf(stderr, "chirpd: %s\n", message.c_str());
  return 2;
}

// Drops cached home timelines not read within the live window, once a minute.
class TimelineJanitor {
 public:
  TimelineJanitor(TimelineCache& cache, const Clock& clock, int64_t window_ms)
      : thread_([this, &cache, &clock, window_ms] {
          std::unique_lock lock(mu_);
          while (!cv_.wait_for(lock, std::chrono::minutes(1), [this] { return stopping_; })) {
            cache.DropIdle(clock.NowMillis() - window_ms);
          }
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

Result<std::unique_ptr<SqliteStore>> OpenStore(const Config& config) {
  std::error_code ec;
  std::filesystem::create_directories(config.data_dir, ec);
  if (ec) return Error::Unavailable("cannot create " + config.data_dir + ": " + ec.message());
  SqliteStoreOptions options;
  options.path = (std::filesystem::path(config.data_dir) / "chirp.db").string();
  options.synchronous = config.synchronous;
  // One read connection for every thread that may read, so none waits for one.
  options.readers = config.server.blocking_threads + 4;
  return SqliteStore::Open(options);
}

int Serve(const Config& config) {
  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  Authenticator auth(**store);
  AccountDirectory accounts(**store);
  StatusDirectory statuses(**store, accounts, config.status_cache_size);
  ViewerCache viewers(**store, clock, {.capacity = config.reader_cache_size});
  InMemoryRateLimiter limiter;
  MemoryTimelineCache timelines(config.timeline_size);
  HomeTimeline home(**store, timelines, config.timelines, clock);
  if (Status s = home.celebrities().Load(); !s) return Fail(s.error().message);
  FanOut fan_out(**store, timelines, config.timelines, &home.author_posts());
  ApiContext context{config.api, **store,  clock,   ids,     auth,
                     accounts,   statuses, viewers, limiter, &home};
  LocalPubSub pubsub;
  StreamHub stream_hub(pubsub, viewers);
  context.stream_hub = &stream_hub;
  context.stream_options.buffer_bytes = config.stream_buffer_bytes;
  StreamPublisher stream_publisher(context, pubsub, stream_hub, fan_out);
  // Statuses come from the directory the API renders them with: a status
  // just posted is there already. The base URL is the publisher's.
  std::string own_base_url = "http://localhost";
  Notifier notifier(**store, clock, ids, [&](int64_t id) -> Result<StatusRecord> {
    auto status = statuses.Get(id, own_base_url);
    if (!status) return std::move(status).error();
    return (*status)->record;
  });
  notifier.SetListener([&](const std::vector<NotificationRecord>& added) {
    stream_publisher.NotificationsAdded(added);
  });
  OutboxDrainer drainer(**store, clock, {&fan_out, &notifier, &stream_publisher});

  context.extra_metrics = [&](std::string& out) {
    const TimelineCacheStats t = timelines.Stats();
    AppendMetric(out, "chirp_timeline_live", "Home timelines held in the cache.", t.live_timelines,
                 "gauge");
    AppendMetric(out, "chirp_timeline_entries", "Entries in cached home timelines.", t.entries,
                 "gauge");
    AppendMetric(out, "chirp_timeline_cache_hits_total",
                 "Home timeline reads served from the cache.", home.hits(), "counter");
    AppendMetric(out, "chirp_timeline_cache_misses_total",
                 "Home timeline reads that rebuilt from the store.", home.misses(), "counter");
    AppendMetric(out, "chirp_timeline_entry_slots",
                 "Entries the memory held by cached home timelines could hold.", t.entry_slots,
                 "gauge");
    AppendMetric(out, "chirp_timeline_entry_bytes", "Bytes of one timeline entry.",
                 sizeof(TimelineEntry), "gauge");
    AppendMetric(out, "chirp_celebrities", "Accounts whose statuses are merged at read time.",
                 home.celebrities().size(), "gauge");
    AppendMetric(out, "chirp_celebrity_lists", "Celebrities whose recent statuses are in memory.",
                 home.author_posts().authors(), "gauge");
    AppendMetric(out, "chirp_status_cache_entries", "Statuses held in memory.", statuses.size(),
                 "gauge");
    AppendMetric(out, "chirp_reader_cache_entries", "Readers whose relations are held in memory.",
                 viewers.size(), "gauge");
    AppendMetric(out, "chirp_events_handled_total", "Outbox events handled by the consumers.",
                 drainer.handled(), "counter");
    AppendMetric(out, "chirp_events_lag_milliseconds",
                 "From the commit of the newest handled event to its handling (fan-out lag).",
                 static_cast<uint64_t>(std::max<int64_t>(0, drainer.last_lag_ms())), "gauge");
    std::vector<double> lag_bounds;
    for (int64_t ms : OutboxDrainer::kLagBucketsMs) lag_bounds.push_back(ms / 1000.0);
    AppendHistogram(out, "chirp_events_lag_seconds",
                    "From an event's commit to its handling by every consumer (fan-out lag).",
                    lag_bounds, drainer.lag_counts(), drainer.lag_sum_ms() / 1000.0);
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

  HttpServer server(
      config.server, router, metrics,
      [&context](HttpRequest& r, bool path_matched) { return Fallback(context, r, path_matched); },
      [](const HttpRequest& request, HttpResponse& response) {
        AddCorsHeaders(request, response);
      });
  server.AddStopListener([&stream_hub] { stream_hub.CloseAll(); });
  auto port = server.Listen();
  if (!port) return Fail(port.error().message);
  const std::string shown_host = config.server.host.find(':') != std::string::npos
                                     ? "[" + config.server.host + "]"
                                     : config.server.host;
  // Events left by a previous run (killed before its consumers caught up)
  // are handled first; then the drainer follows every commit.
  own_base_url = !config.api.public_url.empty()
                     ? config.api.public_url
                     : "http://" + shown_host + ":" + std::to_string(*port);
  stream_publisher.SetBaseUrl(own_base_url);
  stream_hub.Start();
  drainer.Start();
  TimelineJanitor janitor(timelines, clock, config.timelines.live_window_ms);
  std::printf("chirpd listening on http://%s:%u\n", shown_host.c_str(),
              static_cast<unsigned>(*port));
  std::fflush(stdout);
  server.Run();
  janitor.Stop();
  drainer.Stop();
  (*store)->Close();
  std::fprintf(stderr, "chirpd: stopped\n");
  return 0;
}

int CreateAccount(const Config& config, const std::map<std::string, std::string>& extra) {
  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  RegistrationRequest request;
  auto get = [&](const char* key) {
    auto it = extra.find(key);
    return it == extra.end() ? std::string() : it->second;
  };
  request.username = get("username");
  request.email = get("email");
  request.password = get("password");
  request.agreement = true;
  auto account = RegisterAccount(request, **store, ids, clock);
  (*store)->Close();
  if (!account) return Fail(account.error().message);
  boost::json::object out{{"id", std::to_string(account->id)}, {"username", account->username}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

constexpr const char* kAdminClientId = "chirpd-admin";

// The app that operator-issued tokens belong to, created on first use.
Result<App> AdminApp(Store& store, SnowflakeGenerator& ids, const Clock& clock) {
  auto app = store.FindAppByClientId(kAdminClientId);
  if (app || app.error().code != ErrorCode::kNotFound) return app;
  App created;
  created.id = ids.Next();
  created.name = "chirpd admin";
  created.redirect_uris = {"urn:ietf:wg:oauth:2.0:oob"};
  created.scopes = "read write follow push";
  created.client_id = kAdminClientId;
  created.client_secret_digest = TokenDigest(RandomToken());  // never used to sign in
  created.created_at_ms = clock.NowMillis();
  if (Status s = store.CreateApp(created); !s) return std::move(s).error();
  return created;
}

// Issues one token for `account_id`; returns the token.
Result<std::string> IssueTokenFor(Store& store, SnowflakeGenerator& ids, const Clock& clock,
                                  const App& app, int64_t account_id, const ScopeSet& scopes) {
  const std::string token = RandomToken();
  AccessToken record;
  record.id = ids.Next();
  record.digest = TokenDigest(token);
  record.app_id = app.id;
  record.account_id = account_id;
  record.scopes = scopes.ToString();
  record.created_at_ms = clock.NowMillis();
  if (Status s = store.CreateToken(record); !s) return std::move(s).error();
  return token;
}

// One token for --username (printed as JSON), or one per line of
// --usernames FILE (printed as 'account_id username token' lines, the
// benchmark's format).
int IssueToken(const Config& config, const std::map<std::string, std::string>& extra) {
  const auto get = [&](const char* key, const char* fallback) {
    auto it = extra.find(key);
    return it == extra.end() ? std::string(fallback) : it->second;
  };
  const std::string scopes = get("scopes", "read write follow push");
  const auto parsed = ScopeSet::Parse(scopes);
  if (!parsed || parsed->empty()) return Fail("--scopes: unknown scope in '" + scopes + "'");
  std::vector<std::string> usernames;
  const std::string list = get("usernames", "");
  if (!list.empty()) {
    std::ifstream in(list);
    if (!in) return Fail("cannot read " + list);
    for (std::string line; std::getline(in, line);) {
      const std::string_view name = TrimAscii(line);
      if (!name.empty()) usernames.emplace_back(name);
    }
  } else {
    usernames.push_back(get("username", ""));
  }
  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  auto app = AdminApp(**store, ids, clock);
  if (!app) return Fail(app.error().message);
  for (const std::string& username : usernames) {
    auto account = (*store)->FindAccountByUsername(username);
    if (!account) return Fail("no account named '" + username + "'");
    auto token = IssueTokenFor(**store, ids, clock, *app, account->id, *parsed);
    if (!token) return Fail(token.error().message);
    if (list.empty()) {
      boost::json::object out{{"access_token", *token},
                              {"account_id", std::to_string(account->id)},
                              {"scope", parsed->ToString()}};
      std::printf("%s\n", boost::json::serialize(out).c_str());
    } else {
      std::printf("%lld %s %s\n", static_cast<long long>(account->id), account->username.c_str(),
                  token->c_str());
    }
  }
  (*store)->Close();
  return 0;
}

// Reads `a b` lines of an edge file (others, such as '#' comments, are
// skipped), calling `each(a, b)`; false when the file cannot be read.
template <typename Each>
bool ForEachEdge(const std::string& path, Each each) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) return false;
  char line[256];
  while (std::fgets(line, sizeof line, file) != nullptr) {
    char* end = nullptr;
    const long long a = std::strtoll(line, &end, 10);
    if (end == line) continue;
    char* second = end;
    const long long b = std::strtoll(second, &end, 10);
    if (end == second || a < 0 || b < 0) continue;
    each(a, b);
  }
  std::fclose(file);
  return true;
}

// Bulk-loads a graph in two passes over the file: the accounts it names,
// then its follows in batches, then the counters. Memory: a few bytes per
// account and one batch of follows, whatever the number of follows.
int ImportGraph(const Config& config, const std::map<std::string, std::string>& extra) {
  constexpr long long kMaxNode = 1'000'000'000;
  constexpr size_t kAccountBatch = 100'000;
  constexpr size_t kFollowBatch = 500'000;
  const auto get = [&](const char* key, const char* fallback) {
    auto it = extra.find(key);
    return it == extra.end() ? std::string(fallback) : it->second;
  };
  const std::string path = get("edges", "");
  if (path.empty()) return Fail("import-graph needs --edges FILE");
  const std::string prefix = get("prefix", "user");
  const bool one_way = get("one-way", "off") == "on";

  std::vector<bool> named;  // by node number
  bool too_large = false;
  if (!ForEachEdge(path, [&](long long a, long long b) {
        if (a > kMaxNode || b > kMaxNode) {
          too_large = true;
          return;
        }
        const auto top = static_cast<size_t>(std::max(a, b));
        if (named.size() <= top) named.resize(top + 1);
        named[static_cast<size_t>(a)] = true;
        named[static_cast<size_t>(b)] = true;
      })) {
    return Fail("cannot read " + path);
  }
  if (too_large) return Fail("node numbers go up to 1,000,000,000");

  auto store = OpenStore(config);
  if (!store) return Fail(store.error().message);
  SystemClock clock;
  SnowflakeGenerator ids(clock, config.worker_id);
  std::vector<int64_t> account_of(named.size(), 0);
  int64_t accounts = 0;
  std::vector<Account> batch;
  std::vector<size_t> batch_nodes;
  const auto flush_accounts = [&]() -> bool {
    auto stored = (*store)->ImportAccounts(batch);
    if (!stored) return false;
    for (size_t i = 0; i < batch.size(); ++i) account_of[batch_nodes[i]] = (*stored)[i];
    accounts += static_cast<int64_t>(batch.size());
    batch.clear();
    batch_nodes.clear();
    return true;
  };
  for (size_t n = 0; n < named.size(); ++n) {
    if (!named[n]) continue;
    Account account;
    account.id = ids.Next();
    account.username = prefix + std::to_string(n);
    account.created_at_ms = clock.NowMillis();
    batch.push_back(std::move(account));
    batch_nodes.push_back(n);
    if (batch.size() == kAccountBatch && !flush_accounts())
      return Fail("importing accounts failed");
  }
  if (!batch.empty() && !flush_accounts()) return Fail("importing accounts failed");

  int64_t added = 0;
  std::vector<std::pair<int64_t, int64_t>> follows;
  follows.reserve(kFollowBatch + 1);
  Status failed;
  const auto flush_follows = [&] {
    if (follows.empty() || !failed) return;
    // Ids for the batch: the store numbers its follows from the first.
    const int64_t first = ids.Next();
    for (size_t i = 1; i < follows.size(); ++i) (void)ids.Next();
    auto done = (*store)->ImportFollows(follows, first);
    if (!done) {
      failed = std::move(done).error();
      return;
    }
    added += *done;
    follows.clear();
  };
  ForEachEdge(path, [&](long long a, long long b) {
    const int64_t from = account_of[static_cast<size_t>(a)];
    const int64_t to = account_of[static_cast<size_t>(b)];
    follows.emplace_back(from, to);
    if (!one_way) follows.emplace_back(to, from);
    if (follows.size() >= kFollowBatch) flush_follows();
  });
  flush_follows();
  if (!failed) return Fail(failed.error().message);
  if (Status s = (*store)->RecountFollows(); !s) return Fail(s.error().message);
  (*store)->Close();
  boost::json::object out{{"accounts", accounts}, {"follows", added}};
  std::printf("%s\n", boost::json::serialize(out).c_str());
  return 0;
}

int Main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  for (const auto& a : args) {
    if (a == "--help" || a == "-h" || a == "help") {
      std::printf("%s%s", kUsage, OptionsHelp().c_str());
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
  if (command == "migrate") {
    auto config = ParseConfig(args, Env);
    if (!config) return Fail(config.error().message);
    auto store = OpenStore(*config);
    if (!store) return Fail(store.error().message);
    (*store)->Close();
    std::printf("chirpd: schema is up to date\n");
    return 0;
  }
  if (command == "admin") {
    // Operator commands may run beside a server using the same store: unless
    // told otherwise they take the last worker id, so their ids cannot
    // collide with a server's (which default to 0).
    constexpr int64_t kOperatorWorkerId = SnowflakeGenerator::kMaxWorker;
    const auto operator_config = [&](Result<Config> c) {
      if (c && c->worker_id == 0) c->worker_id = kOperatorWorkerId;
      return c;
    };
    const std::string sub = args.empty() ? "" : args[0];
    if (!args.empty()) args.erase(args.begin());
    std::map<std::string, std::string> extra;
    if (sub == "create-account") {
      auto config = operator_config(
          ParseConfig(args, Env, nullptr, &extra, {"username", "email", "password"}));
      if (!config) return Fail(config.error().message);
      return CreateAccount(*config, extra);
    }
    if (sub == "token") {
      auto config = operator_config(
          ParseConfig(args, Env, nullptr, &extra, {"username", "usernames", "scopes"}));
      if (!config) return Fail(config.error().message);
      return IssueToken(*config, extra);
    }
    if (sub == "import-graph") {
      auto config =
          operator_config(ParseConfig(args, Env, nullptr, &extra, {"edges", "prefix", "one-way"}));
      if (!config) return Fail(config.error().message);
      return ImportGraph(*config, extra);
    }
    return Fail(
        "admin needs a subcommand: create-account, token or import-graph (see chirpd --help)");
  }
  return Fail("unknown command '" + command + "' (see chirpd --help)");
}

}  // namespace
}  // namespace chirp

int main(int argc, char** argv) { return chirp::Main(argc, argv); }
