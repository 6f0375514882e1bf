// A client of a Redis Cluster, on hiredis (Debian's 0.14).
//
// Each command goes to the master that serves its key's hash slot
// (redis/redis_slots.h), as the client's slot map says. The map is read
// from the cluster (CLUSTER SLOTS) when connecting, when it is older than
// `slot_map_max_age_ms`, and whenever the cluster answers otherwise:
//  - MOVED slot host:port: the slot lives elsewhere for good (a reshard or
//    a failover): the slot is pointed there, the whole map refreshed, and
//    the command sent again;
//  - ASK slot host:port: the slot is being migrated and this key already
//    left: the command is sent there once, after ASKING, and the map is not
//    changed;
//  - TRYAGAIN, CLUSTERDOWN, LOADING, MASTERDOWN, or a node that cannot be
//    reached: the cluster is in the middle of a change; the command is sent
//    again, after a short pause and a refresh of the map, until
//    `retry_window_ms` has passed; then the batch fails with kUnavailable.
//
// A batch (RunAll) is pipelined: its commands are grouped by node, every
// node gets its whole group written before any reply is read, and replies
// come back in the order of the commands.
//
// Replication is asynchronous: a master that dies may take writes it
// acknowledged with it. A batch run with `replicas` > 0 is acknowledged
// only once that many replicas of each master it wrote to have them, or
// all the master has when it has fewer (WAIT after each node's group, on
// the same connection; none for a master the slot map lists without
// replicas); a master that dies
// first breaks the connection, and the group is sent again to the replica
// that took over. When no replica answers within `replica_wait_ms`, the
// batch is answered anyway (a master without a replica loses nothing to
// a failover, having none); `unreplicated` in the stats counts those.
//
// A command whose connection broke after it was written may have run, and
// is then sent again: callers send what may be repeated without harm
// (writes that set rather than add, scripts that check before they change),
// as a cache's writes are.
//
// Thread-safe: any number of threads may run commands at once. Each takes
// a connection of its own per node from a pool (idle connections are kept,
// up to `idle_connections_per_node`). Every call may wait on the network:
// never call from a thread that must not wait.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace chirp {

// One reply, copied out of hiredis.
struct RedisReply {
  enum class Type { kNil, kStatus, kError, kInteger, kString, kArray };
  Type type = Type::kNil;
  std::string str;  // kStatus, kError, kString
  int64_t integer = 0;
  std::vector<RedisReply> elements;

  bool is_error() const { return type == Type::kError; }
  bool is_nil() const { return type == Type::kNil; }
};

// A Lua script run by its SHA-1 (EVALSHA), and loaded into a node the first
// time that node does not know it.
class RedisScript {
 public:
  explicit RedisScript(std::string source);
  const std::string& source() const { return source_; }
  const std::string& sha1() const { return sha1_; }  // lowercase hex

 private:
  std::string source_;
  std::string sha1_;
};

struct RedisCommand {
  std::vector<std::string> args;  // e.g. {"SET", "k", "v"}
  // The key whose hash slot routes the command; empty: args[1].
  std::string route_key;
  // Set for EVALSHA commands (made by Script below): what to load on NOSCRIPT.
  const RedisScript* script = nullptr;

  // EVALSHA of `script` over `keys` (which must share a hash slot) and `args`.
  static RedisCommand Script(const RedisScript& script, std::vector<std::string> keys,
                             std::vector<std::string> args);
  std::string_view RouteKey() const;
};

struct RedisClusterOptions {
  std::vector<std::string> seeds;  // "host:port" of any nodes of the cluster
  int connect_timeout_ms = 1000;
  int command_timeout_ms = 2000;
  // How long a batch keeps trying through a failover or a reshard. A master
  // that died is replaced after the cluster's node timeout and an election.
  int retry_window_ms = 15000;
  size_t idle_connections_per_node = 8;
  // The slot map is read again when it is this old at a batch's start, so
  // that replicas added or lost since are known without an error first.
  int slot_map_max_age_ms = 10000;
};

// Parses "redis://host:port[,host:port...]" (a seed list, as
// scripts/redis.sh prints it). kBadRequest on anything else.
Result<RedisClusterOptions> ParseRedisClusterUrl(std::string_view url);

// How a batch is acknowledged (see above).
struct RedisBatchOptions {
  int replicas = 0;  // replicas of each master written to that must have the batch
  int replica_wait_ms = 200;
};

struct RedisClusterStats {
  uint64_t commands = 0;
  uint64_t batches = 0;
  uint64_t moved = 0;
  uint64_t asked = 0;
  uint64_t retries = 0;  // commands sent again after a failure
  uint64_t slot_refreshes = 0;
  uint64_t connects = 0;
  uint64_t unreplicated = 0;  // node groups acknowledged without their replicas
};

class RedisCluster {
 public:
  // Connects to the cluster through its seeds and reads its slot map.
  // kUnavailable when no seed answers or the cluster serves no slot.
  static Result<std::unique_ptr<RedisCluster>> Connect(RedisClusterOptions options);
  ~RedisCluster();
  RedisCluster(const RedisCluster&) = delete;
  RedisCluster& operator=(const RedisCluster&) = delete;

  // Runs one command. An error reply of the command itself (a wrong type,
  // a script's error) is a reply of type kError; an Error is returned only
  // when the cluster could not answer within the retry window.
  Result<RedisReply> Run(const RedisCommand& command);
  // Runs `commands` as one pipelined batch; replies in the same order.
  Result<std::vector<RedisReply>> RunAll(std::span<const RedisCommand> commands,
                                         const RedisBatchOptions& options = {});
  // Runs `command` on every master, one reply each (INFO, SCAN, FLUSHALL).
  Result<std::vector<RedisReply>> RunOnMasters(const RedisCommand& command);
  // Runs `command` on the node at `address` ("host:port") as it is, with
  // no redirection followed: for operations on one node (tests, tools).
  Result<RedisReply> RunOnNode(const std::string& address, const RedisCommand& command);

  // Reads the slot map again from any node that answers.
  Status RefreshSlots();
  // The master serving `slot`, as the slot map says ("" when none does).
  std::string MasterOf(int slot) const;
  // Every master the slot map knows, in slot order.
  std::vector<std::string> Masters() const;
  RedisClusterStats Stats() const;

 private:
  class Impl;
  explicit RedisCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chirp
