#include "app/config.h"

#include <charconv>

#include "core/text.h"

namespace chirp {
namespace {

struct Option {
  const char* flag;  // without the leading "--"
  const char* env;
  const char* help;
  std::function<Status(Config&, const std::string&)> apply;
};

Result<int64_t> ParseInt(const std::string& s, int64_t min, int64_t max, const char* what) {
  int64_t v = 0;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (r.ec != std::errc() || r.ptr != s.data() + s.size() || v < min || v > max) {
    return Error::BadRequest(std::string(what) + " must be a whole number from " +
                             std::to_string(min) + " to " + std::to_string(max) + ", not '" + s +
                             "'");
  }
  return v;
}

// "HOST:PORT", "[V6]:PORT" or ":PORT" (every address).
Result<ListenAddress> ParseListen(const std::string& v, const char* what) {
  const size_t colon = v.rfind(':');
  if (colon == std::string::npos)
    return Error::BadRequest(std::string(what) + " must be HOST:PORT");
  auto port = ParseInt(v.substr(colon + 1), 0, 65535, "the port");
  if (!port) return std::move(port).error();
  std::string host = v.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return ListenAddress{host.empty() ? "0.0.0.0" : host, static_cast<uint16_t>(*port)};
}

Result<bool> ParseSwitch(const std::string& s, const char* what) {
  const std::string v = AsciiLower(s);
  if (v == "on" || v == "true" || v == "1" || v == "yes" || v == "open") return true;
  if (v == "off" || v == "false" || v == "0" || v == "no" || v == "closed") return false;
  return Error::BadRequest(std::string(what) + " must be on or off, not '" + s + "'");
}

// An option holding a whole number from `min` to `max`, handed to `set`.
template <typename Set>
std::function<Status(Config&, const std::string&)> WholeNumber(const char* what, int64_t min,
                                                               int64_t max, Set set) {
  return [=](Config& c, const std::string& v) -> Status {
    auto n = ParseInt(v, min, max, what);
    if (!n) return std::move(n).error();
    set(c, *n);
    return {};
  };
}

std::function<Status(Config&, const std::string&)> RuleSetter(
    RateLimitRule RateLimitConfig::*member, const char* what) {
  return [member, what](Config& c, const std::string& v) -> Status {
    RateLimitRule rule;
    if (!RateLimitRule::Parse(v, &rule)) {
      return Error::BadRequest(std::string(what) + " must look like COUNT/SECONDS, e.g. 300/300");
    }
    c.api.rate_limits.*member = rule;
    return {};
  };
}

const std::vector<Option>& Options() {
  static const std::vector<Option> options = {
      {"listen", "CHIRP_LISTEN", "HOST:PORT to serve on (default 127.0.0.1:8080; port 0 picks one)",
       [](Config& c, const std::string& v) -> Status {
         auto address = ParseListen(v, "--listen");
         if (!address) return std::move(address).error();
         c.server.host = address->host;
         c.server.port = address->port;
         return {};
       }},
      {"metrics-listen", "CHIRP_METRICS_LISTEN",
       "HOST:PORT where `chirpd worker` serves /metrics and /ready (default: none)",
       [](Config& c, const std::string& v) -> Status {
         auto address = ParseListen(v, "--metrics-listen");
         if (!address) return std::move(address).error();
         c.metrics_listen = *address;
         return {};
       }},
      {"data", "CHIRP_DATA",
       "directory of the embedded store, created when missing (default ./data)",
       [](Config& c, const std::string& v) -> Status {
         if (v.empty()) return Error::BadRequest("--data must not be empty");
         c.data_dir = v;
         return {};
       }},
      {"database-url", "CHIRP_DATABASE_URL",
       "PostgreSQL to keep the records in instead of the embedded store, as a libpq "
       "connection string or postgresql:// URL (default: none, the embedded store in --data)",
       [](Config& c, const std::string& v) -> Status {
         c.database.url = v;
         return {};
       }},
      {"database-session-url", "CHIRP_DATABASE_SESSION_URL",
       "a direct connection to the PostgreSQL of --database-url, for what a pooler in "
       "transaction mode cannot carry: LISTEN, session advisory locks, the migrations "
       "(default: --database-url)",
       [](Config& c, const std::string& v) -> Status {
         c.database.session_url = v;
         return {};
       }},
      {"database-replica-url", "CHIRP_DATABASE_REPLICA_URL",
       "a streaming replica of that PostgreSQL for the reads that may lag, with "
       "read-your-writes; each one given adds one (default: none, every read on the primary)",
       [](Config& c, const std::string& v) -> Status {
         if (v.empty()) return Error::BadRequest("--database-replica-url must not be empty");
         c.database.replica_urls.push_back(v);
         return {};
       }},
      {"database-replica-max-lag-ms", "CHIRP_DATABASE_REPLICA_MAX_LAG_MS",
       "a replica further behind the primary serves no read; others' writes reach a reader "
       "within this (default 2000)",
       WholeNumber(
           "--database-replica-max-lag-ms", 10, 600'000,
           [](Config& c, int64_t n) { c.database.replica_max_lag_ms = static_cast<int>(n); })},
      {"database-connections", "CHIRP_DATABASE_CONNECTIONS",
       "connections to PostgreSQL at most (default: --blocking-threads + 4)",
       WholeNumber("--database-connections", 1, 1000,
                   [](Config& c, int64_t n) { c.database.connections = static_cast<int>(n); })},
      {"database-prepared-statements", "CHIRP_DATABASE_PREPARED_STATEMENTS",
       "on or off: off behind a pooler in transaction mode, such as pgbouncer 1.18 (default on)",
       [](Config& c, const std::string& v) -> Status {
         const std::string s = AsciiLower(v);
         if (s != "on" && s != "off") {
           return Error::BadRequest("--database-prepared-statements must be on or off");
         }
         c.database.prepared_statements = s == "on";
         return {};
       }},
      {"redis-url", "CHIRP_REDIS_URL",
       "a Redis Cluster to keep home timelines in, shared by the instances of one "
       "PostgreSQL database: redis://host:port[,host:port...] (default: none, in process)",
       [](Config& c, const std::string& v) -> Status {
         if (!v.starts_with("redis://")) {
           return Error::BadRequest("--redis-url must look like redis://host:port[,host:port...]");
         }
         c.redis.url = v;
         return {};
       }},
      {"redis-prefix", "CHIRP_REDIS_PREFIX",
       "prefix of Chirp's keys in the Redis Cluster (default chirp:)",
       [](Config& c, const std::string& v) -> Status {
         if (v.find_first_of("{} \t\r\n") != std::string::npos) {
           return Error::BadRequest("--redis-prefix must not hold braces or spaces");
         }
         c.redis.prefix = v;
         return {};
       }},
      {"public-url", "CHIRP_PUBLIC_URL",
       "base of the absolute URLs the API writes, e.g. https://chirp.example (default: from Host)",
       [](Config& c, const std::string& v) -> Status {
         if (!v.starts_with("http://") && !v.starts_with("https://")) {
           return Error::BadRequest("--public-url must start with http:// or https://");
         }
         c.api.public_url = v.back() == '/' ? v.substr(0, v.size() - 1) : v;
         return {};
       }},
      {"title", "CHIRP_TITLE", "the instance's name (default Chirp)",
       [](Config& c, const std::string& v) -> Status {
         c.api.title = v;
         return {};
       }},
      {"contact-email", "CHIRP_CONTACT_EMAIL", "the operator's contact address",
       [](Config& c, const std::string& v) -> Status {
         c.api.contact_email = v;
         return {};
       }},
      {"max-characters", "CHIRP_MAX_CHARACTERS", "longest status, in characters (default 280)",
       WholeNumber("--max-characters", 1, 100000,
                   [](Config& c, int64_t n) { c.api.max_characters = static_cast<int>(n); })},
      {"registrations", "CHIRP_REGISTRATIONS", "open or closed (default open)",
       [](Config& c, const std::string& v) -> Status {
         auto b = ParseSwitch(v, "--registrations");
         if (!b) return std::move(b).error();
         c.api.registrations_open = *b;
         return {};
       }},
      {"password-grant", "CHIRP_PASSWORD_GRANT",
       "on or off: the OAuth password grant (default off)",
       [](Config& c, const std::string& v) -> Status {
         auto b = ParseSwitch(v, "--password-grant");
         if (!b) return std::move(b).error();
         c.api.password_grant = *b;
         return {};
       }},
      {"shared-lanes", "CHIRP_SHARED_LANES",
       "on or off: whether this API instance also runs the event stream's work the "
       "deployment shares (notifications; fan-out to timelines in Redis) while no other "
       "process does; off leaves it to `chirpd worker` processes (default on)",
       [](Config& c, const std::string& v) -> Status {
         auto b = ParseSwitch(v, "--shared-lanes");
         if (!b) return std::move(b).error();
         c.shared_lanes = *b;
         return {};
       }},
      {"lane-partitions", "CHIRP_LANE_PARTITIONS",
       "partitions by account of the shared work (notifications; fan-out to timelines in "
       "Redis), shared out among the processes that run it; the same in every process of a "
       "database (default 1)",
       WholeNumber("--lane-partitions", 1, 256,
                   [](Config& c, int64_t n) { c.lane_partitions = static_cast<int>(n); })},
      {"search", "CHIRP_SEARCH",
       "on or off: index statuses, accounts and hashtags for search (default on)",
       [](Config& c, const std::string& v) -> Status {
         auto b = ParseSwitch(v, "--search");
         if (!b) return std::move(b).error();
         c.search = *b;
         return {};
       }},
      {"search-indexable-default", "CHIRP_SEARCH_INDEXABLE_DEFAULT",
       "on or off: whether new accounts' public statuses are found by anyone's search (default "
       "on)",
       [](Config& c, const std::string& v) -> Status {
         auto b = ParseSwitch(v, "--search-indexable-default");
         if (!b) return std::move(b).error();
         c.api.indexable_default = *b;
         return {};
       }},
      {"media-dir", "CHIRP_MEDIA_DIR",
       "directory of uploaded media files, created when missing; every instance of a "
       "scaled-out deployment needs the same one (default: media in --data)",
       [](Config& c, const std::string& v) -> Status {
         if (v.empty()) return Error::BadRequest("--media-dir must not be empty");
         c.media_dir = v;
         return {};
       }},
      {"rate-limits", "CHIRP_RATE_LIMITS", "on or off (default on; off for benchmarks)",
       [](Config& c, const std::string& v) -> Status {
         auto b = ParseSwitch(v, "--rate-limits");
         if (!b) return std::move(b).error();
         c.api.rate_limits.enabled = *b;
         return {};
       }},
      {"rate-limit-account", "CHIRP_RATE_LIMIT_ACCOUNT",
       "requests per account, COUNT/SECONDS (default 1500/300)",
       RuleSetter(&RateLimitConfig::account, "--rate-limit-account")},
      {"rate-limit-token", "CHIRP_RATE_LIMIT_TOKEN", "requests per token (default 300/300)",
       RuleSetter(&RateLimitConfig::token, "--rate-limit-token")},
      {"rate-limit-ip", "CHIRP_RATE_LIMIT_IP", "unauthenticated requests per IP (default 300/300)",
       RuleSetter(&RateLimitConfig::ip, "--rate-limit-ip")},
      {"rate-limit-registration", "CHIRP_RATE_LIMIT_REGISTRATION",
       "sign-ups per IP (default 5/1800)",
       RuleSetter(&RateLimitConfig::registration, "--rate-limit-registration")},
      {"rate-limit-sign-in", "CHIRP_RATE_LIMIT_SIGN_IN", "sign-in attempts per IP (default 25/300)",
       RuleSetter(&RateLimitConfig::sign_in, "--rate-limit-sign-in")},
      {"rate-limit-media", "CHIRP_RATE_LIMIT_MEDIA", "media uploads per account (default 30/1800)",
       RuleSetter(&RateLimitConfig::media, "--rate-limit-media")},
      {"rate-limit-deletes", "CHIRP_RATE_LIMIT_DELETES",
       "deletes and unreblogs per account (default 30/1800)",
       RuleSetter(&RateLimitConfig::deletes, "--rate-limit-deletes")},
      {"rate-limit-token-lookup", "CHIRP_RATE_LIMIT_TOKEN_LOOKUP",
       "bearer tokens not held in memory looked up per IP (default 300/300)",
       RuleSetter(&RateLimitConfig::token_lookup, "--rate-limit-token-lookup")},
      {"rate-limit-exempt", "CHIRP_RATE_LIMIT_EXEMPT",
       "comma-separated networks not rate limited (default none)",
       [](Config& c, const std::string& v) -> Status {
         auto list = ParseCidrList(v);
         if (!list)
           return Error::BadRequest("--rate-limit-exempt must be networks like 10.0.0.0/8,::1");
         c.api.rate_limits.exempt_networks = *list;
         return {};
       }},
      {"trusted-proxies", "CHIRP_TRUSTED_PROXIES",
       "comma-separated networks of proxies whose X-Forwarded-For is believed (default none)",
       [](Config& c, const std::string& v) -> Status {
         auto list = ParseCidrList(v);
         if (!list)
           return Error::BadRequest("--trusted-proxies must be networks like 127.0.0.1/32");
         c.api.trusted_proxies = *list;
         // A proxy's connections carry many clients: the per-address cap
         // applies to the clients behind it, through rate limits.
         c.server.connections.unlimited_networks = *list;
         return {};
       }},
      {"worker-id", "CHIRP_WORKER_ID",
       "0-1023, distinct for each instance sharing a store (default 0)",
       WholeNumber("--worker-id", 0, 1023, [](Config& c, int64_t n) { c.worker_id = n; })},
      {"threads", "CHIRP_THREADS", "network threads (default: one per core)",
       WholeNumber("--threads", 0, 256,
                   [](Config& c, int64_t n) { c.server.network_threads = static_cast<int>(n); })},
      {"blocking-threads", "CHIRP_BLOCKING_THREADS",
       "threads for work that waits on the store (default 16)",
       WholeNumber("--blocking-threads", 1, 1024,
                   [](Config& c, int64_t n) { c.server.blocking_threads = static_cast<int>(n); })},
      {"idle-timeout", "CHIRP_IDLE_TIMEOUT",
       "seconds a keep-alive connection may idle (default 75)",
       WholeNumber("--idle-timeout", 1, 86400,
                   [](Config& c, int64_t n) { c.server.idle_timeout = std::chrono::seconds(n); })},
      {"header-timeout", "CHIRP_HEADER_TIMEOUT",
       "seconds a client has to send a request's head, from its first byte or from connecting "
       "(default 10)",
       WholeNumber(
           "--header-timeout", 1, 3600,
           [](Config& c, int64_t n) { c.server.header_timeout = std::chrono::seconds(n); })},
      {"request-timeout", "CHIRP_REQUEST_TIMEOUT",
       "seconds a client has to send a request's body and to take its answer (default 30)",
       WholeNumber(
           "--request-timeout", 1, 3600,
           [](Config& c, int64_t n) { c.server.request_timeout = std::chrono::seconds(n); })},
      {"max-connections", "CHIRP_MAX_CONNECTIONS",
       "connections held at once; beyond, new ones are answered 503 (default 10000)",
       WholeNumber("--max-connections", 1, 1 << 24,
                   [](Config& c, int64_t n) { c.server.connections.total = n; })},
      {"max-connections-per-address", "CHIRP_MAX_CONNECTIONS_PER_ADDRESS",
       "connections held at once for one client address, an IPv6 one by its /64; trusted "
       "proxies are not counted (default 256)",
       WholeNumber("--max-connections-per-address", 1, 1 << 24,
                   [](Config& c, int64_t n) { c.server.connections.per_address = n; })},
      {"blocking-queue", "CHIRP_BLOCKING_QUEUE",
       "requests that may wait for a blocking thread; beyond, they are answered 503 (default 4096)",
       WholeNumber("--blocking-queue", 1, 1 << 24,
                   [](Config& c, int64_t n) { c.server.blocking_queue_limit = n; })},
      {"queue-deadline", "CHIRP_QUEUE_DEADLINE",
       "seconds a request may wait for a blocking thread before it is answered 503 (default 10)",
       WholeNumber(
           "--queue-deadline", 1, 3600,
           [](Config& c, int64_t n) { c.server.queue_deadline = std::chrono::seconds(n); })},
      {"stream-connections-per-account", "CHIRP_STREAM_CONNECTIONS_PER_ACCOUNT",
       "streaming connections one account may hold (default 32)",
       WholeNumber("--stream-connections-per-account", 1, 1 << 20,
                   [](Config& c, int64_t n) { c.stream_limits.connections_per_account = n; })},
      {"stream-subscriptions", "CHIRP_STREAM_SUBSCRIPTIONS",
       "streams one streaming connection may subscribe to (default 100)",
       WholeNumber("--stream-subscriptions", 1, 1 << 20,
                   [](Config& c, int64_t n) { c.stream_limits.subscriptions_per_connection = n; })},
      {"timeline-cache-mib", "CHIRP_TIMELINE_CACHE_MIB",
       "MiB of memory for cached home timelines; those read longest ago go first (default 2048; "
       "with --redis-url, the cluster's maxmemory bounds them instead)",
       WholeNumber("--timeline-cache-mib", 1, int64_t{1} << 30,
                   [](Config& c, int64_t n) { c.timeline_cache_mib = n; })},
      {"account-cache-mib", "CHIRP_ACCOUNT_CACHE_MIB",
       "MiB of memory for accounts held with their JSON rendered (default 256)",
       WholeNumber("--account-cache-mib", 1, int64_t{1} << 30,
                   [](Config& c, int64_t n) { c.account_cache_mib = n; })},
      {"shutdown-grace", "CHIRP_SHUTDOWN_GRACE",
       "seconds in-flight requests get at shutdown (default 10)",
       WholeNumber(
           "--shutdown-grace", 0, 3600,
           [](Config& c, int64_t n) { c.server.shutdown_grace = std::chrono::seconds(n); })},
      {"timeline-size", "CHIRP_TIMELINE_SIZE",
       "entries kept per cached home timeline (default 800)",
       WholeNumber("--timeline-size", 20, 100000,
                   [](Config& c, int64_t n) {
                     c.timeline_size = static_cast<size_t>(n);
                     c.timelines.rebuild_capacity = c.timeline_size;
                   })},
      {"status-cache-mib", "CHIRP_STATUS_CACHE_MIB",
       "MiB of memory for statuses held with their JSON rendered (default 1024)",
       WholeNumber("--status-cache-mib", 1, int64_t{1} << 30,
                   [](Config& c, int64_t n) { c.status_cache_mib = static_cast<size_t>(n); })},
      {"reader-cache-size", "CHIRP_READER_CACHE_SIZE",
       "readers whose relations and recent favourites are kept in memory (default 100000)",
       WholeNumber("--reader-cache-size", 64, int64_t{1} << 32,
                   [](Config& c, int64_t n) { c.reader_cache_size = static_cast<size_t>(n); })},
      {"reader-cache-mib", "CHIRP_READER_CACHE_MIB",
       "MiB of memory for readers' relations and recent favourites (default 512)",
       WholeNumber("--reader-cache-mib", 1, int64_t{1} << 30,
                   [](Config& c, int64_t n) { c.reader_cache_mib = n; })},
      {"celebrity-threshold", "CHIRP_CELEBRITY_THRESHOLD",
       "followers from which an author's posts are merged at read time instead of pushed (default "
       "10000)",
       WholeNumber("--celebrity-threshold", 1, int64_t{1} << 40,
                   [](Config& c, int64_t n) { c.timelines.celebrity_threshold = n; })},
      {"stream-buffer-bytes", "CHIRP_STREAM_BUFFER_BYTES",
       "bytes queued for one streaming client before it is cut off as too slow (default 262144)",
       WholeNumber("--stream-buffer-bytes", 1024, int64_t{1} << 30,
                   [](Config& c, int64_t n) { c.stream_buffer_bytes = static_cast<size_t>(n); })},
      {"live-window-days", "CHIRP_LIVE_WINDOW_DAYS",
       "days a home timeline stays cached after its last read (default 7)",
       WholeNumber(
           "--live-window-days", 1, 3650,
           [](Config& c, int64_t n) { c.timelines.live_window_ms = n * 24 * 3600 * 1000; })},
      {"sync", "CHIRP_SYNC",
       "full (durable on power loss) or normal (durable on crash) (default full)",
       [](Config& c, const std::string& v) -> Status {
         const std::string s = AsciiLower(v);
         if (s != "full" && s != "normal")
           return Error::BadRequest("--sync must be full or normal");
         c.synchronous = s == "full" ? "FULL" : "NORMAL";
         return {};
       }},
  };
  return options;
}

}  // namespace

Result<Config> ParseConfig(const std::vector<std::string>& args, const EnvLookup& env,
                           std::vector<std::string>* positional,
                           std::map<std::string, std::string>* extra,
                           const std::vector<std::string>& extra_names) {
  Config config;
  for (const Option& o : Options()) {
    const std::string value = env(o.env);
    if (value.empty()) continue;
    if (Status s = o.apply(config, value); !s) {
      Error e = std::move(s).error();
      e.message = std::string(o.env) + ": " + e.message;
      return e;
    }
  }
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (!arg.starts_with("--")) {
      if (positional == nullptr) return Error::BadRequest("unexpected argument '" + arg + "'");
      positional->push_back(arg);
      continue;
    }
    std::string name = arg.substr(2);
    std::string value;
    const size_t eq = name.find('=');
    bool has_value = eq != std::string::npos;
    if (has_value) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    auto take_value = [&]() -> Status {
      if (has_value) return {};
      if (i + 1 >= args.size()) return Error::BadRequest("--" + name + " needs a value");
      value = args[++i];
      return {};
    };
    bool known = false;
    for (const Option& o : Options()) {
      if (name != o.flag) continue;
      known = true;
      if (Status s = take_value(); !s) return std::move(s).error();
      if (Status s = o.apply(config, value); !s) return std::move(s).error();
    }
    for (const std::string& extra_name : extra_names) {
      if (name != extra_name || extra == nullptr) continue;
      known = true;
      if (Status s = take_value(); !s) return std::move(s).error();
      (*extra)[name] = value;
    }
    if (!known) return Error::BadRequest("unknown option --" + name + " (see chirpd --help)");
  }
  if (config.database.url.empty() &&
      (!config.database.session_url.empty() || !config.database.replica_urls.empty())) {
    return Error::BadRequest(
        "--database-session-url and --database-replica-url go with --database-url");
  }
  if (config.database.url.empty() && config.lane_partitions > 1) {
    return Error::BadRequest(
        "--lane-partitions shares work among the processes of a PostgreSQL database: give "
        "--database-url");
  }
  return config;
}

std::string OptionsHelp() {
  std::string out;
  for (const Option& o : Options()) {
    std::string flag = std::string("  --") + o.flag + " VALUE";
    flag.resize(std::max<size_t>(flag.size() + 2, 36), ' ');
    out += flag + o.help + "\n";
    out += std::string(36, ' ') + "env " + o.env + "\n";
  }
  return out;
}

}  // namespace chirp
