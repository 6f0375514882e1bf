// chirpd's configuration: every option is a flag (--name value or
// --name=value) and an environment variable (CHIRP_NAME); flags win.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/api_config.h"
#include "core/error.h"
#include "http/server.h"
#include "stream/stream_hub.h"
#include "timeline/fan_out.h"

namespace chirp {

// Where the records are kept: the embedded store in Config::data_dir, or
// PostgreSQL when `url` is set.
struct DatabaseConfig {
  std::string url;
  // A direct connection for the session (LISTEN, advisory locks) and the
  // migrations when `url` goes through a pooler in transaction mode.
  std::string session_url;
  std::vector<std::string> replica_urls;  // streaming replicas for reads that may lag
  int replica_max_lag_ms = 2000;          // a replica further behind serves nothing
  int connections = 0;                    // 0: one for each blocking thread, and a few more
  bool prepared_statements = true;
};

// The scaled-out deployment's cache tier: home timelines in a Redis
// Cluster when `url` is set (with a PostgreSQL database), else in process.
struct RedisConfig {
  std::string url;                // redis://host:port[,host:port...], any nodes of the cluster
  std::string prefix = "chirp:";  // of every key, so that deployments can share a cluster
};

struct ListenAddress {
  std::string host;
  uint16_t port = 0;
};

struct Config {
  ServerOptions server;
  // Where a worker serves /metrics and /ready; none when unset.
  std::optional<ListenAddress> metrics_listen;
  DatabaseConfig database;
  RedisConfig redis;
  ApiConfig api;
  std::string data_dir = "data";
  int64_t worker_id = 0;
  std::string synchronous = "FULL";
  TimelineOptions timelines;
  size_t timeline_size = 800;
  // Memory for statuses held with their JSON rendered.
  size_t status_cache_mib = 1024;
  size_t reader_cache_size = 100000;
  // Memory for readers' relations and recent favourites.
  size_t reader_cache_mib = 512;
  // Bytes queued for one streaming client before it is cut off as too slow.
  size_t stream_buffer_bytes = 256 * 1024;
  StreamLimits stream_limits;
  // Memory for accounts held with their JSON rendered.
  size_t account_cache_mib = 256;
  // Memory for cached home timelines.
  size_t timeline_cache_mib = 2048;
  // Whether an API instance also takes up the event stream's work that the
  // processes of one database share (notifications; fan-out to timelines in
  // Redis) while no other process holds it; off leaves it to workers.
  bool shared_lanes = true;
  // How many partitions by account the shared work (notifications,
  // fan-out to Redis) is split into, each a lane of its own that any
  // process may run (events/lane_group.h): the same in every process of a
  // database. 1: one lane each, run by one process at a time.
  int lane_partitions = 1;
  // Where uploads' files are kept (media/media_storage.h); "": "media" in
  // data_dir.
  std::string media_dir;
  // Whether statuses, accounts and hashtags are indexed for search (off:
  // the search routes answer 404 and nothing is indexed).
  bool search = true;
};

// Reads the environment variable `name`, or "" when unset. Injected so tests
// need not touch the process environment.
using EnvLookup = std::function<std::string(const std::string& name)>;

// Parses `args` (the options after the subcommand). Unknown options and bad
// values are kBadRequest with a message for the operator. Positional
// arguments are returned in `positional`.
Result<Config> ParseConfig(const std::vector<std::string>& args, const EnvLookup& env,
                           std::vector<std::string>* positional = nullptr,
                           std::map<std::string, std::string>* extra = nullptr,
                           const std::vector<std::string>& extra_names = {});

// The options table as help text.
std::string OptionsHelp();

}  // namespace chirp
